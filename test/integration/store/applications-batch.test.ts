/**
 * Batch moves and creations (a milestone page) against DynamoDB Local: several
 * applications per TransactWriteItems, and what happens when some of them
 * changed underneath. Requests are counted on the document client.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, TransitionRefusedError } from '../../../functions/commons/errors.ts';
import type { Application, MessageInput } from '../../../functions/domain/model.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { createStore, type Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { actors, anAgb, aMessage, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const CYCLE = 'test-2021';
const LAPSE = { from: 'invited', to: 'lapsed', trigger: triggers.deadline('conditions-deadline'), actor: actors.system } as const;

let store: Store;
let clock: VirtualClock;
let requests: string[] = [];

beforeEach(async () => {
  clock = new VirtualClock('2020-09-02T10:00:00Z');
  const doc = DynamoDBDocumentClient.from(local.db.client, { marshallOptions: { removeUndefinedValues: true } });
  const send = doc.send.bind(doc) as (command: unknown) => Promise<unknown>;
  doc.send = ((command: { constructor: { name: string } }) => {
    requests.push(command.constructor.name);
    return send(command);
  }) as typeof doc.send;
  store = createStore({ client: doc, tableName: await local.freshTable(), clock });
  await store.putSteps(CYCLE, aTimeline());
  requests = [];
});

const count = (name: string): number => requests.filter((r) => r === `${name}Command`).length;

const invite = (agb: string) => ({
  cycleId: CYCLE,
  agb,
  track: 'existing' as const,
  providerName: `Aanbieder ${agb}`,
  trigger: triggers.milestone('policy-publication', 'notify'),
  actor: actors.system,
});

async function invited(n: number): Promise<Application[]> {
  const { created } = await store.createApplications(Array.from({ length: n }, () => invite(anAgb())));
  requests = [];
  return created;
}

const lapsedEmail = (next: Application): MessageInput[] => [aMessage({ cycleId: CYCLE, agb: next.agb, key: `${CYCLE}#${next.agb}#lapsed`, template: 'deadline-missed' })];

describe('transitionMany', () => {
  it('moves 60 applications with their emails in 2 transactions: one event and one email each, the move recorded on the application', async () => {
    const apps = await invited(60);
    const out = await store.transitionMany(apps, { ...LAPSE, messages: lapsedEmail });

    expect(out.moved.map((a) => a.agb)).toEqual(apps.map((a) => a.agb));
    expect(out.skipped).toEqual([]);
    expect(out.messages).toEqual({ created: 60, existing: 0 });
    expect(requests).toEqual(['TransactWriteCommand', 'TransactWriteCommand']); // 60 × 3 writes, at most 100 a transaction

    for (const app of apps) {
      const stored = await store.getApplication(CYCLE, app.agb);
      expect(stored).toMatchObject({ state: 'lapsed', version: 2, lastTransition: { version: 2, from: 'invited', trigger: LAPSE.trigger } });
      expect((await store.listEvents(CYCLE, app.agb)).map((e) => [e.version, e.from, e.to])).toEqual([
        [1, null, 'invited'],
        [2, 'invited', 'lapsed'],
      ]);
      expect(await store.getMessage(`${CYCLE}#${app.agb}#lapsed`)).toMatchObject({ status: 'queued', agb: app.agb });
    }
  });

  it('an application changed underneath is re-read and moved on its own if still applicable, one that moved on is skipped; the rest move as a batch', async () => {
    const apps = await invited(10);
    const [reinstated, withdrawn] = [apps[3], apps[7]];
    // Someone else: lapses and reinstates one (back in invited, version 3), withdraws another.
    await store.transition(reinstated, { ...LAPSE });
    await store.transition(CYCLE, reinstated.agb, { trigger: triggers.operator('reinstate'), to: 'invited', actor: actors.operator });
    await store.transition(withdrawn, { trigger: triggers.operator('withdraw'), actor: actors.operator });
    requests = [];

    const out = await store.transitionMany(apps, { ...LAPSE, messages: lapsedEmail });

    expect(out.moved.map((a) => a.agb)).toEqual(apps.filter((a) => a !== withdrawn).map((a) => a.agb));
    expect(out.moved.find((a) => a.agb === reinstated.agb)).toMatchObject({ state: 'lapsed', version: 4 });
    expect(out.skipped).toEqual([{ application: expect.objectContaining({ agb: withdrawn.agb, state: 'withdrawn' }), reason: 'moved-on' }]);
    // The cancelled batch, the rest again as a batch, one re-read of the two, the reinstated one alone.
    expect(count('TransactWrite')).toBe(3);
    expect(count('BatchGet')).toBe(1);
    expect(count('Get') + count('Query')).toBe(0);

    expect((await store.listEvents(CYCLE, reinstated.agb)).map((e) => e.to)).toEqual(['invited', 'lapsed', 'invited', 'lapsed']);
    expect((await store.listEvents(CYCLE, withdrawn.agb)).map((e) => e.to)).toEqual(['invited', 'withdrawn']);
    for (const app of apps.filter((a) => a !== withdrawn && a !== reinstated)) expect(await store.listEvents(CYCLE, app.agb)).toHaveLength(2);
    expect(await store.getMessage(`${CYCLE}#${withdrawn.agb}#lapsed`)).toBeUndefined();
    expect(out.messages).toEqual({ created: 9, existing: 0 });
  });

  it('an email already queued stays as it was; its move still happens', async () => {
    const apps = await invited(5);
    const [queuedBefore] = lapsedEmail(apps[2]);
    await store.enqueueMessage(queuedBefore);
    const before = await store.getMessage(queuedBefore.key);
    clock.advanceBy(60_000);
    requests = [];

    const out = await store.transitionMany(apps, { ...LAPSE, messages: lapsedEmail });

    expect(out.moved).toHaveLength(5);
    expect(out.messages).toEqual({ created: 4, existing: 1 });
    expect(count('TransactWrite')).toBe(2); // cancelled once, then without that email
    expect(await store.getMessage(queuedBefore.key)).toEqual(before);
    expect((await store.getApplication(CYCLE, apps[2].agb))?.state).toBe('lapsed');
  });

  it('skips what the table refuses, writing nothing for it', async () => {
    const apps = await invited(3);
    const negotiating = await store.transition(apps[0], { trigger: triggers.milestone('agreement-available'), actor: actors.system });
    requests = [];
    const out = await store.transitionMany([negotiating, apps[1], apps[2]], { trigger: LAPSE.trigger, actor: actors.system });
    expect(out.moved.map((a) => a.agb)).toEqual([apps[1].agb, apps[2].agb]);
    expect(out.skipped).toMatchObject([{ application: { agb: negotiating.agb }, reason: 'refused' }]);
    expect(out.skipped[0].error).toBeInstanceOf(TransitionRefusedError);
    expect(await store.listEvents(CYCLE, negotiating.agb)).toHaveLength(2);
  });

  it('two runs of the same page at once: each application moves once, one event and one email each', async () => {
    const apps = await invited(30);
    const results = await Promise.allSettled([
      store.transitionMany(apps, { ...LAPSE, messages: lapsedEmail }),
      store.transitionMany(apps, { ...LAPSE, messages: lapsedEmail }),
    ]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
    const moved = results.flatMap((r) => (r.status === 'fulfilled' ? r.value.moved : []));
    expect(new Set(moved.map((a) => a.agb)).size).toBe(moved.length);
    for (const app of apps) {
      expect((await store.listEvents(CYCLE, app.agb)).map((e) => e.to)).toEqual(['invited', 'lapsed']);
      expect(await store.getMessage(`${CYCLE}#${app.agb}#lapsed`)).toBeDefined();
    }
  });
});

describe('createApplications', () => {
  it('creates the new ones and reports the existing ones from the cancellation, without reading them', async () => {
    const existingApps = await invited(10);
    clock.advanceBy(60_000);
    const fresh = Array.from({ length: 20 }, () => anAgb());
    const inputs = [...existingApps.map((a) => a.agb), ...fresh].sort().map(invite);

    const { created, existing } = await store.createApplications(inputs);

    expect(created.map((a) => a.agb).sort()).toEqual(fresh.sort());
    expect(existing.map((e) => e.agb).sort()).toEqual(existingApps.map((a) => a.agb).sort());
    expect(requests).toEqual(['TransactWriteCommand', 'TransactWriteCommand']); // cancelled, then the 20 new ones
    for (const app of existingApps) {
      expect(await store.getApplication(CYCLE, app.agb)).toEqual(app);
      expect(await store.listEvents(CYCLE, app.agb)).toHaveLength(1);
    }
    for (const agb of fresh) expect(await store.getApplication(CYCLE, agb)).toMatchObject({ state: 'invited', version: 1, lastTransition: { version: 1, from: null } });
  });

  it('a re-run where all exist costs one cancelled transaction per 50 and writes nothing', async () => {
    const apps = await invited(60);
    const { created, existing } = await store.createApplications(apps.map((a) => invite(a.agb)));
    expect(created).toEqual([]);
    expect(existing).toHaveLength(60);
    expect(requests).toEqual(['TransactWriteCommand', 'TransactWriteCommand']);
  });
});
