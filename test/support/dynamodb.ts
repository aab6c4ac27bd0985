/**
 * Integration-test helper: the test file's DynamoDB Local. In the integration
 * project that is its worker's instance, started once for the run
 * (test/support/dynamodb-global.ts); elsewhere one started on a free port for
 * the file and stopped in afterAll. Each test gets a fresh table.
 */
import { afterAll, beforeAll, inject } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, ensureTable, localDynamoDbClient, type DynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import type { Clock } from '../../functions/commons/clock.ts';
import { createStore, type Store } from '../../functions/store/index.ts';

/** This worker's shared DynamoDB Local, when the project's globalSetup started them. */
function sharedEndpoint(): string | undefined {
  const endpoints = inject('dynamoDbEndpoints');
  if (!endpoints?.length) return undefined;
  const pool = Number(process.env.VITEST_POOL_ID ?? '1');
  return endpoints[(Number.isInteger(pool) && pool > 0 ? pool - 1 : 0) % endpoints.length];
}

/** A client of its own over a shared instance; stopping it closes only the client. */
function connect(endpoint: string): DynamoDbLocal {
  const client = localDynamoDbClient(endpoint);
  return {
    endpoint,
    port: Number(new URL(endpoint).port),
    client,
    pid: undefined,
    stop: async () => client.destroy(),
  };
}

export function useDynamoDbLocal() {
  const ctx = {} as { db: DynamoDbLocal };
  beforeAll(async () => {
    const shared = sharedEndpoint();
    ctx.db = shared ? connect(shared) : await startDynamoDbLocal();
  });
  afterAll(async () => {
    await ctx.db?.stop();
  });
  return {
    get db() {
      return ctx.db;
    },
    /** Creates a new, empty table and returns its name. */
    async freshTable(): Promise<string> {
      const name = `t-${randomUUID().slice(0, 8)}`;
      await ensureTable(ctx.db.client, name);
      return name;
    },
    /** A store over a new, empty table. */
    async freshStore(clock: Clock): Promise<Store> {
      return createStore({ client: ctx.db.client, tableName: await this.freshTable(), clock });
    },
    async dropTable(name: string): Promise<void> {
      await ctx.db.client.send(new DeleteTableCommand({ TableName: name }));
    },
  };
}

/**
 * Records the operation name (`GetItem`, `BatchGetItem`, …) of every request the
 * client sends from now on, into the returned array (clear it between tests).
 */
export function recordRequests(client: DynamoDBClient): string[] {
  const calls: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'recordRequests' },
  );
  return calls;
}
