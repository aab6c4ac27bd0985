/**
 * Where a CLI command gets its store.
 *
 * Only ever local: with `--aws` every command goes through the operator API
 * (./aws.ts), never to the deployed table.
 *
 * - A local runtime runs on the data folder (`<data>/runtime.json`, e.g. an
 *   `inkoop rehearse` or `npm start` in another terminal): its DynamoDB Local,
 *   and its virtual time (read from its control endpoint) as the clock, so what
 *   the command writes is stamped with the rehearsal's time, not today's.
 * - Otherwise: DynamoDB Local on `<data>/dynamodb` (the last checkpoint), started
 *   for the command and stopped after it, with the data folder's lock held
 *   meanwhile (DynamoDB Local holds the folder: only one process at a time).
 */
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { systemClock, VirtualClock, type Clock } from '../commons/clock.ts';
import { controlStatus } from '../local/control-client.ts';
import { ensureTable, LOCAL_CREDENTIALS, LOCAL_REGION, startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local.ts';
import { lockDataDir, readRuntimeFile, type RuntimeInfo } from '../local/runtime-file.ts';
import { createStore, type Store } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';

export interface OpenStoreOptions {
  /** Local runtime data folder (default `.local`). */
  data?: string;
  /** Default: the system clock, or a running local runtime's virtual time. */
  clock?: Clock;
}

export interface OpenedStore {
  store: Store;
  /** The clock the store stamps writes with. */
  clock: Clock;
  /** Where the store is: a running local runtime's DynamoDB, or one started for this command. */
  source: 'runtime' | 'local';
  /** The running local runtime, when the store is its DynamoDB. */
  runtime?: RuntimeInfo;
  close(): Promise<void>;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const dataDir = options.data ?? '.local';
  const runtime = readRuntimeFile(dataDir);
  if (runtime) {
    const client = new DynamoDBClient({ endpoint: runtime.dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS, maxAttempts: 3 });
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      // The rehearsal's time as it is now; it stands still in an interactive rehearsal.
      const clock = options.clock ?? new VirtualClock(Date.parse((await controlStatus(runtime)).clock.now));
      return {
        store: createStore({ client, tableName: runtime.tableName, clock }),
        clock,
        source: 'runtime',
        runtime,
        close: async () => client.destroy(),
      };
    } catch (error) {
      client.destroy();
      throw new Error(`A local runtime runs on ${dataDir} (process ${runtime.pid}) but does not answer: ${(error as Error).message}`);
    }
  }
  const clock = options.clock ?? systemClock;
  const lock = await lockDataDir(dataDir);
  let db: DynamoDbLocal;
  try {
    db = await startDynamoDbLocal({ dataDir: join(dataDir, 'dynamodb') });
  } catch (error) {
    await lock.release();
    throw error;
  }
  const close = async (): Promise<void> => {
    await db.stop();
    await lock.release();
  };
  try {
    await ensureTable(db.client, DEFAULT_TABLE_NAME);
  } catch (error) {
    await close();
    throw error;
  }
  return { store: createStore({ client: db.client, tableName: DEFAULT_TABLE_NAME, clock }), clock, source: 'local', close };
}

/** Opens the store, runs `fn`, and always closes it. */
export async function withStore<T>(options: OpenStoreOptions, fn: (store: Store, opened: OpenedStore) => Promise<T>): Promise<T> {
  const opened = await openStore(options);
  try {
    return await fn(opened.store, opened);
  } finally {
    await opened.close();
  }
}
