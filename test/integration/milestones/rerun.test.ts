/** Paging, re-runs and a failed milestone retried, against DynamoDB Local. */
import { afterEach, describe, expect, it } from 'vitest';
import { retryMilestone } from '../../../functions/cycles/retry.ts';
import type { ExecutionStarter } from '../../../functions/cycles/executions.ts';
import { createMilestoneActivities } from '../../../functions/milestones/activities.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

const OPERATOR = { kind: 'operator', id: 'operator-1' } as const;

async function tenAtRegistrationClose(): Promise<string[]> {
  const agbs: string[] = [];
  for (const state of ['registration-started', 'registration-started', 'registration-started', 'registration-started', 'registration-started'] as const) {
    agbs.push((await w.application(await w.provider(), state)).agb);
  }
  for (let i = 0; i < 5; i++) agbs.push((await w.application(await w.provider(), 'registration-submitted')).agb);
  return agbs;
}

describe('paging', () => {
  it('runs a milestone over more than two pages with PAGE_SIZE 3, never more than 3 applications a call, with the same outcome', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021', { pageSize: 3 });
    const agbs = await tenAtRegistrationClose();

    const { pages, processed } = await w.runStep('registration#closes');

    expect(pages).toBeGreaterThan(2);
    expect(Math.max(...processed)).toBeLessThanOrEqual(3);
    expect(await Promise.all(agbs.map((a) => w.stateOf(a)))).toEqual([...Array(5).fill('lapsed'), ...Array(5).fill('under-review')]);
    expect(await w.countByTemplate()).toEqual({ 'registration-lapsed': 5 });
  });

  it('gathers an escalation across pages into ONE email', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021', { pageSize: 2 });
    for (let i = 0; i < 7; i++) await w.application(await w.provider(), 'under-review');

    const { pages } = await w.runStep('eligibility-notification#notify');

    expect(pages).toBeGreaterThan(3);
    const [escalation] = await w.messages();
    expect(escalation.template).toBe('eligibility-escalation');
    expect(escalation.params.applications).toHaveLength(7);
  });

  it('pages over the providers of the care type', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021', { pageSize: 3 });
    for (let i = 0; i < 8; i++) await w.provider();
    const { pages, processed } = await w.runStep('policy-publication#notify');
    expect(pages).toBe(3);
    expect(processed).toEqual([3, 3, 2]);
    expect(await w.countByTemplate()).toEqual({ 'policy-published': 8 });
  });
});

describe('a failed milestone, retried', () => {
  it('is recorded with its cause, blocks the loop, and re-runs without queueing or moving anything twice', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021', { pageSize: 4 });
    const agbs = await tenAtRegistrationClose();
    const stepId = 'registration#closes';
    const step = await w.step(stepId);
    w.clock.advanceTo(Date.parse(step.at) + 60_000);

    // The invocation of the second page dies right after its moves were written (with their emails).
    let batches = 0;
    const flaky = createMilestoneActivities({
      ...w.deps,
      store: {
        ...w.store,
        transitionMany: async (...args: Parameters<typeof w.store.transitionMany>) => {
          const out = await w.store.transitionMany(...args);
          if (++batches === 2) throw new Error('DynamoDB throttled the outbox');
          return out;
        },
      },
    });
    let page = await flaky.recordMilestone({ cycleId: w.cycle.id, stepId, status: 'running' });
    let failure: unknown;
    try {
      while (page.more) page = await flaky.runMilestone({ cycleId: w.cycle.id, stepId, cursor: page.cursor });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(Error);
    const before = await w.messages();
    expect(before).toHaveLength(5); // each move wrote its email with it
    expect((await Promise.all(agbs.slice(0, 5).map((a) => w.stateOf(a)))).filter((s) => s === 'lapsed')).toHaveLength(5);

    // What Step Functions hands to "Mark the milestone as failed".
    const cause = JSON.stringify({ errorType: 'Error', errorMessage: 'DynamoDB throttled the outbox', trace: ['at x'] });
    await w.acts.recordMilestone({ cycleId: w.cycle.id, stepId, status: 'failed', error: { Error: 'Error', Cause: cause } });
    expect(await w.step(stepId)).toMatchObject({ status: 'failed', cause: 'Error: DynamoDB throttled the outbox' });
    expect(await w.store.getCycle(w.cycle.id)).toMatchObject({ status: 'failed', cause: `${stepId}: Error: DynamoDB throttled the outbox` });
    await w.markDone(...(await w.store.getSteps(w.cycle.id)).filter((s) => s.at < step.at).map((s) => s.stepId));
    await expect(w.acts.nextMilestone({ cycleId: w.cycle.id })).rejects.toMatchObject({ name: 'MilestoneFailedError' });

    const started: { name: string; cycleId: string }[] = [];
    const executions: ExecutionStarter = { startExecution: async (r) => {
      started.push(r);
      return { executionArn: `arn:local:${r.name}` };
    } };
    const retried = await retryMilestone(w.store, executions, { cycleId: w.cycle.id, milestone: 'registration', actor: OPERATOR });
    expect(retried).toMatchObject({ executionName: 'msr-2021-retry-1', executionArn: 'arn:local:msr-2021-retry-1' });
    expect(started).toEqual([{ name: 'msr-2021-retry-1', cycleId: 'msr-2021' }]);
    expect(await w.store.getCycle(w.cycle.id)).toMatchObject({ status: 'running', executionArn: 'arn:local:msr-2021-retry-1' });
    expect(await w.acts.nextMilestone({ cycleId: w.cycle.id })).toMatchObject({ due: true, step: { stepId } });

    await w.runStep(stepId);

    const after = await w.messages();
    expect(after).toHaveLength(5);
    // The five queued before the failure are the same items (not queued again).
    for (const m of before) expect(after.find((a) => a.key === m.key)).toEqual(m);
    expect(await Promise.all(agbs.map((a) => w.stateOf(a)))).toEqual([...Array(5).fill('lapsed'), ...Array(5).fill('under-review')]);
    for (const agb of agbs) expect(await w.store.listEvents(w.cycle.id, agb)).toHaveLength(1);
    expect((await w.step(stepId)).status).toBe('done');

    // A second retry of a milestone that is not failed is refused.
    await expect(retryMilestone(w.store, executions, { cycleId: w.cycle.id, milestone: 'registration', actor: OPERATOR })).rejects.toMatchObject({ name: 'ConflictError' });
  });

  it('a concurrent move is re-read: an application withdrawn meanwhile is skipped', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021');
    const app = await w.application(await w.provider(), 'registration-started');
    const stepId = 'registration#closes';
    const step = await w.step(stepId);
    w.clock.advanceTo(Date.parse(step.at) + 60_000);
    // The operator withdraws it between the page read and the move.
    const racing = createMilestoneActivities({
      ...w.deps,
      store: {
        ...w.store,
        queryApplicationsByState: async (...args: Parameters<typeof w.store.queryApplicationsByState>) => {
          const page = await w.store.queryApplicationsByState(...args);
          if (args[1] === 'registration-started' && page.items.length) {
            await w.store.transition(w.cycle.id, app.agb, { trigger: { kind: 'operator', action: 'withdraw' }, actor: OPERATOR, to: 'withdrawn' });
          }
          return page;
        },
      },
    });
    let page = await racing.recordMilestone({ cycleId: w.cycle.id, stepId, status: 'running' });
    while (page.more) page = await racing.runMilestone({ cycleId: w.cycle.id, stepId, cursor: page.cursor });

    expect(await w.stateOf(app.agb)).toBe('withdrawn');
    expect(await w.messages()).toEqual([]);
  });
});
