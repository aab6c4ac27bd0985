/**
 * Exclusive locks on the runtime's working files, with flock(2) through
 * util-linux's `flock` command (Node has no flock of its own).
 *
 * A lock is held by a small child process: `flock` takes the lock and runs
 * `cat` on a pipe from this process. When this process ends — cleanly, or
 * killed with SIGKILL — the pipe closes, `cat` sees the end of its input and
 * exits, and the kernel releases the lock. So a lock is never left behind by a
 * dead owner, and whether a folder is in use is decided by the kernel, not by a
 * process id (which means nothing in another PID namespace sharing /dev/shm).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConflictError } from '../commons/errors.ts';

/** The lock file inside a locked folder. */
export const LOCK_FILE = '.lock';
/** `flock`'s exit code when the lock is held by someone else (-E). */
const BUSY = 75;
/** How long to wait for a lock another process holds briefly (a probe, a clean-up). */
const WAIT_SECONDS = '1';

export interface HeldLock {
  readonly path: string;
  /** Whether the lock is still held (its holder process runs). */
  readonly held: boolean;
  release(): Promise<void>;
}

let available: boolean | undefined;
function flockAvailable(): boolean {
  available ??= spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

function requireFlock(): void {
  if (!flockAvailable()) {
    throw new Error('The local runtime needs the `flock` command (util-linux) to lock its working files; install util-linux');
  }
}

/**
 * Takes the exclusive lock of `dir` (`<dir>/.lock`). `what` names the folder in the
 * error when another process holds it. With `renameFrom`, the lock is taken on that
 * file and then renamed to `.lock`, so a `.lock` is never seen unlocked by a clean-up.
 */
export async function lockFolder(dir: string, what: string, options: { fresh?: boolean } = {}): Promise<HeldLock> {
  requireFlock();
  const path = join(dir, LOCK_FILE);
  const target = options.fresh ? join(dir, '.lock-new') : path;
  const script = options.fresh ? 'mv -- "$1" "$2" && echo locked && exec cat' : 'echo locked && exec cat';
  const child = spawn('flock', ['--exclusive', '--wait', WAIT_SECONDS, '--conflict-exit-code', String(BUSY), target, 'sh', '-c', script, 'sh', target, path], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const locked = await new Promise<boolean>((resolve) => {
    child.stdout.once('data', () => resolve(true));
    void exited.then(() => resolve(false));
  });
  if (!locked) {
    const code = await exited;
    if (code === BUSY) throw new ConflictError(`${what} is in use by another process (its lock ${path} is held); stop that one first or use another folder`);
    throw new Error(`Could not lock ${path}: flock exited with ${code}: ${stderr.trim()}`);
  }
  // The holder must not keep this process alive, nor die with its terminal's signals before we release it.
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stderr as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  let released: Promise<void> | undefined;
  return {
    path,
    get held() {
      return child.exitCode === null && child.signalCode === null;
    },
    release: () =>
      (released ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.ref(); // wait for it to be gone
          child.stdin.end();
          await exited;
        }
      })()),
  };
}

/** Whether `<dir>/.lock` is held by a live process right now (false when there is no lock file). */
export function folderLocked(dir: string): boolean {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path) || !flockAvailable()) return false;
  const probe = spawnSync('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(BUSY), path, 'true'], { stdio: 'ignore' });
  return probe.status === BUSY;
}

/**
 * Removes `dir` if its lock is free, holding the lock while it does; a folder without
 * a lock file is left alone (it is being created, or not ours to judge). Returns whether it went.
 */
export function removeIfUnlocked(dir: string): boolean {
  const path = join(dir, LOCK_FILE);
  if (!existsSync(path) || !flockAvailable()) return false;
  const result = spawnSync('flock', ['--exclusive', '--nonblock', '--conflict-exit-code', String(BUSY), path, 'rm', '-rf', '--', dir], { stdio: 'ignore' });
  return result.status === 0;
}
