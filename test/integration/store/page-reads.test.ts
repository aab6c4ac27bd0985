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

  it("a step's progress is a new steps version: other processes read the steps again, the writer's own cache follows without a read", async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    await reader.getPageReads(cycle.id);
    await writer.getCycleWithSteps(cycle.id);
    const moved = await requestsOf(() => writer.updateStep(cycle.id, 'policy-publication#notify', { status: 'running' }));
    expect(moved.ops).toEqual(['TransactWriteItems', 'GetItem']);
    await writer.updateCycleStatus(cycle.id, 'running');

    const after = await requestsOf(() => reader.getPageReads(cycle.id));
    expect(after.ops).toEqual(['BatchGetItem', 'Query']);
    expect(after.result.cycle?.status).toBe('running');
    expect(after.result.steps.find((s) => s.stepId === 'policy-publication#notify')).toMatchObject({ status: 'running', attempts: 1 });

    const own = await requestsOf(() => writer.getCycleWithSteps(cycle.id));
    expect(own.ops).toEqual(['GetItem']);
    expect(own.result.steps).toEqual(await writer.getSteps(cycle.id));
    expect((await requestsOf(() => reader.getPageReads(cycle.id))).ops).toEqual(['BatchGetItem']);
  });

  it('a step moved by another process after this one kept the steps: the next move writes without the cache and reads them again', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    await reader.getCycleWithSteps(cycle.id);
    await writer.updateStep(cycle.id, 'policy-publication#notify', { status: 'running' });
    // The reader's kept version is gone: its own write must not patch the stale steps.
    await reader.updateStep(cycle.id, 'policy-publication#notify', { status: 'done' });
    const { ops, result } = await requestsOf(() => reader.getCycleWithSteps(cycle.id));
    expect(ops).toEqual(['GetItem', 'Query']);
    expect(result.steps.find((s) => s.stepId === 'policy-publication#notify')?.status).toBe('done');
    expect(result.steps).toEqual(await writer.getSteps(cycle.id));
  });

  it('steps moved at once by one process all land, each with its own version', async () => {
    const cycle = aCycle();
    const timeline = aTimeline();
    await writer.putSteps(cycle.id, timeline);
    await writer.putCycle(cycle);
    await writer.getCycleWithSteps(cycle.id);
    const ids = timeline.slice(0, 4).map((s) => s.stepId);
    await Promise.all(ids.map((id) => writer.updateStep(cycle.id, id, { status: 'running' })));
    const { steps } = await reader.getCycleWithSteps(cycle.id);
    expect(steps.filter((s) => ids.includes(s.stepId)).map((s) => s.status)).toEqual(['running', 'running', 'running', 'running']);
    expect((await writer.getCycleWithSteps(cycle.id)).steps).toEqual(steps);
  });

  it('the calendar is parsed once per steps version and shared frozen; the rest of the cycle item is read fresh', async () => {
    const cycle = aCycle();
    await writer.putSteps(cycle.id, aTimeline());
    await writer.putCycle(cycle);
    const first = (await reader.getPageReads(cycle.id)).cycle!;
    await writer.updateCycleStatus(cycle.id, 'running');
    const second = (await reader.getPageReads(cycle.id)).cycle!;
    expect(second.status).toBe('running');
    expect(second.calendar).toBe(first.calendar);
    expect(Object.isFrozen(first.calendar.milestones[0])).toBe(true);
    const amended = { ...cycle, calendar: { ...cycle.calendar, milestones: cycle.calendar.milestones.map((m, i) => (i === 0 ? { ...m, title: 'Anders' } : m)) } };
    await writer.putCycle(amended);
    const third = (await reader.getPageReads(cycle.id)).cycle!;
    expect(third.calendar.milestones[0].title).toBe('Anders');
    expect(third).toEqual({ ...amended, status: third.status });
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
