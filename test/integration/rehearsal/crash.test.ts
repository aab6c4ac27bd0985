/**
 * A rehearsal killed with SIGKILL (its whole process tree, no cleanup, as a
 * power cut or the OOM killer would) and resumed with `--resume` ends exactly
 * as the same rehearsal run straight through: the same emails per template and
 * per milestone, the same final states and contracted list, every email in the
 * mailbox once. Three kill points: during a milestone's fan-out, during
 * sending, and between milestones while simulated providers post their forms.
 * `scripts/crash-rehearsal.ts` runs the same with random kill points.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CrashPoint } from '../../../functions/local/crash-points.ts';
import { scratchRoot, SCRATCH_PREFIX } from '../../../functions/local/runtime-database.ts';
import { folderLocked } from '../../../functions/local/file-lock.ts';
import type { RehearsalReport } from '../../../functions/local/rehearsal/report.ts';
import { mailboxLines, outcome, runRehearsal } from './crash-run.ts';

const ARGS = ['--calendar', 'msr-2021', '--providers', '25', '--seed', 'crash'];
const dirs: string[] = [];
const fresh = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `inkoop-crash-${name}-`));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let straight: RehearsalReport;
beforeAll(async () => {
  const run = await runRehearsal(fresh('straight'), ARGS);
  expect(run.code, run.stderr).toBe(0);
  straight = run.report!;
}, 600_000);

const points: [string, CrashPoint][] = [
  ['during a milestone fan-out', { kind: 'fanout', n: 20 }],
  ['during sending', { kind: 'send', n: 30 }],
  ['between milestones, while providers post their forms', { kind: 'action', n: 8 }],
];

describe('a rehearsal killed with SIGKILL and resumed', () => {
  it.each(points)('%s ends exactly as the straight run', async (_, point) => {
    const dataDir = fresh(point.kind);
    const killed = await runRehearsal(dataDir, ARGS, point);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    // The dead runtime's working copy is left behind with its lock free: the next start removes it.
    const root = scratchRoot();
    const orphans = readdirSync(root).filter((n) => n.startsWith(SCRATCH_PREFIX) && existsSync(join(root, n, '.lock')) && !folderLocked(join(root, n)));
    expect(orphans.length).toBeGreaterThan(0);

    const resumed = await runRehearsal(dataDir, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.report!.rehearsal.resumed).toBe(true);
    expect(outcome(resumed.report!)).toEqual(outcome(straight));
    // Every email of the year is in the mailbox file once: none lost, none doubled.
    expect(mailboxLines(dataDir)).toBe(straight.emails.total);
    expect(orphans.filter((n) => existsSync(join(root, n)))).toEqual([]);
  }, 900_000);
});
