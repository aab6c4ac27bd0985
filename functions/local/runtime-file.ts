/**
 * `<data>/runtime.json`: how other processes on this machine (the `inkoop` CLI,
 * a second terminal) find a running local runtime: the loopback addresses of its
 * services and the secret of its control endpoint. Written with mode 0600 while
 * the runtime runs, removed when it stops. A file left behind by a killed runtime
 * is recognised by the data folder's lock being free (./file-lock.ts; a process
 * id alone proves nothing across PID namespaces) and ignored.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { folderLocked, lockFolder, type HeldLock } from './file-lock.ts';

export const RUNTIME_FILE = 'runtime.json';

export const runtimeInfoSchema = z.object({
  version: z.literal(1),
  pid: z.number().int().positive(),
  /** Real time the runtime started (ISO). */
  startedAt: z.string(),
  dataDir: z.string(),
  tableName: z.string(),
  dynamodb: z.object({ endpoint: z.string() }),
  ses: z.object({ endpoint: z.string(), mailboxUrl: z.string() }),
  /** Provider pages (the links in the emails point here). */
  links: z.object({ url: z.string() }).optional(),
  /** The operators' dashboard and API. */
  operator: z.object({ url: z.string() }).optional(),
  control: z.object({ url: z.string(), secret: z.string().min(32) }),
});
export type RuntimeInfo = z.infer<typeof runtimeInfoSchema>;

export const runtimeFilePath = (dataDir: string): string => join(dataDir, RUNTIME_FILE);

/** Writes the file atomically, readable by the owner only. */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): void {
  mkdirSync(dataDir, { recursive: true });
  const file = runtimeFilePath(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(runtimeInfoSchema.parse(info), null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing tmp file keeps its mode
  renameSync(tmp, file);
}

/** Removes the file if it is this process's. */
export function removeRuntimeFile(dataDir: string, pid = process.pid): void {
  const info = readRuntimeFileRaw(dataDir);
  if (info && info.pid !== pid) return;
  rmSync(runtimeFilePath(dataDir), { force: true });
}

function readRuntimeFileRaw(dataDir: string): RuntimeInfo | undefined {
  let text: string;
  try {
    text = readFileSync(runtimeFilePath(dataDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = runtimeInfoSchema.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

/** The running runtime of a data folder, or undefined when none runs (a file whose folder lock is free is stale). */
export function readRuntimeFile(dataDir: string): RuntimeInfo | undefined {
  const info = readRuntimeFileRaw(dataDir);
  if (!info || !folderLocked(dataDir)) return undefined;
  return info;
}

/** Takes the data folder's lock: one runtime (or `inkoop` command running its own DynamoDB Local) per folder. */
export function lockDataDir(dataDir: string): Promise<HeldLock> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return lockFolder(dataDir, `The data folder ${dataDir} (a local runtime or an inkoop command runs on it)`);
}
