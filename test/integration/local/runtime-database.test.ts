/**
 * The runtime's working database and its copies (checkpoints) on a real
 * DynamoDB Local. A copy taken under a SQLite read lock made DynamoDB Local
 * drop transactions it had already acknowledged (the year tests lost a
 * provider's answer now and then); these tests copy while transactions land.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../../functions/local/dynamodb-local.ts';
import { launchRuntimeDatabase } from '../../../functions/local/database-launch.ts';
import { folderLocked } from '../../../functions/local/file-lock.ts';
import { startRuntimeDatabase, type RuntimeDatabase } from '../../../functions/local/runtime-database.ts';
import { DEFAULT_TABLE_NAME } from '../../../functions/store/table.ts';

const { DatabaseSync } = createRequire(import.meta.url)('node:sqlite') as typeof import('node:sqlite');

const TRANSACTIONS = 300;
const WRITERS = 8;
const BURST = 30;

/** One transaction: two items under one key, so a copy holding only one of them is half a transaction. */
const pair = (n: number) =>
  new TransactWriteItemsCommand({
    TransactItems: ['A', 'B'].map((sk) => ({
      Put: { TableName: DEFAULT_TABLE_NAME, Item: { pk: { S: `T#${n}` }, sk: { S: sk } }, ConditionExpression: 'attribute_not_exists(pk)' },
    })),
  });

/** What a copy holds: whether SQLite finds it whole, and the keys with only one of their two items. */
function inspect(file: string): { check: string; pairs: number; halves: number } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const check = (db.prepare('PRAGMA quick_check').get() as { quick_check: string }).quick_check;
    const rows = db.prepare(`SELECT count(*) AS n FROM "${DEFAULT_TABLE_NAME}" WHERE hashKey LIKE 'T#%' GROUP BY hashKey`).all() as { n: number }[];
    return { check, pairs: rows.filter((r) => r.n === 2).length, halves: rows.filter((r) => r.n !== 2).length };
  } finally {
    db.close();
  }
}

describe('the runtime database', () => {
  let db: RuntimeDatabase;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkoop-runtime-db-'));
    db = await startRuntimeDatabase({ root: dir });
    await ensureTable(db.client);
  }, 120_000);

  afterAll(async () => {
    await db?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every transaction it acknowledged while copies are taken; a copy holds every one acknowledged before it, whole', async () => {
    const acknowledged: number[] = [];
    const atQuiet: ReturnType<typeof inspect>[] = [];
    const during: (ReturnType<typeof inspect> | string)[] = [];
    for (let next = 0, burst = 0; next < TRANSACTIONS; burst++) {
      const end = Math.min(TRANSACTIONS, next + BURST);
      // Copies tried while the burst lands: whole, or refused because the file kept changing; never torn.
      let landing = true;
      const racing = (async () => {
        for (let k = 0; landing; k++) {
          const file = join(dir, `during-${k % 2}.db`);
          try {
            await db.copyTo(file);
            during.push(inspect(file));
          } catch (error) {
            during.push((error as Error).message.replace(/ \(\d+ tries\)$/, '').replace(/^The database .* kept/, 'The database kept'));
          }
        }
      })();
      await Promise.all(
        Array.from({ length: WRITERS }, async () => {
          while (next < end) {
            const n = next++;
            await db.client.send(pair(n));
            acknowledged.push(n);
          }
        }),
      );
      landing = false;
      await racing;
      // A checkpoint's moment: every write answered, none in flight (DynamoDB Local may still be committing the last).
      const file = join(dir, `quiet-${burst}.db`);
      await db.copyTo(file);
      atQuiet.push(inspect(file));
    }

    const { Count } = await db.client.send(new ScanCommand({ TableName: DEFAULT_TABLE_NAME, Select: 'COUNT', ConsistentRead: true }));
    expect(acknowledged).toHaveLength(TRANSACTIONS);
    expect(Count).toBe(2 * TRANSACTIONS);
    const bursts = Math.ceil(TRANSACTIONS / BURST);
    expect(atQuiet).toEqual(Array.from({ length: bursts }, (_, i) => ({ check: 'ok', pairs: Math.min(TRANSACTIONS, (i + 1) * BURST), halves: 0 })));
    for (const copy of during) {
      if (typeof copy === 'string') expect(copy).toBe('The database kept changing while it was copied');
      else expect(copy).toMatchObject({ check: 'ok', halves: 0 });
    }
  }, 300_000);
});

describe('a database launched before the runtime', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'inkoop-launch-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is taken over once by the runtime database, and discarding it then changes nothing', async () => {
    const launched = await launchRuntimeDatabase({ root });
    const db = await startRuntimeDatabase({ root, launched });
    try {
      expect(db.workDir).toBe(launched.workDir);
      expect(db.pid).toBe(launched.jvm.child.pid);
      expect(launched.adopt()).toBe(false);
      await launched.discard();
      await ensureTable(db.client);
      expect(db.lost()).toBeUndefined();
      expect(folderLocked(db.workDir)).toBe(true);
    } finally {
      await db.stop();
    }
    expect(existsSync(launched.workDir)).toBe(false);
  }, 120_000);

  it('discarded before any runtime took it: its JVM killed, its working copy gone, its lock free; a runtime then launches its own', async () => {
    const launched = await launchRuntimeDatabase({ root });
    await launched.discard();
    expect(launched.jvm.child.exitCode !== null || launched.jvm.child.signalCode !== null).toBe(true);
    expect(existsSync(launched.workDir)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    const db = await startRuntimeDatabase({ root, launched });
    try {
      expect(db.workDir).not.toBe(launched.workDir);
      await ensureTable(db.client);
    } finally {
      await db.stop();
    }
  }, 120_000);
});
