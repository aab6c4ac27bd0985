import { startDynamoDbLocal, ensureTable } from '/work/main/functions/local/dynamodb-local.ts';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
const db = await startDynamoDbLocal();
const c = new DynamoDBClient({ endpoint: db.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
console.log(c.middlewareStack.identify().join('\n'));
c.middlewareStack.remove('httpSigningMiddleware');
try { console.log(await c.send(new ListTablesCommand({}))); } catch (e) { console.log('ERR', e.name, e.message); }
await db.stop();
