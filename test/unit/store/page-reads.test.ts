/** getPageReads on a mocked client: one strongly consistent BatchGetItem, unprocessed keys asked again. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { keys } from '../../../functions/store/keys.ts';
import { createStore } from '../../../functions/store/index.ts';
import { asSteps, aCycle, aProvider, aTimeline } from '../../support/factories.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(doc);
const clock = new VirtualClock('2020-06-01T10:00:00Z');

const cycle = aCycle();
const provider = aProvider();
const cycleItem = { ...cycle, ...keys.cycle(cycle.id), stepsVersion: 'v1' };
const providerItem = { ...provider, ...keys.provider(provider.agb) };
const stepItems = asSteps(cycle.id, aTimeline()).map((s) => ({ ...s, ...keys.step(cycle.id, s.stepId) }));

beforeEach(() => ddb.reset());
afterEach(() => vi.useRealTimers());

describe('getPageReads', () => {
  it('asks again for the keys DynamoDB left unprocessed, and only for those', async () => {
    const store = createStore({ client: doc, tableName: 'tbl', clock });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { tbl: [cycleItem] }, UnprocessedKeys: { tbl: { Keys: [keys.provider(provider.agb)], ConsistentRead: true } } })
      .resolvesOnce({ Responses: { tbl: [providerItem] } });
    ddb.on(QueryCommand).resolves({ Items: stepItems });

    const reads = await store.getPageReads(cycle.id, { agb: provider.agb });

    expect(reads.cycle).toEqual(cycle);
    expect(reads.provider).toEqual(provider);
    expect(reads.steps.map((s) => s.stepId)).toEqual(stepItems.map((s) => s.stepId));
    const batches = ddb.commandCalls(BatchGetCommand).map((c) => c.args[0].input.RequestItems?.tbl);
    expect(batches).toEqual([
      { Keys: [keys.cycle(cycle.id), keys.provider(provider.agb)], ConsistentRead: true },
      { Keys: [keys.provider(provider.agb)], ConsistentRead: true },
    ]);
  });

  it('gives up with an error when keys stay unprocessed', async () => {
    const store = createStore({ client: doc, tableName: 'tbl', clock });
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [] }, UnprocessedKeys: { tbl: { Keys: [keys.cycle(cycle.id)] } } });
    vi.useFakeTimers(); // the backoff between attempts
    const refused = expect(store.getPageReads(cycle.id, { steps: false })).rejects.toThrow(/unprocessed/);
    await vi.runAllTimersAsync();
    await refused;
    expect(ddb.commandCalls(BatchGetCommand).length).toBeGreaterThan(1);
  });

  it('reads the steps once per steps version, and again when the cycle item names another', async () => {
    const store = createStore({ client: doc, tableName: 'tbl', clock });
    ddb.on(QueryCommand).resolves({ Items: stepItems });
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [cycleItem] } });
    // Concurrent first loads share one read.
    await Promise.all([store.getPageReads(cycle.id), store.getPageReads(cycle.id), store.getPageReads(cycle.id)]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [{ ...cycleItem, stepsVersion: 'v2' }] } });
    await store.getPageReads(cycle.id);
    await store.getPageReads(cycle.id);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('a failed read of the steps is not kept', async () => {
    const store = createStore({ client: doc, tableName: 'tbl', clock });
    ddb.on(BatchGetCommand).resolves({ Responses: { tbl: [cycleItem] } });
    ddb.on(QueryCommand).rejectsOnce(new Error('throttled')).resolves({ Items: stepItems });
    await expect(store.getPageReads(cycle.id)).rejects.toThrow('throttled');
    expect((await store.getPageReads(cycle.id)).steps).toHaveLength(stepItems.length);
  });
});
