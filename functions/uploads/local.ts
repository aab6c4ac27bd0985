/** Local runtime uploads: files under `<dataDir>/uploads/<cycleId>/<agb>/<field>/<time>-<name>`. */
import { mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Clock } from '../commons/clock.ts';
import type { UploadedFile } from '../http/form.ts';
import {
  DEFAULT_UPLOAD_LIMITS,
  HEAD_BYTES,
  applicationPath,
  safeFileName,
  scopePath,
  type StoredDocument,
  type UploadLimits,
  type UploadScope,
  type UploadStore,
  type UploadUsage,
} from './types.ts';

const PDF = Buffer.from('%PDF-', 'latin1');
/** Only accepted files are saved; the content says which type it was. */
const typeOf = (head: Uint8Array): string => (Buffer.from(head.subarray(0, PDF.length)).equals(PDF) ? 'application/pdf' : 'application/octet-stream');

/** Sorts as time: 13 digits of epoch ms. */
const stamp = (ms: number): string => String(ms).padStart(13, '0');
const NAME = /^(\d{13})-(\d+)-(.+)$/;

export class LocalUploadStore implements UploadStore {
  readonly mode = 'inline' as const;
  readonly root: string;
  private seq = 0;

  constructor(
    dataDir: string,
    private readonly clock: Clock,
    readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS,
  ) {
    this.root = join(dataDir, 'uploads');
  }

  async discard(doc: StoredDocument): Promise<void> {
    const path = join(this.root, doc.key);
    // Only a file of this store: a key is always a path below the uploads folder.
    const rel = relative(this.root, path);
    if (rel.startsWith('..') || rel.split(sep).length !== 4) throw new Error('not an upload key');
    await rm(path, { force: true });
  }

  async usage(scope: UploadScope): Promise<UploadUsage> {
    const dir = join(this.root, applicationPath(scope));
    const usage = { files: 0, bytes: 0 };
    for (const field of await namesIn(dir)) {
      for (const name of await namesIn(join(dir, field))) {
        const info = await stat(join(dir, field, name)).catch(() => undefined);
        if (!info?.isFile()) continue;
        usage.files += 1;
        usage.bytes += info.size;
      }
    }
    return usage;
  }

  async save(scope: UploadScope, field: string, file: UploadedFile): Promise<StoredDocument> {
    const dir = scopePath(scope, field);
    await mkdir(join(this.root, dir), { recursive: true, mode: 0o700 });
    const now = this.clock.now();
    // The sequence keeps two saves in the same (virtual) millisecond apart and in order.
    const key = `${dir}/${stamp(now)}-${++this.seq}-${safeFileName(file.name)}`;
    await writeFile(join(this.root, key), file.bytes, { mode: 0o600, flag: 'wx' });
    return { field, name: file.name, type: file.type, size: file.size, key, storedAt: new Date(now).toISOString(), head: file.bytes.slice(0, HEAD_BYTES) };
  }

  directUpload(): never {
    throw new Error('the local upload store takes files with the form post');
  }

  async latest(scope: UploadScope, field: string): Promise<StoredDocument | undefined> {
    const dir = scopePath(scope, field);
    let names: string[];
    try {
      names = await readdir(join(this.root, dir));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const newest = names
      .map((name) => ({ name, m: NAME.exec(name) }))
      .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
      .sort((a, b) => a.m[1].localeCompare(b.m[1]) || Number(a.m[2]) - Number(b.m[2]))
      .pop();
    if (!newest) return undefined;
    const key = `${dir}/${newest.name}`;
    const path = join(this.root, key);
    const info = await stat(path);
    const handle = await open(path, 'r');
    try {
      const head = new Uint8Array(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      return {
        field,
        name: newest.m[3],
        type: typeOf(head),
        size: info.size,
        key,
        storedAt: new Date(Number(newest.m[1])).toISOString(),
        head: head.slice(0, bytesRead),
      };
    } finally {
      await handle.close();
    }
  }
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw error;
  }
}
