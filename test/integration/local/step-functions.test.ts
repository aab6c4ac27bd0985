import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import {
  ExecutionAbortedError,
  ExecutionFailedError,
  runStateMachine,
  startExecution,
  type RunEvent,
} from '../../../functions/local/step-functions.ts';

const DAY = 86_400_000;
const START = '2025-01-01T00:00:00.000Z';

/** Pass → Task → Wait (TimestampPath, one year) → Wait (40 days) → Choice loops twice → Succeed. */
const loopDefinition = {
  StartAt: 'Init',
  States: {
    Init: { Type: 'Pass', Result: { count: 0 }, ResultPath: '$.loop', Next: 'Plan' },
    Plan: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: '${PlanFunction}', 'Payload.$': '$' },
      ResultSelector: { 'until.$': '$.Payload.until', 'count.$': '$.Payload.count', 'status.$': '$.StatusCode' },
      ResultPath: '$.loop',
      TimeoutSeconds: 30,
      Next: 'Wait a year',
    },
    'Wait a year': { Type: 'Wait', TimestampPath: '$.loop.until', Next: 'Wait 40 days' },
    'Wait 40 days': { Type: 'Wait', Seconds: 40 * 86_400, Next: 'Again?' },
    'Again?': { Type: 'Choice', Choices: [{ Variable: '$.loop.count', NumericLessThan: 2, Next: 'Plan' }], Default: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

function planHandler(clock: VirtualClock) {
  return async (event: { loop: { count: number } }) => ({
    until: new Date(clock.now() + 365 * DAY).toISOString(),
    count: event.loop.count + 1,
  });
}

describe('runStateMachine', () => {
  it('runs a year-long loop in fast mode and ends exactly at the expected instant', async () => {
    const clock = new VirtualClock(START);
    const events: RunEvent[] = [];

    const execution = startExecution({
      definition: loopDefinition,
      input: { cycle: 'msr-2021' },
      executionName: 'fast-loop',
      handlers: { PlanFunction: planHandler(clock) },
      clock,
      mode: 'fast',
      onEvent: (event) => events.push(event),
    });
    // Timed from here: startExecution includes the engine's one-off definition check (~0.5 s).
    const startedReal = performance.now();
    const output = await execution.result;

    expect(performance.now() - startedReal).toBeLessThan(1500);
    // Two rounds of (365 + 40) days.
    expect(clock.now()).toBe(Date.parse(START) + 2 * 405 * DAY);
    expect(output).toEqual({ cycle: 'msr-2021', loop: { until: '2027-02-10T00:00:00.000Z', count: 2, status: 200 } });
    expect(execution.invocations).toEqual({ PlanFunction: 2 });

    const waits = events.filter((e) => e.type === 'waitStarted' || e.type === 'waitFinished');
    expect(waits.map((e) => [e.type, e.state, new Date(e.at).toISOString()])).toEqual([
      ['waitStarted', 'Wait a year', '2025-01-01T00:00:00.000Z'],
      ['waitFinished', 'Wait a year', '2026-01-01T00:00:00.000Z'],
      ['waitStarted', 'Wait 40 days', '2026-01-01T00:00:00.000Z'],
      ['waitFinished', 'Wait 40 days', '2026-02-10T00:00:00.000Z'],
      ['waitStarted', 'Wait a year', '2026-02-10T00:00:00.000Z'],
      ['waitFinished', 'Wait a year', '2027-02-10T00:00:00.000Z'],
      ['waitStarted', 'Wait 40 days', '2027-02-10T00:00:00.000Z'],
      ['waitFinished', 'Wait 40 days', '2027-03-22T00:00:00.000Z'],
    ]);
    expect(events.find((e) => e.type === 'stateEntered' && e.state === 'Wait a year')).toMatchObject({ stateType: 'Wait' });
    expect(events.filter((e) => e.type === 'taskStarted').map((e) => e.at)).toEqual([Date.parse(START), Date.parse('2026-02-10T00:00:00Z')]);
    expect(events[0].type).toBe('executionStarted');
    expect(events.at(-1)?.type).toBe('executionSucceeded');
  });

  it('hands a thrown error to Catch with the Error and Cause of Step Functions', async () => {
    class ContractRejected extends Error {
      constructor(message: string) {
        super(message);
        this.name = 'ContractRejected';
      }
    }
    const definition = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:check-contract', 'Payload.$': '$' },
          Catch: [{ ErrorEquals: ['ContractRejected'], ResultPath: '$.error', Next: 'Rejected' }],
          End: true,
        },
        Rejected: { Type: 'Pass', End: true },
      },
    };
    const events: RunEvent[] = [];
    const output = (await runStateMachine({
      definition,
      input: { agb: '12345678' },
      executionName: 'catch',
      handlers: {
        'check-contract': async () => {
          throw new ContractRejected('tarief ontbreekt');
        },
      },
      clock: new VirtualClock(START),
      mode: 'fast',
      onEvent: (event) => events.push(event),
    })) as { agb: string; error: { Error: string; Cause: string } };

    expect(output.agb).toBe('12345678');
    expect(output.error.Error).toBe('ContractRejected');
    expect(JSON.parse(output.error.Cause)).toMatchObject({ errorType: 'ContractRejected', errorMessage: 'tarief ontbreekt' });
    expect(events.map((e) => e.type)).toContain('stateCaught');
    expect(events.find((e) => e.type === 'taskFailed')).toMatchObject({ function: 'check-contract', error: 'ContractRejected' });
  });

  it('rejects with ExecutionFailedError when a Fail state is reached', async () => {
    const definition = { StartAt: 'Stop', States: { Stop: { Type: 'Fail', Error: 'MilestoneFailed', Cause: 'stuk' } } };
    const run = runStateMachine({ definition, input: {}, executionName: 'fail', handlers: {}, clock: new VirtualClock(START), mode: 'fast' });
    await expect(run).rejects.toBeInstanceOf(ExecutionFailedError);
    await expect(run).rejects.toMatchObject({ error: 'MilestoneFailed', cause: 'stuk' });
  });

  it('refuses a definition whose function has no handler, naming the state', () => {
    expect(() =>
      startExecution({
        definition: loopDefinition,
        input: {},
        executionName: 'missing',
        handlers: {},
        clock: new VirtualClock(START),
        mode: 'fast',
      }),
    ).toThrow(/Plan: no handler for function \$\{PlanFunction\}/);
  });

  it('in interactive mode waits until the clock is advanced', async () => {
    const clock = new VirtualClock(START);
    const definition = {
      StartAt: 'Wait 30 days',
      States: { 'Wait 30 days': { Type: 'Wait', Seconds: 30 * 86_400, End: true } },
    };
    const execution = startExecution({ definition, input: { a: 1 }, executionName: 'interactive', handlers: {}, clock, mode: 'interactive' });
    let settled = false;
    void execution.result.finally(() => (settled = true));

    await sleep(300);
    expect(settled).toBe(false);
    expect(clock.now()).toBe(Date.parse(START));
    expect(execution.nextWakeUp()).toBe(Date.parse(START) + 30 * DAY);

    clock.advanceBy(29 * DAY);
    await sleep(50);
    expect(settled).toBe(false);

    clock.advanceTo(execution.nextWakeUp()!);
    await expect(execution.result).resolves.toEqual({ a: 1 });
  });

  it('in speed mode really takes the scaled time for a wait over 24.8 days', async () => {
    const clock = new VirtualClock(START);
    const definition = {
      StartAt: 'Wait 40 days',
      States: { 'Wait 40 days': { Type: 'Wait', Seconds: 40 * 86_400, End: true } },
    };
    const startedReal = performance.now();
    // 80 virtual days per real second: 40 days take about half a second.
    await runStateMachine({ definition, input: {}, executionName: 'speed', handlers: {}, clock, mode: { daysPerSecond: 80 } });
    const elapsed = performance.now() - startedReal;

    // At least the scaled half second (a wait over 24.8 days must not fire at once); no upper bound, since a loaded machine only adds to it.
    expect(elapsed).toBeGreaterThan(400);
    expect(clock.now()).toBe(Date.parse(START) + 40 * DAY);
  });

  it('runs Lambda tasks and waits inside Parallel branches and Map iterations', async () => {
    const clock = new VirtualClock(START);
    const seen: { item: number; at: string }[] = [];
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Each',
              States: {
                Each: {
                  Type: 'Map',
                  ItemsPath: '$.items',
                  ItemProcessor: {
                    StartAt: 'Wait per item',
                    States: {
                      'Wait per item': { Type: 'Wait', SecondsPath: '$.days', Next: 'Record' },
                      Record: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:record', End: true },
                    },
                  },
                  End: true,
                },
              },
            },
            { StartAt: 'Long wait', States: { 'Long wait': { Type: 'Wait', Timestamp: '2025-03-01T00:00:00Z', End: true } } },
          ],
          End: true,
        },
      },
    };
    await runStateMachine({
      definition,
      input: { items: [{ item: 1, days: 10 * 86_400 }, { item: 2, days: 5 * 86_400 }] },
      executionName: 'nested',
      handlers: {
        record: async (event: { item: number }) => {
          seen.push({ item: event.item, at: new Date(clock.now()).toISOString() });
          return event.item;
        },
      },
      clock,
      mode: 'fast',
    });
    expect(seen).toEqual([
      { item: 2, at: '2025-01-06T00:00:00.000Z' },
      { item: 1, at: '2025-01-11T00:00:00.000Z' },
    ]);
    expect(clock.now()).toBe(Date.parse('2025-03-01T00:00:00Z'));
  });

  it('passes data through Waits as Step Functions does (InputPath, OutputPath, null)', async () => {
    const definition = {
      StartAt: 'Nothing',
      States: {
        Nothing: { Type: 'Pass', Result: null, Next: 'Wait on null' },
        'Wait on null': { Type: 'Wait', Seconds: 60, Next: 'Restore' },
        Restore: { Type: 'Pass', Result: { a: { b: { c: 1 }, when: '2025-02-01T00:00:00Z' } }, Next: 'Wait with paths' },
        'Wait with paths': { Type: 'Wait', InputPath: '$.a', TimestampPath: '$.when', OutputPath: '$.b', End: true },
      },
    };
    const clock = new VirtualClock(START);
    const output = await runStateMachine({ definition, input: {}, executionName: 'paths', handlers: {}, clock, mode: 'fast' });
    expect(output).toEqual({ c: 1 });
    expect(clock.now()).toBe(Date.parse('2025-02-01T00:00:00Z'));
  });

  it('enforces the execution TimeoutSeconds on the virtual clock', async () => {
    const definition = {
      TimeoutSeconds: 100 * 86_400, // far beyond a timer's 24.8 days
      StartAt: 'Wait a year',
      States: { 'Wait a year': { Type: 'Wait', Seconds: 365 * 86_400, End: true } },
    };
    const clock = new VirtualClock(START);
    const run = runStateMachine({ definition, input: {}, executionName: 'timeout', handlers: {}, clock, mode: 'fast' });
    await expect(run).rejects.toMatchObject({ error: 'States.Timeout' });
    expect(clock.now()).toBe(Date.parse(START) + 100 * DAY);
  });

  it('aborts cleanly: the running handler finishes, no further state runs', async () => {
    const clock = new VirtualClock(START);
    const controller = new AbortController();
    const calls: string[] = [];
    const definition = {
      StartAt: 'Slow',
      States: {
        Slow: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:slow', Next: 'Wait' },
        Wait: { Type: 'Wait', Seconds: 86_400, Next: 'After' },
        After: { Type: 'Task', Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:after', End: true },
      },
    };
    const run = runStateMachine({
      definition,
      input: {},
      executionName: 'abort',
      handlers: {
        slow: async () => {
          controller.abort(); // Ctrl-C while a handler runs
          await sleep(100);
          calls.push('slow done');
        },
        after: async () => void calls.push('after'),
      },
      clock,
      mode: 'fast',
      signal: controller.signal,
    });
    await expect(run).rejects.toBeInstanceOf(ExecutionAbortedError);
    expect(calls).toEqual(['slow done']);
    expect(clock.now()).toBe(Date.parse(START));
  });

  it('switches mode while running: an interactive wait finishes once switched to fast', async () => {
    const clock = new VirtualClock(START);
    const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 50 * 86_400, End: true } } };
    const execution = startExecution({ definition, input: {}, executionName: 'switch', handlers: {}, clock, mode: 'interactive' });
    await sleep(50);
    expect(clock.now()).toBe(Date.parse(START));
    execution.setMode('fast');
    await execution.result;
    expect(clock.now()).toBe(Date.parse(START) + 50 * DAY);
  });

  it('does not sleep through Retry intervals in fast mode', async () => {
    let attempts = 0;
    const definition = {
      StartAt: 'Flaky',
      States: {
        Flaky: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: 'flaky', 'Payload.$': '$' },
          Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 30, MaxAttempts: 2 }],
          OutputPath: '$.Payload',
          End: true,
        },
      },
    };
    const startedReal = performance.now();
    const output = await runStateMachine({
      definition,
      input: {},
      executionName: 'retry',
      handlers: {
        flaky: async () => {
          if (++attempts === 1) throw Object.assign(new Error('throttled'), { name: 'Lambda.TooManyRequestsException' });
          return { ok: true };
        },
      },
      clock: new VirtualClock(START),
      mode: 'fast',
    });
    expect(output).toEqual({ ok: true });
    expect(attempts).toBe(2);
    expect(performance.now() - startedReal).toBeLessThan(2000);
  });

  it('stops an interactive wait on abort', async () => {
    const definition = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 3600, End: true } } };
    const execution = startExecution({ definition, input: {}, executionName: 'stop', handlers: {}, clock: new VirtualClock(START), mode: 'interactive' });
    await sleep(20);
    await execution.stop();
    await expect(execution.result).rejects.toBeInstanceOf(ExecutionAbortedError);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
