/**
 * The recovery pass of a move (what this step moved, read from the target
 * state): from `lastTransition` on the application, without reading events;
 * from the events only for applications written before that was kept.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Event } from '../../../functions/domain/model.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { createMilestoneActivities, type MilestoneActivities } from '../../../functions/milestones/activities.ts';
import { keys } from '../../../functions/store/keys.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld, type World } from './harness.ts';

const local = useDynamoDbLocal();
let w: World;
afterEach(async () => w?.close());

/** Activities over the world's store with some methods replaced; `listEvents` calls are counted by AGB code. */
function activities(overrides: Partial<Store> = {}): { acts: MilestoneActivities; eventReads: string[] } {
  const eventReads: string[] = [];
  const store: Store = {
    ...w.store,
    listEvents: async (cycleId, agb) => {
      eventReads.push(agb);
      return w.store.listEvents(cycleId, agb);
    },
    ...overrides,
  };
  return { acts: createMilestoneActivities({ ...w.deps, store }), eventReads };
}

async function run(acts: MilestoneActivities, stepId: string): Promise<void> {
  let page = await acts.recordMilestone({ cycleId: w.cycle.id, stepId, status: 'running' });
  while (page.more) page = await acts.runMilestone({ cycleId: w.cycle.id, stepId, cursor: page.cursor });
  await acts.recordMilestone({ cycleId: w.cycle.id, stepId, status: 'done' });
}

describe('the recovery pass', () => {
  it('gathers what an interrupted run moved from the applications themselves: the escalation lists all of them, no event is read', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021', { pageSize: 3 });
    const unsigned = [];
    for (const state of ['agreement-reached', 'agreement-reached', 'in-negotiation', 'proposal-submitted'] as const) unsigned.push(await w.application(await w.provider(), state));
    const signed = [await w.application(await w.provider(), 'signed'), await w.application(await w.provider(), 'signed')];
    const stepId = 'signing-deadline#deadline';
    w.clock.advanceTo(Date.parse((await w.step(stepId)).at) + 60_000);

    // The first run dies when it queues the escalation: everything has moved by then.
    const flaky = activities({
      enqueueMessages: async (batch) => {
        if (batch.some((m) => m.template === 'signing-escalation')) throw new Error('the outbox is throttled');
        return w.store.enqueueMessages(batch);
      },
    });
    await expect(run(flaky.acts, stepId)).rejects.toThrow('the outbox is throttled');
    expect(await Promise.all(unsigned.map((a) => w.stateOf(a.agb)))).toEqual(Array(4).fill('not-contracted'));
    expect(await w.countByTemplate()).toEqual({ contracted: 2 }); // written with their moves

    const again = activities();
    await run(again.acts, stepId);

    expect(again.eventReads).toEqual([]);
    const messages = await w.messages();
    const escalation = messages.find((m) => m.template === 'signing-escalation')!;
    expect((escalation.params.applications as { agb: string }[]).map((a) => a.agb).sort()).toEqual(unsigned.map((a) => a.agb).sort());
    expect(await w.countByTemplate()).toEqual({ contracted: 2, 'signing-escalation': 1, 'contracted-list-ready': 1 });
    for (const app of [...unsigned, ...signed]) expect(await w.store.listEvents(w.cycle.id, app.agb)).toHaveLength(1);
  });

  it('emails a move made before moves carried their emails (no lastTransition), found by its last event; reads events only for those', async () => {
    w = await makeWorld(local.db.client, await local.freshTable(), 'msr-2021');
    const stepId = 'registration#closes';
    const step = await w.step(stepId);
    w.clock.advanceTo(Date.parse(step.at) + 30_000);
    const doc = DynamoDBDocumentClient.from(local.db.client);
    const at = new Date(w.clock.now()).toISOString();
    /** An application lapsed by an earlier version of this code: no lastTransition, its event says why, no email. */
    async function lapsedBefore(trigger: Event['trigger'], from: Event['from']) {
      const app = await w.application(await w.provider(), 'lapsed', { track: 'new', patch: { version: 2 } });
      const event: Event = { cycleId: w.cycle.id, agb: app.agb, version: 2, from, to: 'lapsed', trigger, actor: { kind: 'system' }, at };
      await doc.send(new PutCommand({ TableName: w.store.tableName, Item: { ...event, ...keys.event(w.cycle.id, app.agb, 2) } }));
      return app;
    }
    const byThisStep = await lapsedBefore(triggers.deadline('registration-window'), 'registration-started');
    const byAnother = await lapsedBefore(triggers.deadline('proposal-deadline'), 'in-negotiation');
    const now = await w.application(await w.provider(), 'registration-started');

    const counted = activities();
    await run(counted.acts, stepId);

    const lapsedEmails = (await w.messages()).filter((m) => m.template === 'registration-lapsed').map((m) => m.agb);
    expect(lapsedEmails.sort()).toEqual([byThisStep.agb, now.agb].sort());
    expect(counted.eventReads.sort()).toEqual([byThisStep.agb, byAnother.agb].sort());

    // A re-run queues nothing again.
    await w.store.updateStep(w.cycle.id, stepId, { status: 'running', rerun: true });
    await run(activities().acts, stepId);
    expect((await w.messages()).filter((m) => m.template === 'registration-lapsed')).toHaveLength(2);
  });
});
