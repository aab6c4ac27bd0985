/** Cycle services without a table: starting executions in AWS, the amend command's reason check. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ConflictError, ValidationError } from '../../../functions/commons/errors.ts';
import { amendMilestone } from '../../../functions/cycles/amend.ts';
import { createSfnExecutionStarter, openLocalExecutionStarter, provideLocalExecutionStarter } from '../../../functions/cycles/executions.ts';

const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());
afterEach(() => provideLocalExecutionStarter(undefined));

describe('starting executions', () => {
  const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Cycle';

  it('in AWS: StartExecution on the state machine with the cycle as input', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${stateMachineArn}:msr-2021-retry-1`.replace('stateMachine', 'execution'), startDate: new Date() });
    const starter = createSfnExecutionStarter({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn });
    const { executionArn } = await starter.startExecution({ name: 'msr-2021-retry-1', cycleId: 'msr-2021' });
    expect(executionArn).toMatch(/:execution:Cycle:msr-2021-retry-1$/);
    expect(sfn.commandCalls(StartExecutionCommand)[0].args[0].input).toEqual({ stateMachineArn, name: 'msr-2021-retry-1', input: '{"cycleId":"msr-2021"}' });
  });

  it('a name used before is a ConflictError', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const starter = createSfnExecutionStarter({ client: new SFNClient({ region: 'eu-west-1' }), stateMachineArn });
    await expect(starter.startExecution({ name: 'msr-2021', cycleId: 'msr-2021' })).rejects.toBeInstanceOf(ConflictError);
  });

  it('locally: whatever the local runtime registered, else nothing', async () => {
    expect(await openLocalExecutionStarter({ data: '.local' })).toBeUndefined();
    const local = { startExecution: async () => ({ executionArn: 'local:1' }) };
    provideLocalExecutionStarter(async () => local);
    expect(await openLocalExecutionStarter({ data: '.local' })).toBe(local);
  });
});

describe('amending without a reason', () => {
  it('is refused before anything is read', async () => {
    const store = new Proxy({}, { get: () => () => Promise.reject(new Error('no store access expected')) }) as never;
    const input = { cycleId: 'msr-2021', milestoneId: 'proposal-deadline', newDate: '2020-09-22', actor: { kind: 'operator', id: 'op' } as const };
    await expect(amendMilestone(store, { ...input, reason: '' }, { clock: { now: () => 0 } })).rejects.toBeInstanceOf(ValidationError);
    await expect(amendMilestone(store, { ...input, reason: ' \n ' }, { clock: { now: () => 0 } })).rejects.toThrow(/justified/);
  });

  it('inkoop calendar amend: a clear error and exit 1', { timeout: 30_000 }, () => {
    const root = join(import.meta.dirname, '..', '..', '..');
    const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'functions', 'cli', 'main.ts'), 'calendar', 'amend', 'msr-2021', 'proposal-deadline', '2020-09-22'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}` },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: A reason is required \(--reason "…"\): the regulator requires every change/);
    expect(result.stdout).toBe('');
  });
});
