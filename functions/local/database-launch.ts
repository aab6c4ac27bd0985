/**
 * The first half of starting the runtime's database (./runtime-database.ts),
 * which needs no AWS SDK: a locked working copy in memory-backed storage and
 * DynamoDB Local's JVM started on it. A fresh rehearsal launches it before it
 * loads the rest of its modules, so the JVM's seconds of start-up run on the
 * other core meanwhile (`inkoop rehearse`); the runtime then takes it over
 * (`adopt`) and waits for it to answer.
 */
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableInput, DEFAULT_TABLE_NAME } from '../store/table.ts';
import { dynamoDbLocalInstall, spawnDynamoDbLocal, type DynamoDbLocalJvm } from './dynamodb-local-jvm.ts';
import { lockFolder, removeIfUnlocked, type HeldLock } from './file-lock.ts';
import { freePort } from './ports.ts';
import { emptyDatabaseFile } from './startup-cache.ts';

/** The file DynamoDB Local keeps with `-sharedDb`. */
export const DB_FILE = 'shared-local-instance.db';
export const SCRATCH_PREFIX = 'inkoop-dynamodb-';

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

/** Copies a database file no process has open (a checkpoint's, before DynamoDB Local starts on it) and syncs the copy. */
export function copyDatabase(source: string, target: string): void {
  copyFileSync(source, target);
  syncFile(target);
}

export function syncFile(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A JVM started on a locked working copy, not yet answering (./runtime-database.ts waits for it). */
export interface LaunchedDatabase {
  /** The working copy's folder (locked) and the database file in it. */
  readonly workDir: string;
  readonly file: string;
  /** The database file it was copied from (undefined: an empty database). */
  readonly from: string | undefined;
  readonly lock: HeldLock;
  readonly jvm: DynamoDbLocalJvm;
  /** Hands it over to one runtime database; false if it was discarded (or taken) already. */
  adopt(): boolean;
  /** Kills the JVM and removes the working copy, unless a runtime database took it over; idempotent. */
  discard(): Promise<void>;
}

/** Starts DynamoDB Local on a locked working copy of `from` (a checkpoint's database file; none: an empty database). */
export async function launchRuntimeDatabase(options: { from?: string; root?: string } = {}): Promise<LaunchedDatabase> {
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
  let jvm: DynamoDbLocalJvm;
  try {
    if (options.from) copyDatabase(options.from, file);
    jvm = spawnDynamoDbLocal({ port: await freePort(), path: workDir });
  } catch (error) {
    rmSync(workDir, { recursive: true, force: true });
    await lock.release();
    throw error;
  }
  let state: 'launched' | 'adopted' | 'discarded' = 'launched';
  let discarding: Promise<void> | undefined;
  return {
    workDir,
    file,
    from: options.from,
    lock,
    jvm,
    adopt() {
      if (state !== 'launched') return false;
      state = 'adopted';
      return true;
    },
    discard() {
      if (state === 'adopted') return Promise.resolve();
      state = 'discarded';
      discarding ??= (async () => {
        const { child } = jvm;
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          // Nothing in it to save, and a JVM stopped this early would make a poor class-data-sharing archive.
          child.kill('SIGKILL');
          await exited;
        }
        rmSync(workDir, { recursive: true, force: true });
        await lock.release();
      })();
      return discarding;
    },
  };
}

/** Where a fresh runtime's database comes from: the kept empty database with the table in it (./startup-cache.ts; it may not exist yet). */
export function freshDatabaseFile(tableName = DEFAULT_TABLE_NAME): string {
  return emptyDatabaseFile(createTableInput(tableName), dynamoDbLocalInstall().release);
}

/**
 * Launches DynamoDB Local for a fresh runtime (a data folder without checkpoint) before the runtime
 * starts: hand it to `startLocalRuntime` as `database`, and `discard()` it if that never happens.
 */
export function launchFreshDatabase(): Promise<LaunchedDatabase> {
  const from = freshDatabaseFile();
  return launchRuntimeDatabase({ from: existsSync(from) ? from : undefined });
}
