import { startDynamoDbLocal, ensureTable } from '/work/main/functions/local/dynamodb-local.ts';
import { DynamoDBDocumentClient, PutCommand, BatchWriteCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '/work/main/functions/store/dynamo.ts';
const db = await startDynamoDbLocal({ dataDir: '/dev/shm/bb' });
await ensureTable(db.client, 'tbl');
const doc = DynamoDBDocumentClient.from(db.client);
const item = (p: string, i: number) => ({ pk: `${p}#${i}`, sk: 'x', gsi3pk: 'MSGSTATUS#queued', gsi3sk: `${i}`, gsi2pk: `P#${i % 100}`, gsi2sk: `${i}`, data: 'x'.repeat(800) });
const N = 3000;
for (let round = 0; round < 2; round++) {
let t = performance.now();
await mapLimit(Array.from({ length: N }, (_, i) => i), 16, (i) => doc.send(new PutCommand({ TableName: 'tbl', Item: item(`a${round}`, i), ConditionExpression: 'attribute_not_exists(pk)' })));
console.log('put x16', (N / ((performance.now() - t) / 1000)).toFixed(0), 'items/s');
t = performance.now();
const chunks = (n: number) => Array.from({ length: Math.ceil(N / n) }, (_, c) => Array.from({ length: Math.min(n, N - c * n) }, (_, j) => c * n + j));
await mapLimit(chunks(25), 4, (c) => doc.send(new BatchWriteCommand({ RequestItems: { tbl: c.map((i) => ({ PutRequest: { Item: item(`b${round}`, i) } })) } })));
console.log('batch25 x4', (N / ((performance.now() - t) / 1000)).toFixed(0), 'items/s');
for (const size of [25, 100]) {
  t = performance.now();
  await mapLimit(chunks(size), 4, (c) => doc.send(new TransactWriteCommand({ TransactItems: c.map((i) => ({ Put: { TableName: 'tbl', Item: item(`t${size}${round}`, i), ConditionExpression: 'attribute_not_exists(pk)' } })) })));
  console.log(`tx${size} x4`, (N / ((performance.now() - t) / 1000)).toFixed(0), 'items/s');
}
}
await db.stop();
