/**
 * DynamoDB Local for the runtime, kept in `<data>/dynamodb` between runs.
 *
 * DynamoDB Local keeps its tables in one SQLite file and syncs it to disk on
 * every write: on an ordinary disk that caps it at a few dozen writes per
 * second, a hundred times below what it does in memory. So the runtime works on
 * a copy in memory-backed storage (/dev/shm where there is one) and writes it
 * back to the data folder when it stops (the JVM closed the file first, so the
 * copy is consistent), replacing the old one atomically. A runtime that is
 * killed leaves the data folder as the last clean stop left it.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { processAlive } from './runtime-file.ts';

/** The file DynamoDB Local keeps with `-sharedDb`. */
export const DB_FILE = 'shared-local-instance.db';
const SCRATCH_PREFIX = 'inkoop-dynamodb-';

export interface RuntimeDatabase extends DynamoDbLocal {
  /** Where the data is kept between runs. */
  persistentDir: string;
  /** Where DynamoDB Local works meanwhile (a scratch copy), or the persistent folder itself. */
  workDir: string;
  /** Stops DynamoDB Local and saves the data into the persistent folder. */
  stop(): Promise<void>;
}

function scratchRoot(): string | undefined {
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // no /dev/shm (macOS, Windows): the system's temporary folder is fast enough there
  }
  return tmpdir();
}

/** Scratch copies of runtimes that died without stopping (their process is gone). */
function removeOrphans(root: string): void {
  for (const name of readdirSync(root)) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    const pid = Number(name.slice(SCRATCH_PREFIX.length).split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) rmSync(join(root, name), { recursive: true, force: true });
  }
}

export async function startRuntimeDatabase(options: { persistentDir: string; scratch?: boolean }): Promise<RuntimeDatabase> {
  const { persistentDir } = options;
  mkdirSync(persistentDir, { recursive: true, mode: 0o700 });
  const root = options.scratch === false ? undefined : scratchRoot();
  if (!root) {
    const db = await startDynamoDbLocal({ dataDir: persistentDir });
    return { ...db, persistentDir, workDir: persistentDir };
  }
  removeOrphans(root);
  const workDir = mkdtempSync(join(root, `${SCRATCH_PREFIX}${process.pid}-`));
  const saved = join(persistentDir, DB_FILE);
  // The database and any journal SQLite left beside it.
  for (const name of readdirSync(persistentDir)) if (name.startsWith(DB_FILE) && !name.endsWith('.tmp')) copyFileSync(join(persistentDir, name), join(workDir, name));

  let db: DynamoDbLocal;
  try {
    db = await startDynamoDbLocal({ dataDir: workDir });
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await db.stop();
      if (existsSync(join(workDir, DB_FILE))) {
        // Journals first, the database last: each lands whole (copy, then rename).
        const names = readdirSync(workDir).filter((n) => n.startsWith(DB_FILE));
        for (const name of readdirSync(persistentDir)) if (name.startsWith(DB_FILE) && !names.includes(name)) rmSync(join(persistentDir, name), { force: true });
        for (const name of names.sort((a, b) => (a === DB_FILE ? 1 : b === DB_FILE ? -1 : a.localeCompare(b)))) {
          const tmp = join(persistentDir, `${name}.${process.pid}.tmp`);
          copyFileSync(join(workDir, name), tmp);
          renameSync(tmp, name === DB_FILE ? saved : join(persistentDir, name));
        }
      }
      rmSync(workDir, { recursive: true, force: true });
    })());
  return { ...db, persistentDir, workDir, stop };
}
