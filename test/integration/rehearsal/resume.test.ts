/**
 * Ctrl-C and `--resume`: a rehearsal stopped halfway (interactive, the clock
 * moved by hand, then the shutdown a signal would run) and resumed from its
 * data folder ends exactly as the same rehearsal run straight through would:
 * as the model of the year (./expected.ts, which the full-year tests hold a
 * straight run to) says. One rehearsal of three cycles carries the checks:
 * a single cycle's resume (its report, `--resume` from the CLI) is the crash
 * test's (./crash.test.ts), held to a straight run.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseInstant } from '../../../functions/local/control.ts';
import { createShutdown } from '../../../functions/local/process.ts';
import { rehearse, type RehearseOptions } from '../../../functions/local/rehearsal/rehearse.ts';
import { readState } from '../../../functions/local/rehearsal/state.ts';
import { readRuntimeFile } from '../../../functions/local/runtime-file.ts';
import type { LocalRuntime } from '../../../functions/local/runtime.ts';
import { expectedCycles } from './expected.ts';

const dirs: string[] = [];
const fresh = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `inkoop-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const base = { calendar: 'msr-2021', providers: 25, seed: 'resume', progress: 'none', stream: process.stderr } satisfies Partial<RehearseOptions>;

describe('a stopped rehearsal, resumed', () => {
  it('of several cycles at once: every cycle ends as its model says, and the calendars come from the data folder', async () => {
    const dataDir = fresh('resumed-year');
    const shutdown = createShutdown({ signals: [], exitOnSignal: false });
    let runtime: LocalRuntime | undefined;
    const calendars = 'msr-2021,zvt-2021,wlz-2021';
    const first = rehearse({ ...base, calendar: calendars, providers: 30, dataDir, mode: 'interactive', shutdown, onStarted: (rt) => {
      runtime = rt;
    } });
    while ((runtime?.executions.running().length ?? 0) < 3) await new Promise((r) => setTimeout(r, 50));
    expect(readRuntimeFile(dataDir)?.pid).toBe(process.pid);
    // Between Wlz's first feedback and MSR's and ZVT's proposal deadline (past their proposal reminders): every cycle halfway.
    await runtime!.clockControl.advanceTo(parseInstant('2020-09-13'));
    await shutdown.run(); // what Ctrl-C does
    shutdown.dispose();
    expect((await first).stopped).toBe(true);
    expect(readRuntimeFile(dataDir)).toBeUndefined();
    expect(readState(dataDir)).toMatchObject({
      calendars: ['msr-2021', 'zvt-2021', 'wlz-2021'],
      clock: '2020-09-12T22:00:00.000Z',
      status: 'running',
      providers: 30,
      seed: 'resume',
    });
    expect(existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'))).toBe(true);
    expect(existsSync(runtime!.db.workDir)).toBe(false); // its working copy is gone with it

    await expect(rehearse({ dataDir, calendar: 'msr-2021', mode: 'fast', resume: true, progress: 'none', stream: process.stderr })).rejects.toThrow(/not the calendar/);
    const resumed = await rehearse({ dataDir, mode: 'fast', resume: true, progress: 'none', stream: process.stderr });
    const report = resumed.yearReport!;
    expect(report.rehearsal).toMatchObject({ resumed: true, providers: 30, calendars: ['msr-2021', 'zvt-2021', 'wlz-2021'] });
    const expected = expectedCycles(resumed.calendars, resumed.year.cycles);
    for (const c of report.cycles) {
      const e = expected.byCycle[c.cycleId];
      expect(c.emails.byTemplate, c.cycleId).toEqual(e.emails);
      expect(Object.fromEntries(c.milestones.filter((m) => m.emailsTotal > 0).map((m) => [m.stepId, m.emails])), c.cycleId).toEqual(e.perStep);
      expect(c.applications.byState, c.cycleId).toEqual(e.states);
      expect(c.contracted.map((x) => x.agb), c.cycleId).toEqual(e.byState.contracted ?? []);
      expect(c.milestones.every((m) => m.status === 'done'), c.cycleId).toBe(true);
    }
    expect(report.totals.emails).toMatchObject({ failed: 0, queued: 0, unmatched: 0 });
    expect(readState(dataDir)).toMatchObject({ status: 'done' });
  }, 600_000);

  it('refuses --resume where nothing was rehearsed', async () => {
    await expect(rehearse({ dataDir: fresh('nothing'), mode: 'fast', resume: true, progress: 'none', stream: process.stderr })).rejects.toThrow(/Nothing to resume/);
  });
});
