/**
 * The local runtime as other processes see it: `<data>/runtime.json`, the
 * control endpoint behind its secret, `inkoop clock` moving an interactive
 * rehearsal's clock from another process, and `openStore` (the CLI) using the
 * running runtime's DynamoDB and virtual time instead of starting its own.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { openStore } from '../../../functions/cli/context.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycle, startCycle } from '../../../functions/cycles/create.ts';
import { readRuntimeFile, runtimeFilePath } from '../../../functions/local/runtime-file.ts';
import { startLocalRuntime, type LocalRuntime } from '../../../functions/local/runtime.ts';
import { REPO_ROOT } from '../../../infra/paths.ts';

const run = promisify(execFile);
const inkoop = (dataDir: string, ...args: string[]) =>
  run(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'functions/cli/main.ts'), '--data', dataDir, ...args], { cwd: REPO_ROOT, timeout: 120_000 });

let dataDir: string;
let runtime: LocalRuntime;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'inkoop-runtime-'));
  const calendar = await loadCalendar('msr-2021');
  const clock = new VirtualClock(Date.parse(buildTimeline(calendar)[0].at) - 86_400_000);
  runtime = await startLocalRuntime({ dataDir, clock, mode: 'interactive' });
  await createCycle(runtime.store, calendar, clock);
  await startCycle(runtime.store, runtime.executions, calendar.id);
}, 120_000);

afterAll(async () => {
  await runtime?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('a running local runtime', () => {
  it('announces itself in runtime.json, readable by its owner only', () => {
    const info = readRuntimeFile(dataDir)!;
    expect(statSync(runtimeFilePath(dataDir)).mode & 0o777).toBe(0o600);
    expect(info).toMatchObject({ pid: process.pid, tableName: 'inkoopkalender', dynamodb: { endpoint: runtime.db.endpoint }, links: { url: runtime.urls.links } });
    expect(info.control.secret.length).toBeGreaterThanOrEqual(32);
  });

  it('holds the data folder: a second runtime there is refused with a clear message', async () => {
    await expect(startLocalRuntime({ dataDir, clock: new VirtualClock(0), mode: 'interactive' })).rejects.toThrow(
      /The data folder .* is in use by another process \(its lock .*\.lock is held\)/,
    );
    expect(readRuntimeFile(dataDir)?.pid).toBe(process.pid); // still its own
  });

  it('serves the mailbox, the provider pages and the dashboard on loopback', async () => {
    expect((await fetch(runtime.urls.mailbox)).status).toBe(200);
    expect((await fetch(`${runtime.urls.links}/l/not-a-token`)).status).toBe(404);
    expect((await fetch(runtime.urls.registration('msr-2021'))).status).toBe(403); // the window is not open yet
    const dashboard = await fetch(runtime.urls.dashboard, { redirect: 'manual' });
    expect([200, 303]).toContain(dashboard.status);
    expect((await fetch(`${runtime.urls.control}/status`)).status).toBe(401);
  });

  it('lets `inkoop clock advance` move its clock from another process, running what is due on the way', async () => {
    const { stdout } = await inkoop(dataDir, 'clock', 'advance', '--to', '2020-04-02');
    expect(stdout).toMatch(/Moved from 2020-03-31 09:00 \+02:00 to 2020-04-02 00:00 \+02:00/);
    expect(runtime.clock.now()).toBe(Date.parse('2020-04-01T22:00:00Z'));
    const steps = await runtime.store.getSteps('msr-2021');
    expect(steps.find((s) => s.stepId === 'policy-publication#notify')?.status).toBe('done');
    expect(steps.filter((s) => s.status === 'done')).toHaveLength(1);
    const { stdout: status } = await inkoop(dataDir, 'clock', '--json');
    expect(JSON.parse(status)).toMatchObject({ clock: { now: '2020-04-01T22:00:00.000Z', mode: 'interactive', nextWakeUp: '2020-05-01T07:00:00.000Z' } });
  }, 120_000);

  it('is the store the CLI uses meanwhile: its DynamoDB, its virtual time', async () => {
    const opened = await openStore({ data: dataDir });
    try {
      expect(opened.source).toBe('runtime');
      expect(opened.clock.now()).toBe(runtime.clock.now());
      expect((await opened.store.getCycle('msr-2021'))?.status).toBe('running');
    } finally {
      await opened.close();
    }
  });
});
