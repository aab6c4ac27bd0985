import { startDynamoDbLocal, ensureTable } from '/work/main/functions/local/dynamodb-local.ts';
import { DynamoDBDocumentClient, PutCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '/work/main/functions/store/dynamo.ts';
for (const dataDir of [undefined, '/dev/shm/ddbb']) {
  const db = await startDynamoDbLocal({ dataDir });
  await ensureTable(db.client, 'tbl');
  const doc = DynamoDBDocumentClient.from(db.client);
  for (const conc of [1, 8]) {
    let t = performance.now();
    await mapLimit(Array.from({ length: 1000 }, (_, i) => i), conc, (i) => doc.send(new PutCommand({ TableName: 'tbl', Item: { pk: `P${conc}#${i}`, sk: 'x', gsi1pk: 'A', gsi1sk: String(i), data: 'x'.repeat(500) } })));
    const put = 1000 / ((performance.now() - t) / 1000);
    t = performance.now();
    await mapLimit(Array.from({ length: 1000 }, (_, i) => i), conc, (i) => doc.send(new GetCommand({ TableName: 'tbl', Key: { pk: `P${conc}#${i}`, sk: 'x' }, ConsistentRead: true })));
    const get = 1000 / ((performance.now() - t) / 1000);
    t = performance.now();
    await mapLimit(Array.from({ length: 300 }, (_, i) => i), conc, (i) => doc.send(new TransactWriteCommand({ TransactItems: [
      { Put: { TableName: 'tbl', Item: { pk: `T${conc}#${i}`, sk: 'a' } } }, { Put: { TableName: 'tbl', Item: { pk: `T${conc}#${i}`, sk: 'b' } } } ] })));
    const tx = 300 / ((performance.now() - t) / 1000);
    console.log(dataDir ?? 'memory', 'conc', conc, 'put/s', put.toFixed(0), 'get/s', get.toFixed(0), 'tx/s', tx.toFixed(0));
  }
  await db.stop();
}
