/**
 * ZG 2024-2025 rehearsed end to end (a small population: the point is the
 * calendar, from January 2023 to April 2024): every execution of the chain
 * within a year, the AWS forecast within Step Functions' limits, and its last
 * step (next year's dates need next year's cycle) reported as skipped with the
 * reason, in the report and in `inkoop status`, instead of failing the year.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXECUTION_BUDGET } from '../../../functions/local/history.ts';
import { rehearse, type RehearsalResult } from '../../../functions/local/rehearsal/rehearse.ts';
import { cycleStatus } from '../../../functions/operators/status.ts';
import { statusText } from '../../../functions/operators/text.ts';

const HOOK_TIMEOUT = 10 * 60_000;

describe('a rehearsed ZG 2024-2025', () => {
  let dataDir: string;
  let result: RehearsalResult;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'inkoop-rehearsal-zg-'));
    result = await rehearse({ calendar: 'zg-2024-2025', providers: 20, seed: '1', dataDir, mode: 'fast', serve: true, progress: 'none', stream: process.stderr });
  }, HOOK_TIMEOUT);

  afterAll(async () => {
    await result?.runtime?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, HOOK_TIMEOUT);

  it('ends the year (exit 0: no failure, no limit crossed) with every execution within 365 days and 20,000 events', () => {
    const report = result.report!;
    expect(report.failure).toBeUndefined();
    expect(report.cycle.status).toBe('done');
    expect(report.aws.limitsCrossed).toEqual([]);
    expect(report.aws.executions.length).toBeGreaterThan(report.milestones.length);
    for (const e of report.aws.executions) {
      expect(e.days, e.name).toBeLessThanOrEqual(EXECUTION_BUDGET.days);
      expect(e.historyEvents, e.name).toBeLessThanOrEqual(EXECUTION_BUDGET.historyEvents);
      expect(e.stop, e.name).toBeDefined();
    }
    expect(report.aws.costUsd.total).toBeGreaterThan(0);
  });

  it('reports the step that needs next year\'s cycle as skipped, with the reason, in the report and in status', async () => {
    const report = result.report!;
    const last = report.milestones.find((m) => m.milestoneId === 'next-year-dates-publication')!;
    expect(last).toMatchObject({ status: 'skipped', skipped: expect.stringContaining('No cycle for zg 2025') });
    expect(report.milestones.filter((m) => m.status !== 'done')).toEqual([last]);

    const runtime = result.runtime!;
    const view = await cycleStatus({ store: runtime.store, clock: runtime.clock, executions: runtime.executions }, 'zg-2024-2025');
    expect(view.stalled).toBeNull();
    const step = view.milestones.flatMap((m) => m.steps).find((s) => s.stepId === last.stepId);
    expect(step?.skipped).toContain('No cycle for zg 2025');
    expect(statusText(view)).toContain('skipped in the rehearsal: No cycle for zg 2025');
  });
});
