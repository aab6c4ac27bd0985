/**
 * DynamoDB Local for the runtime, on a working copy in memory-backed storage.
 *
 * DynamoDB Local keeps its tables in one SQLite file and syncs it to disk on
 * every write: on an ordinary disk that caps it at a few dozen writes per
 * second, a hundred times below what it does in memory. So the runtime works on
 * a copy in /dev/shm (the system's temporary folder where there is none) and
 * the data folder keeps checkpoints of it (./runtime-checkpoint.ts), copied
 * with `copyTo` as one committed state, without ever locking the file (a lock
 * loses DynamoDB Local's writes: `copySettled`), even if another process (an
 * `inkoop` command) writes meanwhile.
 *
 * The working copy is locked (./file-lock.ts) for as long as this runtime
 * uses it; a clean-up of copies left by killed runtimes removes only those whose
 * lock is free. If the copy or DynamoDB Local goes away under the runtime, it
 * is told once (`onLost`), and nothing is saved from it any more.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { closeSync, copyFileSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';
import { startDynamoDbLocal, type DynamoDbLocalProcess } from './dynamodb-local.ts';
import { launchRuntimeDatabase, syncFile, type LaunchedDatabase } from './database-launch.ts';

export { copyDatabase, DB_FILE, removeOrphans, SCRATCH_PREFIX, scratchRoot } from './database-launch.ts';

/** How often the runtime looks whether its database is still there. */
const WATCH_MS = 1000;

export interface RuntimeDatabase extends DynamoDbLocalProcess {
  /** Where DynamoDB Local works (a scratch copy, locked). */
  workDir: string;
  /** Copies the working database, as last committed, to `file` and syncs it to disk (`copySettled`). */
  copyTo(file: string): Promise<void>;
  /** Why the database is gone, if it is (its file replaced or removed, DynamoDB Local exited, the lock lost). */
  lost(): string | undefined;
  /** Called once, when the database is found gone. */
  onLost(listener: (reason: string) => void): void;
  /** Stops DynamoDB Local and removes the working copy (saving is the checkpoints' job). */
  stop(): Promise<void>;
}

/** What says a SQLite file changed: its size, its modification time and the change counter in its header. */
interface FileStamp {
  size: number;
  mtimeNs: bigint;
  counter: number;
  /** A rollback journal exists: a write is under way. */
  writing: boolean;
}

/** SQLite's header keeps the "file change counter" at offset 24 (4 bytes, big-endian); every commit increments it. */
function headerCounter(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const header = Buffer.alloc(28);
    readSync(fd, header, 0, 28, 0);
    return header.readUInt32BE(24);
  } finally {
    closeSync(fd);
  }
}

function stampOf(file: string): FileStamp {
  const stat = statSync(file, { bigint: true });
  return { size: Number(stat.size), mtimeNs: stat.mtimeNs, counter: headerCounter(file), writing: existsSync(`${file}-journal`) };
}

const sameStamp = (a: FileStamp, b: FileStamp): boolean => a.size === b.size && a.mtimeNs === b.mtimeNs && a.counter === b.counter && !a.writing && !b.writing;

/**
 * One consistent read of `tableName` (any item will do): DynamoDB Local answers it after the storage
 * work queued before it, so once it is answered the writes acknowledged before are committed.
 */
export const settleOn =
  (client: DynamoDBClient, tableName: string) =>
  async (): Promise<void> => {
    await client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: '#settle' }, sk: { S: '#settle' } }, ConsistentRead: true }));
  };

/** How often a copy is tried again when the file changed while it was copied. */
const COPY_TRIES = 20;

/**
 * Copies DynamoDB Local's live database file without taking any lock on it, as
 * one committed state. No lock, because a reader's lock loses writes:
 * DynamoDB Local answers a TransactWriteItems before its SQLite commit is done,
 * and a commit that then meets another process's read lock is dropped; the
 * write was acknowledged and is gone (measured: 399 of 2,000 acknowledged
 * transactions missing with a locked copy every few ms, none without; see
 * test/integration/local/runtime-database.test.ts). Instead: `settle()` first
 * (one consistent read, which DynamoDB Local's single storage thread answers
 * after the commits queued before it), then copy while the file stays the same
 * (no journal, same size, time and change counter before and after), then
 * settle again and check nothing landed after the copy; otherwise try again.
 */
export async function copySettled(source: string, target: string, settle: () => Promise<void>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await settle();
    const before = stampOf(source);
    if (!before.writing) {
      copyFileSync(source, target);
      const after = stampOf(source);
      if (sameStamp(before, after) && headerCounter(target) === before.counter) {
        await settle();
        if (sameStamp(before, stampOf(source))) {
          syncFile(target);
          return;
        }
      }
    }
    if (attempt >= COPY_TRIES) throw new Error(`The database ${source} kept changing while it was copied (${COPY_TRIES} tries)`);
    await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
  }
}

/**
 * Starts DynamoDB Local on a locked working copy of `from` (a checkpoint's database
 * file; none: an empty database), or takes over one launched already (./database-launch.ts).
 */
export async function startRuntimeDatabase(options: {
  from?: string;
  root?: string;
  tableName?: string;
  launched?: LaunchedDatabase;
}): Promise<RuntimeDatabase> {
  const launched = options.launched?.adopt() ? options.launched : await launchRuntimeDatabase({ from: options.from, root: options.root });
  const { workDir, file, lock } = launched;
  let db: DynamoDbLocalProcess;
  try {
    db = await startDynamoDbLocal({ jvm: launched.jvm });
  } catch (error) {
    if (launched.jvm.child.exitCode === null && launched.jvm.child.signalCode === null) launched.jvm.child.kill('SIGKILL');
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
  const settle = settleOn(db.client, options.tableName ?? DEFAULT_TABLE_NAME);
  const watch = setInterval(check, WATCH_MS);
  watch.unref();

  return {
    ...db,
    workDir,
    async copyTo(target) {
      const reason = check();
      if (reason) throw new Error(`The database is gone: ${reason}`);
      await copySettled(file, target, settle);
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
