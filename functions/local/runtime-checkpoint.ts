/**
 * Checkpoints: the data folder keeps the runtime's state as it was at one
 * moment, whole, so a runtime killed at any moment (SIGKILL, a power cut) is
 * resumed from its last checkpoint and goes on exactly as it would have.
 *
 * A checkpoint is taken at a quiet moment (nothing runs: no task, no simulated
 * action, no request; see ./runtime.ts) and is three things that must agree:
 * the database, how many emails of the append-only mailbox file it had sent,
 * and its owner's state (a rehearsal's clock and plan). Each checkpoint is a
 * new folder `<data>/dynamodb.<generation>` with the database and
 * `checkpoint.json`; `<data>/dynamodb` is a symbolic link to the current one,
 * replaced atomically (rename) once the new folder is on disk (fsync). A crash
 * before that rename leaves the previous checkpoint current; the half-written
 * folder is removed at the next start. Mailbox lines after a checkpoint's count
 * are emails sent after it: the resumed runtime sends them again, so they are
 * cut off when the mailbox is restored. Likewise the providers' uploads (files
 * created once, never rewritten): the checkpoint lists them, and files created
 * after it are removed, since the resumed runtime uploads them again.
 */
import { closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { z } from 'zod';
import { DB_FILE } from './runtime-database.ts';

export const DB_LINK = 'dynamodb';
export const CHECKPOINT_FILE = 'checkpoint.json';
/** Files the provider pages create (functions/uploads/local.ts). */
export const UPLOADS_DIR = 'uploads';
const GENERATION = /^dynamodb\.(\d{6})$/;

export const checkpointSchema = z.object({
  version: z.literal(1),
  generation: z.number().int().nonnegative(),
  /** Emails in the mailbox file that belong to this checkpoint (the first lines). */
  mailbox: z.number().int().nonnegative(),
  /** Real time it was taken (ISO). */
  takenAt: z.string(),
  /** The virtual clock when it was taken (ISO). */
  clock: z.string(),
  /** The owner's state (a rehearsal's), as it was at the same moment. */
  state: z.unknown().optional(),
  /** The uploaded files it had (paths under `<data>/uploads`). */
  uploads: z.array(z.string()).optional(),
});
export type Checkpoint = z.infer<typeof checkpointSchema>;

export interface CurrentCheckpoint {
  /** The folder `<data>/dynamodb` points to. */
  dir: string;
  /** Its database file, if there is one. */
  db?: string;
  /** Its record; none for a folder written before checkpoints (or only by an `inkoop` command). */
  record?: Checkpoint;
}

const generationDir = (generation: number): string => `dynamodb.${String(generation).padStart(6, '0')}`;

function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeSynced(file: string, text: string): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The checkpoint `<data>/dynamodb` points to (read only; undefined when there is none). */
export function readCheckpoint(dataDir: string): CurrentCheckpoint | undefined {
  const link = join(dataDir, DB_LINK);
  if (!existsSync(link)) return undefined;
  const dir = lstatSync(link).isSymbolicLink() ? join(dataDir, readlinkSync(link)) : link;
  const db = join(dir, DB_FILE);
  const file = join(dir, CHECKPOINT_FILE);
  const record = existsSync(file) ? checkpointSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : undefined;
  return { dir, db: existsSync(db) ? db : undefined, record };
}

/**
 * Tidies the data folder (its owner holds its lock): a `dynamodb` folder from before
 * checkpoints becomes generation 0 behind the link; folders of checkpoints that never
 * became current are removed.
 */
export function prepareCheckpoints(dataDir: string): CurrentCheckpoint | undefined {
  const link = join(dataDir, DB_LINK);
  if (existsSync(link) && !lstatSync(link).isSymbolicLink()) {
    renameSync(link, join(dataDir, generationDir(0)));
    symlinkSync(generationDir(0), link);
  }
  const current = readCheckpoint(dataDir);
  const kept = current?.record?.uploads;
  if (kept) {
    const keep = new Set(kept);
    for (const file of listUploads(dataDir)) if (!keep.has(file)) rmSync(join(dataDir, UPLOADS_DIR, file), { force: true });
  }
  for (const name of readdirSync(dataDir)) {
    if ((GENERATION.test(name) && name !== (current && basename(current.dir))) || name.startsWith(`${DB_LINK}.link-`)) {
      rmSync(join(dataDir, name), { recursive: true, force: true });
    }
  }
  return current;
}

/** The files under `<data>/uploads`, relative to it. */
export function listUploads(dataDir: string): string[] {
  const root = join(dataDir, UPLOADS_DIR);
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)))
    .sort();
}

/** Removes every checkpoint (a fresh start). */
export function removeCheckpoints(dataDir: string): boolean {
  let removed = false;
  for (const name of readdirSync(dataDir)) {
    if (name === DB_LINK || GENERATION.test(name) || name.startsWith(`${DB_LINK}.link-`)) {
      rmSync(join(dataDir, name), { recursive: true, force: true });
      removed = true;
    }
  }
  return removed;
}

export interface CheckpointSources {
  dataDir: string;
  /** Copies the database, as committed, to a file (synced). */
  copyDatabase(file: string): void | Promise<void>;
  /** Writes the mailbox's new emails to its file (synced); returns how many it holds. */
  flushMailbox(): number;
  clock(): number;
  state(): unknown;
}

export interface CheckpointStats {
  count: number;
  /** Real milliseconds spent taking them. */
  ms: number;
}

/** Takes checkpoints, one generation after another. */
export class Checkpoints {
  private generation: number;
  private currentDir: string | undefined;
  readonly stats: CheckpointStats = { count: 0, ms: 0 };

  constructor(
    private readonly sources: CheckpointSources,
    current: CurrentCheckpoint | undefined,
  ) {
    const name = current && basename(current.dir);
    this.generation = current?.record?.generation ?? (name && GENERATION.test(name) ? Number(GENERATION.exec(name)![1]) : 0);
    this.currentDir = current?.dir;
  }

  /**
   * Takes one; the caller sees to it that nothing changes meanwhile (./runtime.ts
   * holds the clock and takes it only when no request runs). Throws, leaving the
   * previous one current, if it cannot.
   */
  async take(): Promise<Checkpoint> {
    const started = performance.now();
    const { dataDir } = this.sources;
    const generation = this.generation + 1;
    const name = generationDir(generation);
    const dir = join(dataDir, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    try {
      await this.sources.copyDatabase(join(dir, DB_FILE));
      const record: Checkpoint = {
        version: 1,
        generation,
        mailbox: this.sources.flushMailbox(),
        takenAt: new Date().toISOString(),
        clock: new Date(this.sources.clock()).toISOString(),
        state: this.sources.state(),
        uploads: listUploads(dataDir),
      };
      writeSynced(join(dir, CHECKPOINT_FILE), `${JSON.stringify(checkpointSchema.parse(record))}\n`);
      syncPath(dir);
      const tmpLink = join(dataDir, `${DB_LINK}.link-${generation}`);
      rmSync(tmpLink, { force: true });
      symlinkSync(name, tmpLink);
      renameSync(tmpLink, join(dataDir, DB_LINK)); // the commit
      syncPath(dataDir);
      const previous = this.currentDir;
      this.generation = generation;
      this.currentDir = dir;
      if (previous && previous !== dir) rmSync(previous, { recursive: true, force: true });
      this.stats.count++;
      return record;
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    } finally {
      this.stats.ms += performance.now() - started;
    }
  }
}
