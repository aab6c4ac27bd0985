/**
 * `inkoop …` for tests, two ways:
 *
 * - runInkoop: in this process, through the program functions/cli/main.ts runs
 *   (createProgram), stdout and stderr captured and the exit code read from
 *   process.exitCode. For tests about what a command does and prints.
 * - spawnInkoop: a child process, as operators run it. Starting one costs about
 *   a second of CPU (tsx, the command's imports), so it is kept for what only a
 *   child shows: its exit status and its own streams, one or two per command family.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { vi } from 'vitest';
import { createProgram } from '../../functions/cli/program.ts';
import { REPO_ROOT } from '../../infra/paths.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export async function runInkoop(...args: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const capture = (append: (text: string) => void) => (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    append(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture((t) => (stdout += t)) as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture((t) => (stderr += t)) as typeof process.stderr.write);
  const previous = process.exitCode;
  process.exitCode = undefined;
  let code: number;
  try {
    await createProgram().exitOverride().parseAsync(['node', 'inkoop', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode; // a usage error: commander printed it, a real process would exit with this
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = previous;
  }
  return { code, stdout, stderr };
}

export function spawnInkoop(args: string[], options: { env?: NodeJS.ProcessEnv; timeout?: number } = {}): CliResult {
  // What node_modules/.bin/tsx runs, without the extra node process that CLI starts first.
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'functions', 'cli', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(REPO_ROOT, 'node_modules', '.bin')}:${process.env.PATH}`, ...options.env },
    ...(options.timeout ? { timeout: options.timeout } : {}),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
