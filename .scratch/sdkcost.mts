import { startDynamoDbLocal, ensureTable } from '/work/main/functions/local/dynamodb-local.ts';
import { DynamoDBDocumentClient, PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mapLimit } from '/work/main/functions/store/dynamo.ts';
import { createLocalSesClient, startSesLocal } from '/work/main/functions/local/ses-local.ts';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
const db = await startDynamoDbLocal({ dataDir: '/dev/shm/bb2' });
await ensureTable(db.client, 'tbl');
db.client.middlewareStack.remove('loggerMiddleware');
const doc = DynamoDBDocumentClient.from(db.client);
await doc.send(new PutCommand({ TableName: 'tbl', Item: { pk: 'a', sk: 'b', data: 'x'.repeat(1000) } }));
for (let r = 0; r < 3; r++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await mapLimit(Array.from({ length: 2000 }), 8, () => doc.send(new GetCommand({ TableName: 'tbl', Key: { pk: 'a', sk: 'b' }, ConsistentRead: true })));
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  console.log('get: wall/op', (t / 2000).toFixed(2), 'ms, node cpu/op', ((c.user + c.system) / 1000 / 2000).toFixed(2), 'ms');
}
const ses = await startSesLocal();
const sc = createLocalSesClient(ses.endpoint);
for (let r = 0; r < 2; r++) {
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await mapLimit(Array.from({ length: 1000 }), 8, () => sc.send(new SendEmailCommand({ FromEmailAddress: 'a@b.nl', Destination: { ToAddresses: ['c@d.nl'] }, Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'hallo '.repeat(300) }, Html: { Data: '<p>hallo</p>'.repeat(300) } } } } })));
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  console.log('ses: wall/op', (t / 1000).toFixed(2), 'ms, node cpu/op', ((c.user + c.system) / 1000 / 1000).toFixed(2), 'ms');
}
await ses.stop(); await db.stop();
