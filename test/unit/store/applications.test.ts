import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, NotFoundError, TransitionRefusedError, ValidationError } from '../../../functions/commons/errors.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { applicationItem } from '../../../functions/store/applications.ts';
import { createStore } from '../../../functions/store/index.ts';
import { actors, aMessage, anApplication, asSteps, aTimeline } from '../../support/factories.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(doc);
const clock = new VirtualClock('2020-06-01T10:00:00Z');
const store = createStore({ client: doc, tableName: 'tbl', clock });
const AGB = '12345678';

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: codes.map((Code) => ({ Code })) });

beforeEach(() => {
  ddb.reset();
  ddb.on(ScanCommand).rejects(new Error('no Scan, ever'));
});

describe('transition', () => {
  const app = anApplication({ agb: AGB, cycleId: 'c1', state: 'invited', version: 3 });

  it('writes the application (conditioned on its version) and the event in one transaction', async () => {
    ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
    ddb.on(TransactWriteCommand).resolves({});
    const next = await store.transition('c1', AGB, { trigger: triggers.provider('declare-conditions'), actor: actors.provider(AGB), reason: 'via link', context: { steps: asSteps('c1', aTimeline()) } });

    expect(next).toMatchObject({ state: 'conditions-confirmed', version: 4 });
    const [call] = ddb.commandCalls(TransactWriteCommand);
    const [update, event] = call.args[0].input.TransactItems!;
    expect(update.Put).toMatchObject({
      TableName: 'tbl',
      ConditionExpression: 'version = :v',
      ExpressionAttributeValues: { ':v': 3 },
      Item: { pk: 'CYCLE#c1', sk: `APP#${AGB}`, gsi1pk: 'CYCLE#c1#STATE#conditions-confirmed', gsi1sk: AGB, version: 4 },
    });
    expect(event.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: { pk: `APP#c1#${AGB}`, sk: 'EVENT#000004', from: 'invited', to: 'conditions-confirmed', reason: 'via link', at: '2020-06-01T10:00:00.000Z' },
    });
  });

  it('loads the steps only when a guard needs them', async () => {
    ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteCommand).resolves({});
    await store.transition(app, { trigger: triggers.provider('declare-conditions'), actor: actors.provider(AGB) });
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': 'CYCLE#c1', ':prefix': 'STEP#' } });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0); // the application was given

    ddb.resetHistory();
    await store.transition(app, { trigger: triggers.provider('withdraw'), actor: actors.provider(AGB) });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('refuses a transition that is not in the table and writes nothing', async () => {
    ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
    await expect(store.transition('c1', AGB, { trigger: triggers.milestone('signing-deadline', 'deadline'), to: 'contracted', actor: actors.system })).rejects.toBeInstanceOf(TransitionRefusedError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('maps a lost race to ConflictError', async () => {
    ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await expect(store.transition('c1', AGB, { trigger: triggers.provider('withdraw'), actor: actors.provider(AGB) })).rejects.toBeInstanceOf(ConflictError);
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));
    await expect(store.transition(app, { trigger: triggers.provider('withdraw'), actor: actors.provider(AGB) })).rejects.toBeInstanceOf(ConflictError);
  });

  it('refuses a stale expected version without writing, and a missing application', async () => {
    ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
    await expect(store.transition('c1', AGB, { trigger: triggers.provider('withdraw'), actor: actors.provider(AGB), expectedVersion: 2 })).rejects.toBeInstanceOf(ConflictError);
    ddb.on(GetCommand).resolves({});
    await expect(store.transition('c1', AGB, { trigger: triggers.provider('withdraw'), actor: actors.provider(AGB) })).rejects.toBeInstanceOf(NotFoundError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('rejects an unknown patch field', async () => {
    ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
    await expect(
      store.transition('c1', AGB, { trigger: triggers.provider('withdraw'), actor: actors.provider(AGB), patch: { state: 'contracted' } as never }),
    ).rejects.toThrow();
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});

describe('createApplication', () => {
  const input = { cycleId: 'c1', agb: AGB, track: 'existing' as const, providerName: 'P', trigger: triggers.milestone('policy-publication', 'notify'), actor: actors.system };

  it('puts the application and its first event, both conditional on not existing', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const { created, application } = await store.createApplication(input);
    expect(created).toBe(true);
    expect(application).toMatchObject({ state: 'invited', version: 1 });
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items.map((i) => i.Put?.ConditionExpression)).toEqual(['attribute_not_exists(pk)', 'attribute_not_exists(pk)']);
    expect(items[1].Put?.Item).toMatchObject({ sk: 'EVENT#000001', from: null, to: 'invited' });
  });

  it('returns the existing application on a re-run', async () => {
    const existing = anApplication({ agb: AGB, cycleId: 'c1', state: 'conditions-confirmed', version: 2 });
    ddb.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed'));
    ddb.on(GetCommand).resolves({ Item: applicationItem(existing) });
    expect(await store.createApplication(input)).toEqual({ created: false, application: existing });
  });
});

describe('queryApplicationsByState', () => {
  it('reads one state of one cycle from gsi1, with an opaque cursor', async () => {
    const items = [anApplication({ cycleId: 'c1' }), anApplication({ cycleId: 'c1' })].map(applicationItem);
    const last = { pk: items[1].pk, sk: items[1].sk, gsi1pk: items[1].gsi1pk, gsi1sk: items[1].gsi1sk };
    ddb.on(QueryCommand).resolves({ Items: items, LastEvaluatedKey: last });
    const page = await store.queryApplicationsByState('c1', 'invited', { limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.items[0]).not.toHaveProperty('pk');
    expect(typeof page.cursor).toBe('string');

    await store.queryApplicationsByState('c1', 'invited', { limit: 2, cursor: page.cursor });
    expect(ddb.commandCalls(QueryCommand)[1].args[0].input).toMatchObject({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': 'CYCLE#c1#STATE#invited' },
      Limit: 2,
      ExclusiveStartKey: last,
    });
  });

  it('rejects a cursor it did not make', async () => {
    await expect(store.queryApplicationsByState('c1', 'invited', { cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('transitionMany (a milestone page)', () => {
  const LAPSE = { from: 'invited', to: 'lapsed', trigger: triggers.deadline('conditions-deadline'), actor: actors.system } as const;
  const page = (n: number) => Array.from({ length: n }, () => anApplication({ cycleId: 'c1', state: 'invited', version: 2 }));
  const emails = (count: number) => (next: { agb: string }) =>
    Array.from({ length: count }, (_, k) => aMessage({ cycleId: 'c1', agb: next.agb, key: `c1#${next.agb}#m${k}`, template: `t${k}` }));
  const writes = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!);

  it('packs applications with their emails into transactions of at most 100 writes, without reading anything', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const apps = page(40);
    const out = await store.transitionMany(apps, { ...LAPSE, messages: emails(2) });
    expect(writes().map((items) => items.length)).toEqual([100, 60]);
    const [first] = writes();
    expect(first.slice(0, 4).map((i) => [i.Put?.Item?.sk, i.Put?.ConditionExpression])).toEqual([
      [`APP#${apps[0].agb}`, 'version = :v'],
      ['EVENT#000003', 'attribute_not_exists(pk)'],
      ['MSG', 'attribute_not_exists(pk)'],
      ['MSG', 'attribute_not_exists(pk)'],
    ]);
    expect(first[0].Put?.Item).toMatchObject({ state: 'lapsed', version: 3, lastTransition: { version: 3, from: 'invited' } });
    expect(out.moved.map((a) => a.agb)).toEqual(apps.map((a) => a.agb));
    expect(out.messages).toEqual({ created: 80, existing: 0 });
    expect(ddb.commandCalls(GetCommand).length + ddb.commandCalls(QueryCommand).length + ddb.commandCalls(BatchGetCommand).length).toBe(0);
  });

  it('takes out the application a cancellation names, writes the rest again, re-reads it and moves it alone from its new version', async () => {
    const apps = page(3);
    const changed = { ...apps[1], version: 5 };
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'None', 'ConditionalCheckFailed', 'None', 'None', 'None', 'None', 'None')).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [applicationItem(changed)] } });

    const out = await store.transitionMany(apps, { ...LAPSE, messages: emails(1) });

    const [, rest, alone] = writes();
    expect(rest.filter((i) => i.Put?.Item?.sk.startsWith('APP#')).map((i) => i.Put?.Item?.agb)).toEqual([apps[0].agb, apps[2].agb]);
    expect(alone.map((i) => i.Put?.Item?.sk)).toEqual([`APP#${changed.agb}`, 'EVENT#000006', 'MSG']);
    expect(alone[0].Put?.ExpressionAttributeValues).toEqual({ ':v': 5 });
    expect(ddb.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems?.tbl).toMatchObject({ Keys: [{ pk: 'CYCLE#c1', sk: `APP#${changed.agb}` }], ConsistentRead: true });
    expect(out.moved.map((a) => [a.agb, a.version])).toEqual([[apps[0].agb, 3], [changed.agb, 6], [apps[2].agb, 3]]);
  });

  it('skips one that moved on or is gone after the race, and throws ConflictError when one loses twice', async () => {
    const apps = page(3);
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'TransactionConflict', 'None', 'None', 'None')).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [applicationItem({ ...apps[0], state: 'withdrawn', version: 3 })] } });
    const out = await store.transitionMany(apps, LAPSE);
    expect(out.moved.map((a) => a.agb)).toEqual([apps[2].agb]);
    expect(out.skipped.map((s) => [s.application.agb, s.reason])).toEqual([[apps[0].agb, 'moved-on'], [apps[1].agb, 'gone']]);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None')).rejectsOnce(cancelled('ConditionalCheckFailed', 'None'));
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [applicationItem({ ...apps[0], version: 4 })] } });
    await expect(store.transitionMany([apps[0]], LAPSE)).rejects.toBeInstanceOf(ConflictError);
  });

  it('drops an email whose key exists (queued before) and still moves; a cancellation that names nothing sends each one alone', async () => {
    const apps = page(2);
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed', 'None', 'None', 'None')).resolves({});
    const out = await store.transitionMany(apps, { ...LAPSE, messages: emails(1) });
    expect(writes().map((items) => items.length)).toEqual([6, 5]);
    expect(out.messages).toEqual({ created: 1, existing: 1 });
    expect(out.moved).toHaveLength(2);

    ddb.reset();
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'None', 'None')).resolves({});
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: apps.map(applicationItem) } });
    expect((await store.transitionMany(apps, LAPSE)).moved).toHaveLength(2);
    expect(writes().map((items) => items.length)).toEqual([4, 2, 2]);
  });

  it('throws a cancellation for another reason as it is, and refuses the same application twice', async () => {
    const apps = page(2);
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ValidationError', 'None', 'None'));
    await expect(store.transitionMany(apps, LAPSE)).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    await expect(store.transitionMany([apps[0], apps[0]], LAPSE)).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('createApplications', () => {
  const input = (agb: string) => ({ cycleId: 'c1', agb, track: 'existing' as const, providerName: 'P', trigger: triggers.milestone('policy-publication', 'notify'), actor: actors.system });

  it('reports the ones whose application put failed as existing, without reading them, and retries the rest as a batch', async () => {
    const agbs = ['10000001', '10000002', '10000003'];
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled('None', 'None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None')).resolves({});
    const { created, existing } = await store.createApplications(agbs.map(input));
    expect(created.map((a) => a.agb)).toEqual(['10000001', '10000003']);
    expect(existing).toEqual([{ cycleId: 'c1', agb: '10000002' }]);
    expect(ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems!.length)).toEqual([6, 4]);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('sends one whose event (not its application) failed on its own, as createApplication does', async () => {
    const existingApp = anApplication({ agb: '10000005', cycleId: 'c1', state: 'invited', version: 1 });
    ddb.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));
    ddb.on(GetCommand).resolves({ Item: applicationItem(existingApp) });
    expect(await store.createApplications([input('10000005')])).toEqual({ created: [], existing: [{ cycleId: 'c1', agb: '10000005' }] });
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(2);
  });
});
