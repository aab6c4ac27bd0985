import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockFolder } from '../../../functions/local/file-lock.ts';
import { readRuntimeFile, removeRuntimeFile, runtimeFilePath, writeRuntimeFile, type RuntimeInfo } from '../../../functions/local/runtime-file.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const info = (pid: number): RuntimeInfo => ({
  version: 1,
  pid,
  startedAt: '2026-01-01T00:00:00.000Z',
  dataDir: '/x',
  tableName: 'inkoopkalender',
  dynamodb: { endpoint: 'http://127.0.0.1:1' },
  ses: { endpoint: 'http://127.0.0.1:2', mailboxUrl: 'http://127.0.0.1:2/' },
  control: { url: 'http://127.0.0.1:3', secret: 'x'.repeat(43) },
});

describe('runtime.json', () => {
  it('is written for the owner only, and read back while the data folder is locked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkoop-rt-'));
    dirs.push(dir);
    const lock = await lockFolder(dir, 'the data folder');
    writeRuntimeFile(dir, info(process.pid));
    expect(statSync(runtimeFilePath(dir)).mode & 0o777).toBe(0o600);
    expect(readRuntimeFile(dir)).toEqual(info(process.pid));
    removeRuntimeFile(dir);
    expect(readRuntimeFile(dir)).toBeUndefined();
    await lock.release();
  });

  it('is stale when the data folder is not locked, even if its process id is alive (another PID namespace)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkoop-rt-'));
    dirs.push(dir);
    writeRuntimeFile(dir, info(process.pid));
    expect(readRuntimeFile(dir)).toBeUndefined();
  });

  it('is ignored when its process is gone, and left alone by another process', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkoop-rt-'));
    dirs.push(dir);
    writeFileSync(runtimeFilePath(dir), JSON.stringify(info(2 ** 22 + 12345)));
    expect(readRuntimeFile(dir)).toBeUndefined();
    removeRuntimeFile(dir); // not ours: stays
    expect(JSON.parse(readFileSync(runtimeFilePath(dir), 'utf8')).pid).toBe(2 ** 22 + 12345);
  });
});
