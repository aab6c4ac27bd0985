import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { folderLocked, lockFolder, removeIfUnlocked } from '../../../functions/local/file-lock.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const fresh = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'inkoop-lock-'));
  dirs.push(dir);
  return dir;
};

describe('folder locks (flock)', () => {
  it('are exclusive: a second holder is refused with a message naming the folder', async () => {
    const dir = fresh();
    const lock = await lockFolder(dir, `The data folder ${dir}`);
    expect(folderLocked(dir)).toBe(true);
    await expect(lockFolder(dir, `The data folder ${dir}`)).rejects.toThrow(/The data folder .* is in use by another process/);
    await lock.release();
    expect(folderLocked(dir)).toBe(false);
    const again = await lockFolder(dir, 'again');
    await again.release();
  });

  it('are released by the kernel when their owner is killed with SIGKILL', async () => {
    const dir = fresh();
    // A child Node process takes the lock, says so, and is killed.
    const script = `import('${join(process.cwd(), 'functions/local/file-lock.ts')}').then(async (m) => { await m.lockFolder(process.argv[1], 'x'); console.log('locked'); setInterval(() => {}, 1000); })`;
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    expect(folderLocked(dir)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    for (let i = 0; i < 50 && folderLocked(dir); i++) await new Promise((r) => setTimeout(r, 20));
    expect(folderLocked(dir)).toBe(false);
  });

  it('let a clean-up remove only folders whose lock is free, and none without a lock file', async () => {
    const root = fresh();
    const held = join(root, 'held');
    const free = join(root, 'free');
    const unlocked = join(root, 'no-lock-file');
    for (const d of [held, free, unlocked]) mkdirSync(d);
    const lock = await lockFolder(held, 'held', { fresh: true });
    await (await lockFolder(free, 'free', { fresh: true })).release();
    expect(removeIfUnlocked(held)).toBe(false);
    expect(removeIfUnlocked(free)).toBe(true);
    expect(removeIfUnlocked(unlocked)).toBe(false);
    expect([existsSync(held), existsSync(free), existsSync(unlocked)]).toEqual([true, false, true]);
    await lock.release();
  });
});
