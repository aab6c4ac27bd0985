/**
 * `npm run bench:dynamodb [-- <items>]`: what DynamoDB Local itself can do on
 * this machine, the ceiling under the rehearsal benchmark (scripts/bench.ts),
 * for a table without indexes and one shaped like ours (functions/store/table.ts):
 * items per second and the JVM's CPU per item for each shape of request
 * (./engine-rates.ts). A first pass warms the JIT; the second is reported.
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local.ts';
import { createTableInput } from '../functions/store/table.ts';
import { measureShapes } from './engine-rates.ts';

const ITEMS = Number(process.argv[2] ?? 10_000);

const plain = (TableName: string): CreateTableCommandInput => ({
  TableName,
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
});

const db = await startDynamoDbLocal();
async function pass(run: number): Promise<string[]> {
  const lines: string[] = [];
  for (const indexed of [false, true]) {
    const name = indexed ? 'ours' : 'plain';
    const table = indexed ? createTableInput(`${name}${run}`) : plain(`${name}${run}`);
    for (const r of await measureShapes(db.client, { table, indexed, items: ITEMS, jvmPid: db.pid })) {
      lines.push(
        `${`${name}: ${r.label}`.padEnd(52)} ${String(Math.round(r.itemsPerSecond)).padStart(6)} items/s   JVM ${String(Math.round(r.jvmMicrosPerItem ?? 0)).padStart(5)} µs/item`,
      );
    }
  }
  return lines;
}

try {
  await pass(1); // the JIT's warm-up
  process.stdout.write(`DynamoDB Local, ${ITEMS} items per row:\n${(await pass(2)).join('\n')}\n`);
} finally {
  await db.stop();
}
