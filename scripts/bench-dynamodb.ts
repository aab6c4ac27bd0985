/**
 * `npm run bench:dynamodb`: what DynamoDB Local itself can write on this
 * machine, the ceiling under the rehearsal benchmark (scripts/bench.ts). For a
 * table without indexes and one shaped like ours (functions/store/table.ts), it
 * writes items as BatchWriteItem (25 unconditional puts), TransactWriteItems
 * (100 conditional puts) and TransactWriteItems (100 conditional updates), 4
 * requests in flight, and prints items per second and the JVM's CPU per item.
 * A first pass warms the JIT; the second is reported.
 */
import { CreateTableCommand, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local.ts';
import { mapLimit } from '../functions/store/dynamo.ts';
import { createTableInput } from '../functions/store/table.ts';
import { cpuSeconds } from './proc.ts';

const ITEMS = Number(process.argv[2] ?? 10_000);
const IN_FLIGHT = 4;
/** About the size of an outbox message: a few hundred bytes of parameters. */
const PAYLOAD = { template: 'reminder', params: { text: 'x'.repeat(300), days: 14, deadline: '2020-09-15' }, attempts: 0 };

const db = await startDynamoDbLocal();
const doc = DynamoDBDocumentClient.from(db.client);
const plain: CreateTableCommandInput = {
  TableName: 'plain',
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
};
await db.client.send(new CreateTableCommand(plain));
await db.client.send(new CreateTableCommand(createTableInput('ours')));

let run = 0;
async function measure(label: string, perRequest: number, request: (first: number, prefix: string) => Promise<unknown>): Promise<string> {
  const prefix = `R${++run}`;
  const starts = Array.from({ length: ITEMS / perRequest }, (_, i) => i * perRequest);
  const cpu0 = cpuSeconds(db.pid) ?? 0;
  const t0 = performance.now();
  await mapLimit(starts, IN_FLIGHT, (first) => request(first, prefix));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = (cpuSeconds(db.pid) ?? 0) - cpu0;
  return `${label.padEnd(52)} ${String(Math.round(ITEMS / seconds)).padStart(6)} items/s   JVM ${String(Math.round((cpu * 1e6) / ITEMS)).padStart(5)} µs/item`;
}

const item = (prefix: string, i: number, indexed: boolean) => ({
  pk: `${prefix}#${i}`,
  sk: 'X',
  ...PAYLOAD,
  // Like an outbox message: in the provider-history and the status index.
  ...(indexed ? { gsi2pk: `PROVIDER#${i % 1000}`, gsi2sk: `MSG#${i}`, gsi3pk: 'MSGSTATUS#queued', gsi3sk: `${i}` } : {}),
});
const range = (first: number, n: number) => Array.from({ length: n }, (_, k) => first + k);

async function pass(): Promise<string[]> {
  const lines: string[] = [];
  for (const table of ['plain', 'ours']) {
    const indexed = table === 'ours';
    lines.push(
      await measure(`${table}: BatchWriteItem, 25 puts`, 25, (first, p) =>
        doc.send(new BatchWriteCommand({ RequestItems: { [table]: range(first, 25).map((i) => ({ PutRequest: { Item: item(p, i, indexed) } })) } })),
      ),
    );
    let written = '';
    lines.push(
      await measure(`${table}: TransactWriteItems, 100 conditional puts`, 100, (first, p) => {
        written = p;
        return doc.send(
          new TransactWriteCommand({
            TransactItems: range(first, 100).map((i) => ({ Put: { TableName: table, Item: item(p, i, indexed), ConditionExpression: 'attribute_not_exists(pk)' } })),
          }),
        );
      }),
    );
    lines.push(
      await measure(`${table}: TransactWriteItems, 100 conditional updates`, 100, (first) =>
        doc.send(
          new TransactWriteCommand({
            TransactItems: range(first, 100).map((i) => ({
              Update: {
                TableName: table,
                Key: { pk: `${written}#${i}`, sk: 'X' },
                UpdateExpression: indexed ? 'SET attempts = :one, gsi3pk = :sent' : 'SET attempts = :one',
                ConditionExpression: 'attempts = :zero',
                ExpressionAttributeValues: { ':one': 1, ':zero': 0, ...(indexed ? { ':sent': 'MSGSTATUS#sent' } : {}) },
              },
            })),
          }),
        ),
      ),
    );
  }
  return lines;
}

try {
  await pass(); // the JIT's warm-up
  process.stdout.write(`DynamoDB Local, ${ITEMS} items per row, ${IN_FLIGHT} requests in flight:\n${(await pass()).join('\n')}\n`);
} finally {
  await db.stop();
}
