/**
 * Where a CLI command gets its store. Local mode (default): DynamoDB Local on
 * `<data>/dynamodb`, started for the command and stopped after it. `--aws`:
 * the default credential chain and the deployed table (env INKOOP_TABLE, or the
 * `TableName` output of the `Inkoopkalender` stack).
 */
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { systemClock, type Clock } from '../commons/clock.ts';
import { ensureTable, startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { createStore, type Store } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';

export const STACK_NAME = 'Inkoopkalender';

export interface OpenStoreOptions {
  aws?: boolean;
  /** Local runtime data folder (default `.local`). */
  data?: string;
  clock?: Clock;
}

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

export async function openStore(options: OpenStoreOptions = {}): Promise<OpenedStore> {
  const clock = options.clock ?? systemClock;
  if (options.aws) {
    const client = new DynamoDBClient({});
    const tableName = process.env.INKOOP_TABLE || (await stackOutput('TableName'));
    return { store: createStore({ client, tableName, clock }), close: async () => client.destroy() };
  }
  const db = await startDynamoDbLocal({ dataDir: join(options.data ?? '.local', 'dynamodb') });
  try {
    await ensureTable(db.client, DEFAULT_TABLE_NAME);
  } catch (error) {
    await db.stop();
    throw error;
  }
  return { store: createStore({ client: db.client, tableName: DEFAULT_TABLE_NAME, clock }), close: () => db.stop() };
}

/** Opens the store, runs `fn`, and always closes it. */
export async function withStore<T>(options: OpenStoreOptions, fn: (store: Store) => Promise<T>): Promise<T> {
  const opened = await openStore(options);
  try {
    return await fn(opened.store);
  } finally {
    await opened.close();
  }
}

async function stackOutput(key: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: STACK_NAME }));
    const value = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    if (!value) throw new Error(`Stack ${STACK_NAME} has no output ${key}; set INKOOP_TABLE instead`);
    return value;
  } finally {
    cfn.destroy();
  }
}
