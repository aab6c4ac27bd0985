/**
 * DynamoDB Local for the runtime, on a working copy in memory-backed storage.
 *
 * DynamoDB Local keeps its tables in one SQLite file and syncs it to disk on
 * every write: on an ordinary disk that caps it at a few dozen writes per
 * second, a hundred times below what it does in memory. So the runtime works on
 * a copy in /dev/shm (the system's temporary folder where there is none) and
 * the data folder keeps checkpoints of it (./runtime-checkpoint.ts), copied
 * with `copyTo` under SQLite's own read lock, so a copy is always a committed
 * state even if another process (an `inkoop` command) writes meanwhile.
 *
 * The working copy is locked (./file-lock.ts) for as long as this runtime
 * uses it; a clean-up of copies left by killed runtimes removes only those whose
 * lock is free. If the copy or DynamoDB Local goes away under the runtime, it
 * is told once (`onLost`), and nothing is saved from it any more.
 */
import { closeSync, copyFileSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocalProcess } from './dynamodb-local.ts';
import { lockFolder, removeIfUnlocked, type HeldLock } from './file-lock.ts';

/** The file DynamoDB Local keeps with `-sharedDb`. */
export const DB_FILE = 'shared-local-instance.db';
export const SCRATCH_PREFIX = 'inkoop-dynamodb-';
/** How often the runtime looks whether its database is still there. */
const WATCH_MS = 1000;

export interface RuntimeDatabase extends DynamoDbLocalProcess {
  /** Where DynamoDB Local works (a scratch copy, locked). */
  workDir: string;
  /** Copies the working database, as last committed, to `file` and syncs it to disk. */
  copyTo(file: string): void;
  /** Why the database is gone, if it is (its file replaced or removed, DynamoDB Local exited, the lock lost). */
  lost(): string | undefined;
  /** Called once, when the database is found gone. */
  onLost(listener: (reason: string) => void): void;
  /** Stops DynamoDB Local and removes the working copy (saving is the checkpoints' job). */
  stop(): Promise<void>;
}

export function scratchRoot(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) return '/dev/shm';
  } catch {
    // no /dev/shm (macOS, Windows): the system's temporary folder is fast enough there
  }
  return tmpdir();
}

/** Working copies of runtimes that died without stopping: only those whose lock is free. */
export function removeOrphans(root: string): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(root)) {
    if (!name.startsWith(SCRATCH_PREFIX)) continue;
    if (removeIfUnlocked(join(root, name))) removed.push(name);
  }
  return removed;
}

type Sqlite = typeof import('node:sqlite');
let sqlite: Sqlite | null | undefined;
/** node:sqlite (Node 22.13+), loaded without its "experimental" warning; null where it is missing. */
function loadSqlite(): Sqlite | null {
  if (sqlite !== undefined) return sqlite;
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String((warning as Error)?.message ?? warning).includes('SQLite')) return;
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    sqlite = createRequire(import.meta.url)('node:sqlite') as Sqlite;
  } catch {
    sqlite = null;
  } finally {
    process.emitWarning = emit;
  }
  return sqlite;
}

/**
 * Copies a SQLite file while holding a read transaction on it: DynamoDB Local's
 * rollback journal means a writer must wait for the copy, so the copy is one
 * committed state. Without node:sqlite it is a plain copy (the runtime copies at
 * quiet points, when its own writes are all answered).
 */
export function copyDatabase(source: string, target: string): void {
  const lib = loadSqlite();
  const db = lib ? new lib.DatabaseSync(source, { readOnly: true, timeout: 5000 }) : undefined;
  try {
    if (db) {
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM sqlite_master').get(); // takes the shared lock
    }
    copyFileSync(source, target);
    const fd = openSync(target, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } finally {
    if (db) {
      try {
        db.exec('COMMIT');
      } finally {
        db.close();
      }
    }
  }
}

/**
 * Starts DynamoDB Local on a locked working copy of `from` (a checkpoint's database
 * file; none: an empty database).
 */
export async function startRuntimeDatabase(options: { from?: string; root?: string }): Promise<RuntimeDatabase> {
  const root = options.root ?? scratchRoot();
  removeOrphans(root);
  const workDir = mkdtempSync(join(root, SCRATCH_PREFIX));
  let lock: HeldLock;
  try {
    lock = await lockFolder(workDir, `The working copy ${workDir}`, { fresh: true });
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
  const file = join(workDir, DB_FILE);
  let db: DynamoDbLocalProcess;
  try {
    if (options.from) copyDatabase(options.from, file);
    db = await startDynamoDbLocal({ dataDir: workDir });
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    await lock.release();
    throw error;
  }

  let stopping = false;
  let lostReason: string | undefined;
  const listeners: ((reason: string) => void)[] = [];
  let inode: number | undefined;
  const lose = (reason: string): void => {
    if (stopping || lostReason) return;
    lostReason = reason;
    for (const l of listeners) l(reason);
  };
  const check = (): string | undefined => {
    if (stopping) return lostReason;
    if (!lock.held) lose(`the lock of its working copy (${workDir}) was lost`);
    if (db.exitCode() !== null) lose(`DynamoDB Local exited (${db.exitCode()})`);
    try {
      const ino = statSync(file).ino;
      inode ??= ino;
      if (ino !== inode) lose(`its database file ${file} was replaced by another process`);
    } catch (error) {
      // DynamoDB Local creates the file with the first table; the runtime creates that right after start.
      if (inode !== undefined || (error as NodeJS.ErrnoException).code !== 'ENOENT') lose(`its database file ${file} was removed by another process`);
    }
    return lostReason;
  };
  db.onExit((code) => lose(`DynamoDB Local exited unexpectedly (exit code ${code})`));
  const watch = setInterval(check, WATCH_MS);
  watch.unref();

  return {
    ...db,
    workDir,
    copyTo(target) {
      const reason = check();
      if (reason) throw new Error(`The database is gone: ${reason}`);
      copyDatabase(file, target);
    },
    lost: check,
    onLost(listener) {
      listeners.push(listener);
    },
    async stop() {
      stopping = true;
      clearInterval(watch);
      await db.stop();
      rmSync(workDir, { recursive: true, force: true });
      await lock.release();
    },
  };
}
