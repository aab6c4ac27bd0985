/**
 * The database goes away under a running rehearsal (its working copy removed
 * by another process, or DynamoDB Local killed): the runtime stops at once with
 * one error naming what happened, serves no more pages, and saves nothing —
 * the data folder keeps its last checkpoint, which `--resume` continues from.
 */
import { mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rehearse, type RehearseOptions } from '../../../functions/local/rehearsal/rehearse.ts';
import { readRuntimeFile } from '../../../functions/local/runtime-file.ts';
import type { LocalRuntime } from '../../../functions/local/runtime.ts';

const dirs: string[] = [];
const fresh = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `inkoop-lost-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = { calendar: 'msr-2021', providers: 10, seed: 'lost', progress: 'none', stream: process.stderr, mode: 'interactive' } satisfies Partial<RehearseOptions>;

async function started(dataDir: string): Promise<{ runtime: LocalRuntime; year: Promise<unknown> }> {
  let runtime: LocalRuntime | undefined;
  const year = rehearse({
    ...base,
    dataDir,
    onStarted: (rt) => {
      runtime = rt;
    },
  });
  year.catch(() => undefined);
  while (!runtime?.executions.running().length) await new Promise((r) => setTimeout(r, 50));
  return { runtime, year };
}

const saved = (dataDir: string) => ({ link: readlinkSync(join(dataDir, 'dynamodb')), mailbox: readFileSync(join(dataDir, 'mailbox.jsonl'), 'utf8') });

describe('a runtime that loses its database', () => {
  it('stops with one error when its working copy is removed, and saves nothing after its last checkpoint', async () => {
    const dataDir = fresh('removed');
    const { runtime, year } = await started(dataDir);
    await runtime.clockControl.advanceTo(Date.parse('2020-04-02T00:00:00Z')); // the policy emails went out
    expect(await runtime.checkpoint()).toBe(true);
    const before = saved(dataDir);
    const failed = new Promise<Error>((resolve) => runtime.onFailure(resolve));
    rmSync(runtime.db.workDir, { recursive: true, force: true }); // what an over-eager clean-up elsewhere would do
    const error = await failed;
    expect(error.message).toMatch(/lost its database: its database file .* was removed by another process.*--resume continues from its last checkpoint/);
    await expect(year).rejects.toBe(error);
    expect(readRuntimeFile(dataDir)).toBeUndefined();
    expect(saved(dataDir)).toEqual(before);
    await expect(fetch(runtime.urls.links)).rejects.toThrow(); // no page served any more (no 500s)
  }, 600_000);

  it('stops with one error when DynamoDB Local dies', async () => {
    const dataDir = fresh('killed');
    const { runtime, year } = await started(dataDir);
    process.kill(runtime.db.pid!, 'SIGKILL');
    await expect(year).rejects.toThrow(/lost its database: DynamoDB Local exited unexpectedly/);
    expect(runtime.failure).toBeDefined();
    expect(readRuntimeFile(dataDir)).toBeUndefined();
  }, 600_000);
});
