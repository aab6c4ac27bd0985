/**
 * How a copy of DynamoDB Local's live SQLite file affects the writes it
 * acknowledged, and whether the copy holds them. Writes transactions of two
 * items from 8 writers while another loop copies the file, then reads every
 * acknowledged transaction back. The ways to copy:
 * - `locked`: under a SQLite read lock (what checkpoints did until session 7);
 * - `plain`: copyFileSync, no lock, no waiting;
 * - `settled`: the runtime's `copySettled` (functions/local/runtime-database.ts).
 *
 *   npx tsx scripts/copy-race.ts [locked|plain|settled] [transactions]
 *
 * Prints the transactions acknowledged and missing afterwards, the copies made,
 * and of those the ones that miss a transaction acknowledged before the copy
 * began or that SQLite cannot read (torn).
 */
import { mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../functions/local/dynamodb-local.ts';
import { copySettled, DB_FILE, settleOn, startRuntimeDatabase } from '../functions/local/runtime-database.ts';
import { DEFAULT_TABLE_NAME } from '../functions/store/table.ts';

const { DatabaseSync } = createRequire(import.meta.url)('node:sqlite') as typeof import('node:sqlite');

const mode = process.argv[2] ?? 'locked';
const transactions = Number(process.argv[3] ?? 2000);
if (!['locked', 'plain', 'settled'].includes(mode) || !Number.isInteger(transactions) || transactions < 1) {
  console.error('usage: npx tsx scripts/copy-race.ts [locked|plain|settled] [transactions]');
  process.exit(2);
}

function lockedCopy(source: string, target: string): void {
  const db = new DatabaseSync(source, { readOnly: true, timeout: 5000 });
  try {
    db.exec('BEGIN');
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    copyFileSync(source, target);
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

/** Transactions whose two items a copy holds; undefined when SQLite cannot read it. */
function pairsIn(file: string): number | undefined {
  try {
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const row = db.prepare(`SELECT count(*) AS n FROM (SELECT hashKey FROM "${DEFAULT_TABLE_NAME}" WHERE hashKey LIKE 'T#%' GROUP BY hashKey HAVING count(*) = 2)`).get() as { n: number };
      return row.n;
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

const root = mkdtempSync(join(tmpdir(), 'inkoop-copy-race-'));
const db = await startRuntimeDatabase({ root });
try {
  await ensureTable(db.client);
  const file = join(db.workDir, DB_FILE);
  const settle = settleOn(db.client, DEFAULT_TABLE_NAME);
  const acknowledged: number[] = [];
  let next = 0;
  let writing = true;
  const writers = Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < transactions) {
        const n = next++;
        await db.client.send(
          new TransactWriteItemsCommand({
            TransactItems: ['A', 'B'].map((sk) => ({ Put: { TableName: DEFAULT_TABLE_NAME, Item: { pk: { S: `T#${n}` }, sk: { S: sk } } } })),
          }),
        );
        acknowledged.push(n);
      }
    }),
  ).finally(() => {
    writing = false;
  });
  const copy = { made: 0, refused: 0, short: 0, torn: 0 };
  while (writing) {
    const target = join(root, 'copy.db');
    const before = acknowledged.length;
    try {
      if (mode === 'locked') lockedCopy(file, target);
      else if (mode === 'plain') copyFileSync(file, target);
      else await copySettled(file, target, settle);
    } catch {
      copy.refused++;
      continue;
    }
    copy.made++;
    const pairs = pairsIn(target);
    if (pairs === undefined) copy.torn++;
    else if (pairs < before) copy.short++;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await writers;
  let missing = 0;
  for (const n of acknowledged) {
    const items = await Promise.all(
      ['A', 'B'].map((sk) => db.client.send(new GetItemCommand({ TableName: DEFAULT_TABLE_NAME, Key: { pk: { S: `T#${n}` }, sk: { S: sk } }, ConsistentRead: true }))),
    );
    if (items.some((r) => !r.Item)) missing++;
  }
  console.log(JSON.stringify({ mode, acknowledged: acknowledged.length, missing, copies: copy }));
} finally {
  await db.stop();
  rmSync(root, { recursive: true, force: true });
}
