/**
 * Integration-test helper: one DynamoDB Local per test file, started on a free
 * port and stopped by its own process in afterAll. Each test gets a fresh table.
 */
import { afterAll, beforeAll } from 'vitest';
import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal, ensureTable, type DynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import type { Clock } from '../../functions/commons/clock.ts';
import { createStore, type Store } from '../../functions/store/index.ts';

export function useDynamoDbLocal() {
  const ctx = {} as { db: DynamoDbLocal };
  beforeAll(async () => {
    ctx.db = await startDynamoDbLocal();
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
