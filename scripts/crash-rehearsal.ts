/**
 * `npx tsx scripts/crash-rehearsal.ts [N] [--providers 25] [--seed crash] [--calendar msr-2021] [--kills 1]`:
 * the crash test (test/integration/rehearsal/crash.test.ts) at N random kill
 * points. One straight run gives the expected outcome; then N times: a fresh
 * rehearsal killed with SIGKILL at a random point (fan-out, sending or a form
 * post, the n-th one drawn from what the straight run did), resumed (and
 * killed again, `--kills` times in all), resumed to the end, and compared with
 * the straight run. Prints each kill point and whether it matched; exits 1 if
 * any did not. A script, not a test: it runs for as long as N asks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { CRASH_POINTS, type CrashPoint } from '../functions/local/crash-points.ts';
import { mailboxLines, outcome, runRehearsal, yearOutcome, type RunResult } from '../test/integration/rehearsal/crash-run.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    providers: { type: 'string', default: '25' },
    seed: { type: 'string', default: 'crash' },
    calendar: { type: 'string', default: 'msr-2021' },
    kills: { type: 'string', default: '1' },
  },
});
const n = Number(positionals[0] ?? '5');
const kills = Number(values.kills);
const args = ['--calendar', values.calendar!, '--providers', values.providers!, '--seed', values.seed!];

const root = mkdtempSync(join(tmpdir(), 'inkoop-crash-'));
try {
  const straight = await runRehearsal(join(root, 'straight'), args);
  // One calendar gives a report, several (`--calendar a,b`) a year's report with a section per cycle.
  const r = straight.report ?? straight.yearReport;
  if (!r) throw new Error(`the straight run failed: ${straight.stderr}`);
  const totals = 'totals' in r ? r.totals : r;
  const outcomeOf = (run: RunResult) => (run.report ? outcome(run.report) : run.yearReport ? yearOutcome(run.yearReport) : undefined);
  const expected = outcomeOf(straight);
  // Upper bounds for the n-th event of each kind, from what the straight run did.
  const bounds: Record<CrashPoint['kind'], number> = {
    fanout: Math.max(1, totals.applications.transitions + totals.emails.total),
    send: Math.max(1, totals.emails.total),
    action: Math.max(1, Object.values(r.providerPages.responses).reduce((a, b) => a + b, 0) / 2),
  };
  let failures = 0;
  for (let i = 1; i <= n; i++) {
    const dataDir = mkdtempSync(join(root, `run-${i}-`));
    const points: string[] = [];
    let resume = false;
    for (let k = 0; k < kills; k++) {
      const kind = CRASH_POINTS[Math.floor(Math.random() * CRASH_POINTS.length)];
      const point: CrashPoint = { kind, n: 1 + Math.floor(Math.random() * bounds[kind]) };
      const run = await runRehearsal(dataDir, resume ? ['--resume'] : args, point);
      points.push(`${kind}:${point.n}${run.signal === 'SIGKILL' ? '' : ' (not reached)'}`);
      if (run.signal !== 'SIGKILL' && run.code !== 0) throw new Error(`run ${i} failed: ${run.stderr}`);
      resume = true;
    }
    const resumed = await runRehearsal(dataDir, ['--resume']);
    const got = outcomeOf(resumed);
    const same = got !== undefined && isDeepStrictEqual(got, expected) && mailboxLines(dataDir) === totals.emails.total;
    if (!same) failures++;
    process.stdout.write(`${i}/${n} killed at ${points.join(', ')}: ${same ? 'same as the straight run' : `DIFFERENT (kept in ${dataDir})`}\n`);
    if (same) rmSync(dataDir, { recursive: true, force: true });
  }
  process.stdout.write(failures ? `${failures} of ${n} differ\n` : `all ${n} ended as the straight run\n`);
  process.exitCode = failures ? 1 : 0;
} finally {
  if (!process.exitCode) rmSync(root, { recursive: true, force: true });
}
