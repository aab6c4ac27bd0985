import { beforeEach, describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, ExpiredError, NotFoundError } from '../../../functions/commons/errors.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aCalendar, aProviderContent, aQuestion, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock('2020-03-01T00:00:00Z');
  store = await local.freshStore(clock);
});

describe('cycles and steps against DynamoDB Local', () => {
  it('stores a cycle from a calendar with its timeline, and lists cycles', async () => {
    const calendar = aCalendar();
    const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock });
    await store.putCycle(cycle);
    await store.putSteps(cycle.id, steps);
    expect(await store.getCycle(cycle.id)).toEqual(cycle);
    expect((await store.getSteps(cycle.id)).map((s) => s.stepId)).toEqual(steps.map((s) => s.stepId));
    clock.advanceBy(1000);
    await store.putCycle(createCycleFromCalendar(calendar, { steps, clock, id: 'test-2021-b' }).cycle);
    expect((await store.listCycles()).map((c) => c.id)).toEqual(['test-2021', 'test-2021-b']);
    expect(await store.updateCycleStatus(cycle.id, 'running', { executionArn: 'arn:x' })).toMatchObject({ status: 'running', startedAt: '2020-03-01T00:00:01.000Z' });
    await expect(store.updateCycleStatus('nope', 'running')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('records step progress and refuses moves out of order', async () => {
    await store.putSteps('c1', aTimeline());
    const id = 'policy-publication#notify';
    await expect(store.updateStep('c1', id, { status: 'done' })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.updateStep('c1', id, { status: 'running' })).toMatchObject({ status: 'running', attempts: 1, startedAt: '2020-03-01T00:00:00.000Z' });
    expect(await store.updateStep('c1', id, { status: 'running' })).toMatchObject({ attempts: 2 }); // a retried task
    clock.advanceBy(5000);
    expect(await store.updateStep('c1', id, { status: 'failed', cause: 'Lambda.Timeout' })).toMatchObject({ status: 'failed', cause: 'Lambda.Timeout', finishedAt: '2020-03-01T00:00:05.000Z' });
    await store.updateStep('c1', id, { status: 'running' });
    const done = await store.updateStep('c1', id, { status: 'done' });
    expect(done).toMatchObject({ status: 'done', attempts: 3 });
    expect(done.cause).toBeUndefined();
    await expect(store.updateStep('c1', id, { status: 'running' })).rejects.toBeInstanceOf(ConflictError);
    expect(await store.updateStep('c1', id, { status: 'running', rerun: true })).toMatchObject({ status: 'running', attempts: 4 });
    await expect(store.updateStep('c1', 'nope', { status: 'running' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an amended timeline moves dates but keeps progress, and drops due steps that left it', async () => {
    await store.putSteps('c1', aTimeline({ proposalDeadline: '2020-09-15' }));
    await store.updateStep('c1', 'policy-publication#notify', { status: 'running' });
    const amended = aTimeline().map((s) => (s.kind === 'policy-publication' ? { ...s, at: '2020-04-02T07:00:00.000Z', localDate: '2020-04-02' } : s));
    const steps = await store.putSteps('c1', amended);
    expect(steps.find((s) => s.kind === 'policy-publication')).toMatchObject({ status: 'running', attempts: 1, at: '2020-04-02T07:00:00.000Z' });
    expect(steps.some((s) => s.kind === 'proposal-deadline')).toBe(false);
  });
});

describe('questions against DynamoDB Local', () => {
  it('takes questions until the deadline and publishes only public answers', async () => {
    await store.putSteps('test-2021', aTimeline({ questionsDeadline: '2020-06-15' }));
    const q1 = await store.putQuestion(aQuestion());
    const q2 = await store.putQuestion(aQuestion({ kind: 'objection' }));
    await expect(store.putQuestion({ ...aQuestion(), id: q1.id })).rejects.toBeInstanceOf(ConflictError);
    await store.answerQuestion('test-2021', q1.id, { text: 'Ja.', by: 'inkoper-1', public: true });
    await store.answerQuestion('test-2021', q2.id, { text: 'Nee.', by: 'inkoper-1', public: false });
    expect((await store.listQuestions('test-2021')).map((q) => q.status)).toEqual(['answered', 'answered']);
    expect((await store.listQuestions('test-2021', { publicOnly: true })).map((q) => q.id)).toEqual([q1.id]);
    clock.advanceTo('2020-06-16T00:00:00+02:00');
    await expect(store.putQuestion(aQuestion())).rejects.toBeInstanceOf(ExpiredError);
    await expect(store.answerQuestion('test-2021', 'nope', { text: 'x', by: 'y', public: false })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('providers against DynamoDB Local', () => {
  it('keeps care-type memberships in step with the profile', async () => {
    const contents = Array.from({ length: 11 }, () => aProviderContent({ careTypes: ['msr'] }));
    for (const c of contents) expect((await store.putProvider(c)).outcome).toBe('created');
    const moved = contents[0];
    expect((await store.putProvider({ ...moved, careTypes: ['zg'] })).outcome).toBe('updated');
    expect((await store.putProvider({ ...moved, careTypes: ['zg'] })).outcome).toBe('unchanged');

    const msr: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listProvidersOfCareType('msr', { limit: 3, cursor });
      msr.push(...page.items.map((p) => p.agb));
      cursor = page.cursor;
    } while (cursor);
    expect(msr).toEqual(contents.slice(1).map((c) => c.agb).sort());
    expect((await store.listProvidersOfCareType('zg')).items.map((p) => p.agb)).toEqual([moved.agb]);
    expect((await store.listProviders({ limit: 100 })).items).toHaveLength(11);
    expect(await store.getProvider(moved.agb)).toMatchObject({ careTypes: ['zg'], createdAt: '2020-03-01T00:00:00.000Z' });
  });
});
