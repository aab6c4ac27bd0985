/**
 * A rehearsal killed with SIGKILL (its whole process tree, no cleanup, as a
 * power cut or the OOM killer would) and resumed with `--resume` ends exactly
 * as the same rehearsal run straight through: the same emails per template and
 * per milestone, the same final states and contracted list, every email in the
 * mailbox once. One year is killed three times, at each kind of point in turn:
 * during sending, between milestones while simulated providers post their
 * forms (the resumed run), and during a milestone's fan-out (resumed again); each
 * kill leaves its dead runtime's working copy, which the next start removes;
 * the last resume runs the year to its end. A loss or a double at any of the
 * three shows in that year's outcome (one year killed three times costs two
 * years of rehearsal; three years killed once each cost four).
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
import { rehearse } from '../../../functions/local/rehearsal/rehearse.ts';
import { mailboxLines, outcome, runRehearsal } from './crash-run.ts';

const REHEARSAL = { calendar: 'msr-2021', providers: 25, seed: 'crash' };
const ARGS = ['--calendar', REHEARSAL.calendar, '--providers', String(REHEARSAL.providers), '--seed', REHEARSAL.seed];
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
  // The reference runs in this process: only the runs that are killed need a process (group) of their own.
  const run = await rehearse({ ...REHEARSAL, dataDir: fresh('straight'), mode: 'fast', progress: 'none', stream: process.stderr });
  straight = run.report!;
  expect(straight.cycle.status).toBe('done');
}, 600_000);

// In this order, each counted from its run's start: the fresh run dies at its 30th email (June's registration
// reminders), the first resumed run at its 8th form post (September's proposals), the second in the proposal
// deadline's fan-out (lapses and their emails), as seen in the runs' progress lines.
const points: [string, CrashPoint][] = [
  ['during sending', { kind: 'send', n: 30 }],
  ['between milestones, while providers post their forms', { kind: 'action', n: 8 }],
  ['during a milestone fan-out', { kind: 'fanout', n: 4 }],
];

describe('a rehearsal killed with SIGKILL and resumed', () => {
  it(`killed ${points.map(([name]) => name).join(', then ')}, ends exactly as the straight run`, async () => {
    const dataDir = fresh('killed');
    const root = scratchRoot();
    const deadCopies = () => readdirSync(root).filter((n) => n.startsWith(SCRATCH_PREFIX) && existsSync(join(root, n, '.lock')) && !folderLocked(join(root, n)));
    let left: string[] = [];
    for (const [i, [name, point]] of points.entries()) {
      const killed = await runRehearsal(dataDir, i === 0 ? ARGS : ['--resume'], point);
      expect(killed.signal, `${name}: ${killed.stderr}`).toBe('SIGKILL');
      // The previous dead runtime's working copy was removed when this one started...
      expect(left.filter((n) => existsSync(join(root, n))), name).toEqual([]);
      // ...and this one's is left behind with its lock free: the next start removes it.
      left = deadCopies();
      expect(left.length, name).toBeGreaterThan(0);
    }

    const resumed = await runRehearsal(dataDir, ['--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.report!.rehearsal.resumed).toBe(true);
    expect(outcome(resumed.report!)).toEqual(outcome(straight));
    // Every email of the year is in the mailbox file once: none lost, none doubled.
    expect(mailboxLines(dataDir)).toBe(straight.emails.total);
    expect(left.filter((n) => existsSync(join(root, n)))).toEqual([]);
  }, 900_000);
});
