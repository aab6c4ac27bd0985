/**
 * getPageReads against DynamoDB Local: what a provider page reads in one
 * BatchGetItem, and the in-process steps cache keyed by the cycle's steps
 * version. `reader` is the store of the pages (its own cache); `writer` stands
 * for the operator's CLI or the workflow in another process.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { keys } from '../../../functions/store/keys.ts';
import { createStore, type Store } from '../../../functions/store/index.ts';
import { recordRequests, useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aCycle, actors, aProviderContent, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
let calls: string[];

beforeAll(() => {
  calls = recordRequests(local.db.client);
});

let clock: VirtualClock;
let tableName: string;
let reader: Store;
let writer: Store;

beforeEach(async () => {
  clock = new VirtualClock('2020-06-01T10:00:00Z');
  tableName = await local.freshTable();
  reader = createStore({ client: local.db.client, tableName, clock });
  writer = createStore({ client: local.db.client, tableName, clock });
});

async function requestsOf<T>(fn: () => Promise<T>): Promise<{ ops: string[]; result: T }> {
  calls.length = 0;
  const result = await fn();
  return { ops: [...calls], result };
}

const closesOf = (steps: readonly { kind: string; phase: string; localDate: string }[]) =>
  steps.find((s) => s.kind === 'registration-window' && s.phase === 'closes')?.localDate;

/** The timeline with the registration window closing on `date` instead of 1 July. */
const closingOn = (date: string) =>
  aTimeline().map((s) => (s.kind === 'registration-window' && s.phase === 'closes' ? { ...s, localDate: date, at: `${date}T22:00:00.000Z` } : s));

describe('getPageReads', () => {
  it('reads cycle, provider and application in one BatchGetItem', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    const { provider } = await writer.putProvider(aProviderContent({ careTypes: [cycle.careType.code] }));
    const { application } = await writer.createApplication({
      cycleId: cycle.id,
      agb: provider.agb,
      track: 'existing',
      providerName: provider.name,
      trigger: triggers.operator('invite'),
      actor: actors.operator,
    });
    const all = () => reader.getPageReads(cycle.id, { agb: provider.agb, application: true });
    const first = await requestsOf(all);
    expect(first.ops).toEqual(['BatchGetItem', 'Query']);
    expect(first.result).toEqual({ cycle, steps: await writer.getSteps(cycle.id), provider, application });
    const second = await requestsOf(all);
    expect(second.ops).toEqual(['BatchGetItem']);
    expect(second.result).toEqual(first.result);

    // Only what is asked for; what is not there is undefined.
    const some = await requestsOf(() => reader.getPageReads(cycle.id, { agb: '99999999', steps: false }));
    expect(some.ops).toEqual(['BatchGetItem']);
    expect(some.result).toEqual({ cycle, steps: [], provider: undefined, application: undefined });
    const none = await requestsOf(() => reader.getPageReads('nope', { agb: provider.agb, application: true }));
    expect(none.ops).toEqual(['BatchGetItem']);
    expect(none.result).toEqual({ cycle: undefined, steps: [], provider, application: undefined });
  });

  it('cached steps are shared read-only', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    const { steps } = await reader.getPageReads(cycle.id);
    expect(Object.isFrozen(steps) && Object.isFrozen(steps[0])).toBe(true);
    expect((await reader.getPageReads(cycle.id)).steps).toBe(steps);
  });
});

describe('the steps cache follows every write of the timeline', () => {
  it('an amendment read halfway (new cycle item, old steps) is corrected by the steps write', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    expect(closesOf((await reader.getPageReads(cycle.id)).steps)).toBe('2020-07-01');

    // amendMilestone: first the cycle with the amended calendar, then the steps.
    await writer.putCycle({ ...cycle, updatedAt: '2020-06-01T10:00:01.000Z' });
    const halfway = await requestsOf(() => reader.getPageReads(cycle.id));
    expect(halfway.ops).toEqual(['BatchGetItem', 'Query']);
    expect(closesOf(halfway.result.steps)).toBe('2020-07-01');

    await writer.putSteps(cycle.id, closingOn('2020-07-08'));
    const next = await requestsOf(() => reader.getPageReads(cycle.id));
    expect(next.ops).toEqual(['BatchGetItem', 'Query']);
    expect(closesOf(next.result.steps)).toBe('2020-07-08');
    expect((await requestsOf(() => reader.getPageReads(cycle.id))).ops).toEqual(['BatchGetItem']);
  });

  it('steps written for a cycle that had none (a create that stopped halfway) are seen next', async () => {
    const cycle = aCycle();
    await writer.putCycle(cycle);
    expect((await reader.getPageReads(cycle.id)).steps).toEqual([]);
    await writer.putSteps(cycle.id, aTimeline());
    expect(closesOf((await reader.getPageReads(cycle.id)).steps)).toBe('2020-07-01');
  });

  it('the workflow moving a step along does not touch the cycle item', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    await reader.getPageReads(cycle.id);
    await writer.updateStep(cycle.id, 'policy-publication#notify', { status: 'running' });
    await writer.updateCycleStatus(cycle.id, 'running');
    const after = await requestsOf(() => reader.getPageReads(cycle.id));
    expect(after.ops).toEqual(['BatchGetItem']);
    expect(after.result.cycle?.status).toBe('running');
  });

  it('steps written before their cycle exists create no cycle item', async () => {
    await writer.putSteps('c1', aTimeline());
    expect(await writer.getCycle('c1')).toBeUndefined();
    expect(await reader.getPageReads('c1')).toEqual({ cycle: undefined, steps: [], provider: undefined, application: undefined });
  });

  it('a cycle stored before steps versions: its steps are read every time', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await local.db.client.send(new PutCommand({ TableName: tableName, Item: { ...cycle, ...keys.cycle(cycle.id) } }));
    for (let i = 0; i < 2; i++) expect((await requestsOf(() => reader.getPageReads(cycle.id))).ops).toEqual(['BatchGetItem', 'Query']);
  });

  it('keeps a handful of cycles: the least recently read one is read again', async () => {
    const ids = Array.from({ length: 9 }, (_, i) => `c-${i}`);
    for (const id of ids) {
      await writer.putSteps(id, aTimeline());
      await writer.putCycle(aCycle({ id }));
    }
    for (const id of ids) await reader.getPageReads(id);
    expect((await requestsOf(() => reader.getPageReads('c-8'))).ops).toEqual(['BatchGetItem']);
    expect((await requestsOf(() => reader.getPageReads('c-1'))).ops).toEqual(['BatchGetItem']);
    expect((await requestsOf(() => reader.getPageReads('c-0'))).ops).toEqual(['BatchGetItem', 'Query']);
  });
});
