/** The store additions the cycle services need: a failed or abandoned step back to due, the cycle's audit trail. */
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
let store: Store;
const OPERATOR = { kind: 'operator', id: 'operator-1' } as const;

beforeEach(async () => {
  store = await local.freshStore(new VirtualClock('2020-03-01T00:00:00Z'));
});

describe('a failed step put back for a retry', () => {
  it('moves failed or running → due, never due or done → due, keeping its cause until it runs again', async () => {
    await store.putSteps('c1', aTimeline());
    const id = 'policy-publication#notify';
    await expect(store.updateStep('c1', id, { status: 'due' })).rejects.toBeInstanceOf(ConflictError);
    await store.updateStep('c1', id, { status: 'running' });
    await store.updateStep('c1', id, { status: 'done' });
    await expect(store.updateStep('c1', id, { status: 'due' })).rejects.toBeInstanceOf(ConflictError);
    // A step left running by a dead execution goes back to due when the cycle is resumed (issue #13).
    await store.updateStep('c1', id, { status: 'running', rerun: true });
    await expect(store.updateStep('c1', id, { status: 'due' })).resolves.toMatchObject({ status: 'due' });
    await store.updateStep('c1', id, { status: 'running' });
    await store.updateStep('c1', id, { status: 'failed', cause: 'Error: boom' });
    const due = await store.updateStep('c1', id, { status: 'due' });
    expect(due).toMatchObject({ status: 'due', cause: 'Error: boom', attempts: 3 });
    expect(due.finishedAt).toBeUndefined();
    const again = await store.updateStep('c1', id, { status: 'running' });
    expect(again).toMatchObject({ status: 'running', attempts: 4 });
    expect(again.cause).toBeUndefined();
  });
});

describe('the cycle audit trail', () => {
  it('numbers entries per cycle, also when written at once, next to the steps without mixing them up', async () => {
    await store.putSteps('c1', aTimeline());
    const entries = await Promise.all(
      [1, 2, 3].map((i) => store.recordCycleAudit('c1', { kind: 'retry', actor: OPERATOR, stepIds: [`s${i}`], executionName: `c1-retry-${i}` })),
    );
    expect(entries.map((e) => e.seq).sort()).toEqual([1, 2, 3]);
    await store.recordCycleAudit('c1', {
      kind: 'amendment',
      actor: OPERATOR,
      milestoneId: 'proposal-deadline',
      reason: 'Later',
      changes: [{ field: 'date', from: '2020-09-15', to: '2020-09-22' }],
    });
    const trail = await store.listCycleAudit('c1');
    expect(trail.map((e) => [e.seq, e.kind])).toEqual([
      [1, 'retry'],
      [2, 'retry'],
      [3, 'retry'],
      [4, 'amendment'],
    ]);
    expect(await store.listCycleAudit('c2')).toEqual([]);
    expect((await store.getSteps('c1')).length).toBe(aTimeline().length);
  });
});
