/**
 * What DynamoDB Local itself manages, in items per second, for each shape of
 * request the rehearsal sends (functions/local/runtime-metrics.ts
 * `ENGINE_SHAPES`): batched puts, transactions of conditional puts and updates,
 * single conditional updates, consistent batch gets, query pages and single
 * gets. Items are shaped like an outbox message (a few hundred bytes, in two
 * indexes on a table like ours). Used by scripts/bench-dynamodb.ts and by
 * scripts/bench.ts, which divides a run's item mix by these rates measured in
 * the same run: the engine floor, what DynamoDB Local alone would need.
 */
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EngineShape } from '../functions/local/runtime-metrics.ts';
import { mapLimit } from '../functions/store/dynamo.ts';
import { cpuSeconds } from './proc.ts';

/** Requests in flight for batches and transactions; single requests go 8 at a time, as the sender's and the pages' do. */
const IN_FLIGHT = 4;
const SINGLE_IN_FLIGHT = 8;
/** About the size of an outbox message: a few hundred bytes of parameters. */
const PAYLOAD = { template: 'reminder', params: { text: 'x'.repeat(300), days: 14, deadline: '2020-09-15' }, attempts: 0 };

export interface ShapeRate {
  shape: EngineShape;
  label: string;
  itemsPerSecond: number;
  /** The JVM's CPU per item, µs (when its pid is known). */
  jvmMicrosPerItem?: number;
}

const range = (first: number, n: number) => Array.from({ length: n }, (_, k) => first + k);

/**
 * Measures every shape on `table` (created here) with `items` items each;
 * `indexed`: the items carry the keys of two of its indexes.
 */
export async function measureShapes(
  client: DynamoDBClient,
  options: { table: CreateTableCommandInput; indexed: boolean; items: number; jvmPid?: number },
): Promise<ShapeRate[]> {
  const doc = DynamoDBDocumentClient.from(client);
  const TableName = options.table.TableName!;
  await client.send(new CreateTableCommand(options.table));
  const ITEMS = options.items;
  const item = (prefix: string, i: number) => ({
    pk: `${prefix}#${i}`,
    sk: 'X',
    ...PAYLOAD,
    // Like an outbox message: in the provider-history and the status index.
    ...(options.indexed ? { gsi2pk: `PROVIDER#${i % 1000}`, gsi2sk: `MSG#${i}`, gsi3pk: `MSGSTATUS#${prefix}`, gsi3sk: `${String(i).padStart(8, '0')}` } : {}),
  });

  const rates: ShapeRate[] = [];
  async function measure(shape: EngineShape, label: string, perRequest: number, inFlight: number, request: (first: number) => Promise<unknown>): Promise<void> {
    const starts = Array.from({ length: Math.ceil(ITEMS / perRequest) }, (_, i) => i * perRequest);
    const cpu0 = options.jvmPid ? (cpuSeconds(options.jvmPid) ?? 0) : 0;
    const t0 = performance.now();
    await mapLimit(starts, inFlight, request);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = options.jvmPid ? (cpuSeconds(options.jvmPid) ?? 0) - cpu0 : undefined;
    rates.push({
      shape,
      label,
      itemsPerSecond: ITEMS / seconds,
      ...(cpu !== undefined ? { jvmMicrosPerItem: (cpu * 1e6) / ITEMS } : {}),
    });
  }

  await measure('batch-write', 'BatchWriteItem, 25 puts', 25, IN_FLIGHT, (first) =>
    doc.send(new BatchWriteCommand({ RequestItems: { [TableName]: range(first, 25).map((i) => ({ PutRequest: { Item: item('B', i) } })) } })),
  );
  await measure('transact-write', 'TransactWriteItems, 100 conditional puts', 100, IN_FLIGHT, (first) =>
    doc.send(
      new TransactWriteCommand({
        // A retried request (a slow, loaded machine) must not meet its own first write's conditions.
        ClientRequestToken: randomUUID(),
        TransactItems: range(first, 100).map((i) => ({ Put: { TableName, Item: item('T', i), ConditionExpression: 'attribute_not_exists(pk)' } })),
      }),
    ),
  );
  await measure('transact-write', 'TransactWriteItems, 100 conditional updates', 100, IN_FLIGHT, (first) =>
    doc.send(
      new TransactWriteCommand({
        ClientRequestToken: randomUUID(),
        TransactItems: range(first, 100).map((i) => ({
          Update: {
            TableName,
            Key: { pk: `T#${i}`, sk: 'X' },
            UpdateExpression: options.indexed ? 'SET attempts = :one, gsi3pk = :sent' : 'SET attempts = :one',
            ConditionExpression: 'attempts = :zero',
            ExpressionAttributeValues: { ':one': 1, ':zero': 0, ...(options.indexed ? { ':sent': 'MSGSTATUS#sent' } : {}) },
          },
        })),
      }),
    ),
  );
  // Fresh keys, conditioned on not being there yet; a retry that meets its own first write is not an error here.
  await measure('single-write', 'UpdateItem, conditional', 1, SINGLE_IN_FLIGHT, (i) =>
    doc
      .send(
      new UpdateCommand({
        TableName,
        Key: { pk: `S#${i}`, sk: 'X' },
        UpdateExpression: 'SET attempts = :one',
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    )
      .catch((error: unknown) => {
        if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
      }),
  );
  await measure('batch-read', 'BatchGetItem, 100 keys, consistent', 100, IN_FLIGHT, (first) =>
    doc.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: range(first, 100).map((i) => ({ pk: `B#${i}`, sk: 'X' })), ConsistentRead: true } } })),
  );
  if (options.indexed) {
    // Pages of 100 from the status index, as the sender and the fan-out read.
    await measure('query-read', 'Query, pages of 100 (index)', 100, IN_FLIGHT, (first) =>
      doc.send(
        new QueryCommand({
          TableName,
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk >= :from',
          ExpressionAttributeValues: { ':pk': 'MSGSTATUS#B', ':from': String(first).padStart(8, '0') },
          Limit: 100,
        }),
      ),
    );
  }
  await measure('single-read', 'GetItem, consistent', 1, SINGLE_IN_FLIGHT, (i) =>
    doc.send(new GetCommand({ TableName, Key: { pk: `B#${i}`, sk: 'X' }, ConsistentRead: true })),
  );
  return rates;
}

/** Items per second per shape; a shape measured twice (transactions of puts and of updates) at their harmonic mean. */
export function rateByShape(rates: readonly ShapeRate[]): Partial<Record<EngineShape, number>> {
  const out: Partial<Record<EngineShape, number>> = {};
  for (const { shape } of rates) {
    const same = rates.filter((x) => x.shape === shape);
    out[shape] = same.length / same.reduce((s, x) => s + 1 / x.itemsPerSecond, 0);
  }
  return out;
}

/**
 * The engine floor: seconds DynamoDB Local alone needs for `mix` (items by
 * shape) at `rates`, one shape after another (its storage work is one thread).
 */
export function engineFloorSeconds(mix: Partial<Record<EngineShape, number>>, rates: Partial<Record<EngineShape, number>>): number {
  let seconds = 0;
  for (const [shape, items] of Object.entries(mix) as [EngineShape, number][]) {
    if (!items) continue;
    const rate = rates[shape] ?? rates['single-read'];
    if (rate) seconds += items / rate;
  }
  return seconds;
}
