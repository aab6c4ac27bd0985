import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { RuntimeMetrics } from '../../../functions/local/runtime-metrics.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../functions/local/dynamodb-local.ts';
import { createStore } from '../../../functions/store/index.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { aMessage } from '../../support/factories.ts';

describe('runtime metrics on DynamoDB Local (unsigned local client)', () => {
  const local = useDynamoDbLocal();

  async function instrumentedStore(traceCallers: boolean) {
    const tableName = await local.freshTable();
    // A client of its own, built like the runtime's: the launcher's unsigned signer talks to the same JVM.
    const client = new DynamoDBClient({ endpoint: local.db.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, signer: local.db.client.config.signer });
    const metrics = new RuntimeMetrics({ traceCallers });
    metrics.instrument(client);
    return { metrics, store: createStore({ client, tableName, clock: new VirtualClock('2020-04-01T07:00:00Z') }) };
  }

  it('counts requests by operation, and by calling code when tracing', async () => {
    const { metrics, store } = await instrumentedStore(true);
    await store.getCycle('msr-2021');
    await store.getCycle('zvt-2021');
    const counts = metrics.snapshot().dynamodb;
    expect(counts.operations).toEqual({ GetItem: 2 });
    expect(counts.requests).toBe(2);
    const entries = Object.entries(counts.callers ?? {});
    expect(entries).toHaveLength(1);
    expect(entries[0][0]).toMatch(/^GetItem .*getCycle \(store\/cycles\.ts:\d+\)/);
    expect(entries[0][1]).toBe(2);
  });

  it('counts the items each caller read, when tracing', async () => {
    const { metrics, store } = await instrumentedStore(true);
    const message = aMessage();
    await store.enqueueMessage(message);
    await store.getMessage(message.key);
    await store.getMessage('no-such-key');
    const read = Object.entries(metrics.snapshot().dynamodb.callers ?? {}).filter(([key]) => key.startsWith('READ '));
    expect(read).toHaveLength(1);
    expect(read[0][0]).toMatch(/^READ GetItem .*getMessage \(store\/messages\.ts:\d+\)/);
    expect(read[0][1]).toBe(1);
  });

  it('counts items written and read by purpose, the index entries written, and the shape of each request', async () => {
    const { metrics, store } = await instrumentedStore(false);
    const message = aMessage();
    await store.enqueueMessage(message); // a put, in the provider and status indexes
    const [queued] = (await store.queryMessagesByStatus('queued')).items;
    await store.claimMessages([{ message: queued }]); // a claim moves its status index entry
    await store.markMessagesSent([{ key: message.key, sesMessageId: 'ses-1', createdAt: queued.createdAt }]);
    await store.getMessage(message.key);
    const counts = metrics.snapshot().dynamodb;
    expect(counts.writtenBy).toEqual({ 'outbox put': 1, 'outbox claim': 1, 'outbox sent': 1 });
    expect(counts.itemsWritten).toBe(3);
    expect(counts.readBy).toEqual({ 'outbox read': 2 });
    expect(counts.indexWrites).toBeGreaterThanOrEqual(4);
    expect(counts.mix['single-write'] + counts.mix['transact-write']).toBe(3);
    expect(counts.mix['query-read']).toBe(1);
    expect(counts.mix['single-read']).toBe(1);
  });

  it('keeps no callers unless asked', async () => {
    const { metrics, store } = await instrumentedStore(false);
    await store.getCycle('msr-2021');
    expect(metrics.snapshot().dynamodb.callers).toBeUndefined();
    expect(metrics.snapshot().dynamodb.requests).toBe(1);
  });
});
