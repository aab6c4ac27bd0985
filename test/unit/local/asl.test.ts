import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/commons/errors.ts';
import {
  MAX_TIMER_SECONDS,
  VIRTUAL_WAIT_RESOURCE,
  functionResolver,
  prepareDefinition,
  type AslDefinition,
} from '../../../functions/local/asl.ts';

const invoke = (functionName: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: functionName, 'Payload.$': '$' },
  End: true,
});

describe('functionResolver', () => {
  const resolve = functionResolver(['NextMilestoneFunction', 'send-emails', 'RunLogicalId'], { '${Token[TOKEN.42]}': 'RunLogicalId' });

  it('resolves plain names, ARNs, placeholders and explicit aliases', () => {
    expect(resolve('send-emails')).toBe('send-emails');
    expect(resolve('arn:aws:lambda:eu-west-1:123456789012:function:send-emails')).toBe('send-emails');
    expect(resolve('arn:aws:lambda:eu-west-1:123456789012:function:send-emails:live')).toBe('send-emails');
    expect(resolve('${NextMilestoneFunction}')).toBe('NextMilestoneFunction');
    expect(resolve('${RunLogicalId.Arn}')).toBe('RunLogicalId');
    expect(resolve('${Token[TOKEN.42]}')).toBe('RunLogicalId');
    expect(resolve('unknown')).toBeUndefined();
  });
});

describe('prepareDefinition', () => {
  const resolve = functionResolver(['a', 'b', 'c']);

  it('maps every Lambda task to its handler, nested Parallel and Map included', () => {
    const prepared = prepareDefinition(
      {
        StartAt: 'A',
        States: {
          A: { ...invoke('a'), End: undefined, Next: 'P' },
          P: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'B', States: { B: invoke('arn:aws:lambda:eu-west-1:1:function:b') } },
              {
                StartAt: 'M',
                States: {
                  M: { Type: 'Map', ItemProcessor: { StartAt: 'C', States: { C: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:1:function:c', End: true } } }, End: true },
                },
              },
            ],
            End: true,
          },
        },
      } as AslDefinition,
      resolve,
    );
    expect([...prepared.lambdaTasks.values()].map((t) => [t.state, t.handlerKey, t.envelope])).toEqual([
      ['A', 'a', true],
      ['B', 'b', true],
      ['C', 'c', false],
    ]);
  });

  it('rewrites Wait states into virtual-wait tasks that keep their paths and transitions', () => {
    const source: AslDefinition = {
      StartAt: 'W1',
      States: {
        W1: { Type: 'Wait', TimestampPath: '$.next.waitUntil', InputPath: '$.x', OutputPath: '$.y', Next: 'W2' },
        W2: { Type: 'Wait', Seconds: 3_456_000, End: true },
      },
    };
    const { definition, waitStates } = prepareDefinition(source, resolve);
    expect(waitStates).toEqual(new Set(['W1', 'W2']));
    expect(definition.States.W1).toEqual({
      Type: 'Task',
      Resource: VIRTUAL_WAIT_RESOURCE,
      InputPath: '$.x',
      OutputPath: '$.y',
      Parameters: { 'input.$': '$', 'timestamp.$': '$.next.waitUntil' },
      TimeoutSeconds: MAX_TIMER_SECONDS,
      Next: 'W2',
    });
    // Without InputPath the input passes through untouched.
    expect(definition.States.W2).toMatchObject({ Parameters: { seconds: 3_456_000 }, ResultPath: null, End: true });
    expect(source.States.W1.Type).toBe('Wait'); // the caller's definition is left alone
  });

  it('clamps task timeouts to what a timer holds and takes out the execution timeout', () => {
    const { definition, timeoutSeconds } = prepareDefinition(
      {
        TimeoutSeconds: 400 * 86_400,
        StartAt: 'A',
        States: { A: { ...invoke('a'), End: undefined, Next: 'B' }, B: { ...invoke('b'), TimeoutSeconds: 300 } },
      } as AslDefinition,
      resolve,
    );
    expect(definition.States.A.TimeoutSeconds).toBe(MAX_TIMER_SECONDS);
    expect(definition.States.B.TimeoutSeconds).toBe(300);
    expect(timeoutSeconds).toBe(400 * 86_400);
    expect(definition.TimeoutSeconds).toBeUndefined();
  });

  it('accepts the template DefinitionString', () => {
    const prepared = prepareDefinition(JSON.stringify({ StartAt: 'A', States: { A: invoke('a') } }), resolve);
    expect(prepared.lambdaTasks.get('A')?.handlerKey).toBe('a');
  });

  it('lists everything it cannot run', () => {
    const run = () =>
      prepareDefinition(
        {
          StartAt: 'A',
          States: {
            A: { ...invoke('nobody'), End: undefined, Next: 'B' },
            B: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: 'a' }, Next: 'C' },
            C: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: {}, Next: 'D' },
            D: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.fn' }, Next: 'E' },
            E: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject' }, ItemProcessor: { StartAt: 'F', States: { F: { Type: 'Pass', End: true } } }, End: true },
          },
        } as AslDefinition,
        resolve,
      );
    expect(run).toThrow(ValidationError);
    try {
      run();
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['A', 'B', 'C', 'D', 'E']);
    }
  });

  it('refuses a state name used twice (overrides are keyed by name)', () => {
    expect(() =>
      prepareDefinition(
        {
          StartAt: 'P',
          States: {
            P: {
              Type: 'Parallel',
              Branches: [
                { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } },
                { StartAt: 'X', States: { X: { Type: 'Pass', End: true } } },
              ],
              End: true,
            },
          },
        },
        resolve,
      ),
    ).toThrow(/X: state name is used more than once/);
  });
});
