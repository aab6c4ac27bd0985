/** The workflow's loop: next milestone, waits capped at a day, amendments followed, the end. */
import { afterEach, describe, expect, it } from 'vitest';
import { amendMilestone } from '../../../functions/cycles/amend.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

const DAY = 86_400_000;
const OPERATOR = { kind: 'operator', id: 'operator-1' } as const;

describe('next milestone', () => {
  it('waits at most a day at a time, and is due at the step\'s instant', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zvt-2021');
    const first = await w.acts.nextMilestone({ cycleId: 'zvt-2021' });
    expect(first).toEqual({
      finished: false,
      due: false,
      waitUntil: new Date(w.clock.now() + DAY).toISOString(),
      step: { stepId: 'policy-publication#notify', milestoneId: 'policy-publication', kind: 'policy-publication', phase: 'notify', at: '2020-04-01T07:00:00.000Z' },
      handOver: null,
    });
    w.clock.advanceTo('2020-03-31T12:00:00Z');
    expect(await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).toMatchObject({ due: false, waitUntil: '2020-04-01T07:00:00.000Z' });
    w.clock.advanceTo('2020-04-01T07:00:00Z');
    expect(await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).toMatchObject({ due: true, waitUntil: '2020-04-01T07:00:00.000Z' });
  });

  it('follows an amended date, later or earlier, on its next read', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zvt-2021');
    const steps = await w.store.getSteps('zvt-2021');
    await w.markDone(...steps.filter((s) => s.at < '2020-10-01').map((s) => s.stepId));
    w.clock.advanceTo('2020-10-20T10:00:00Z');
    expect((await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).step).toMatchObject({ stepId: 'negotiation-agreements#notify', at: '2020-11-01T08:00:00.000Z' });

    const amend = (newDate: string, reason: string) =>
      amendMilestone(w.store, { cycleId: 'zvt-2021', milestoneId: 'negotiation-agreements', newDate, reason, actor: OPERATOR }, { clock: w.clock });
    await amend('2020-11-05', 'De onderhandelakkoorden zijn later klaar.');
    w.clock.advanceTo('2020-11-01T08:00:00Z'); // the old instant: not due any more
    expect(await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).toMatchObject({ due: false, waitUntil: '2020-11-02T08:00:00.000Z', step: { at: '2020-11-05T08:00:00.000Z' } });

    // Earlier again, to today (a date before today is refused): due at once.
    await amend('2020-11-01', 'Toch eerder klaar.');
    expect(await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).toMatchObject({ due: true, step: { stepId: 'negotiation-agreements#notify', at: '2020-11-01T08:00:00.000Z' } });
  });

  it('records running with the execution, finishes after the last step and marks the cycle done', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zvt-2021');
    const steps = await w.store.getSteps('zvt-2021');
    await w.markDone(...steps.slice(0, -1).map((s) => s.stepId));
    const last = steps.at(-1)!;
    w.clock.advanceTo(last.at);
    expect(await w.acts.recordMilestone({ cycleId: 'zvt-2021', stepId: last.stepId, status: 'running', executionId: 'arn:exec:1' })).toEqual({
      cursor: null,
      more: true,
      name: `zvt-2021--${last.stepId.replace('#', '-')}`,
    });
    expect(await w.store.getCycle('zvt-2021')).toMatchObject({ status: 'running', executionArn: 'arn:exec:1' });
    expect(await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).toMatchObject({ finished: false, due: true, step: { stepId: last.stepId } });
    await w.acts.recordMilestone({ cycleId: 'zvt-2021', stepId: last.stepId, status: 'done' });
    expect(await w.acts.nextMilestone({ cycleId: 'zvt-2021' })).toMatchObject({ finished: true, step: null });
    expect(await w.store.getCycle('zvt-2021')).toMatchObject({ status: 'done', finishedAt: expect.any(String) });
  });

  it('runs a whole calendar as the workflow would, to the end', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zvt-2021');
    await w.application(await w.provider(), 'invited');
    let loads = 0;
    for (;;) {
      const next = await w.acts.nextMilestone({ cycleId: 'zvt-2021' });
      loads++;
      if (next.finished) break;
      w.clock.advanceTo(next.waitUntil);
      if (!next.due) continue;
      await w.runStep(next.step!.stepId, { at: w.clock.now() });
    }
    expect((await w.store.getSteps('zvt-2021')).every((s) => s.status === 'done')).toBe(true);
    expect(loads).toBeGreaterThan(270); // one read a day from mid-January to 1 January
    expect(await w.countByTemplate()).toMatchObject({ 'agreement-available': 1, 'deadline-missed': 1 });
  });
});

describe('record milestone', () => {
  it('records a failure of the "mark running" task itself, and leaves a done step done', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'zvt-2021');
    const error = { Error: 'Lambda.Unknown', Cause: 'The function crashed' };
    await w.acts.recordMilestone({ cycleId: 'zvt-2021', stepId: 'policy-publication#notify', status: 'failed', error });
    expect(await w.step('policy-publication#notify')).toMatchObject({ status: 'failed', cause: 'Lambda.Unknown: The function crashed' });

    await w.markDone('agreement-available#notify');
    await w.acts.recordMilestone({ cycleId: 'zvt-2021', stepId: 'agreement-available#notify', status: 'failed', error });
    expect((await w.step('agreement-available#notify')).status).toBe('done');
    expect(await w.store.getCycle('zvt-2021')).toMatchObject({ status: 'failed', cause: 'agreement-available#notify: Lambda.Unknown: The function crashed' });
  });
});
