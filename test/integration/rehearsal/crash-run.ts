/**
 * Runs `inkoop rehearse` as a separate process, the leader of its own process
 * group (so a crash point's SIGKILL takes its whole tree: Node, DynamoDB
 * Local's JVM, the lock holders, and nothing else), and reads its report.
 * One node process (`node --import tsx`; tsx's own CLI would start a second).
 * Shared by the crash test (./crash.test.ts) and `scripts/crash-rehearsal.ts`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRASH_ENV, type CrashPoint } from '../../../functions/local/crash-points.ts';
import type { CycleSection, RehearsalReport, YearReport } from '../../../functions/local/rehearsal/report.ts';
import { REPO_ROOT } from '../../../infra/paths.ts';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** One calendar's report. */
  report?: RehearsalReport;
  /** Several calendars (`--calendar a,b`): the year's report. */
  yearReport?: YearReport;
  stderr: string;
}

export function runRehearsal(dataDir: string, args: string[], crashAt?: CrashPoint): Promise<RunResult> {
  const env = { ...process.env, LOG_LEVEL: 'WARN' } as NodeJS.ProcessEnv;
  if (crashAt) env[CRASH_ENV] = `${crashAt.kind}:${crashAt.n}`;
  else delete env[CRASH_ENV];
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'functions/cli/main.ts'), '--data', dataDir, 'rehearse', '--json', ...args], {
    cwd: REPO_ROOT,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      let report: RehearsalReport | undefined;
      let yearReport: YearReport | undefined;
      if (code === 0 && stdout.trim()) {
        const parsed = JSON.parse(stdout) as RehearsalReport | YearReport;
        if ('cycles' in parsed) yearReport = parsed;
        else report = parsed;
      }
      resolve({ code, signal, report, yearReport, stderr });
    });
  });
}

/** What the seed decides, and a crash must not change: emails, states, deadlines, the contracted list. */
export function outcome(report: Pick<CycleSection, 'cycle' | 'milestones' | 'betweenMilestones' | 'emails' | 'applications' | 'deadlinesMissed' | 'contracted' | 'failure'>) {
  return {
    cycle: report.cycle,
    milestones: report.milestones.map((m) => ({ stepId: m.stepId, at: m.at, status: m.status, emails: m.emails })),
    betweenMilestones: report.betweenMilestones,
    emails: report.emails,
    applications: report.applications,
    deadlinesMissed: report.deadlinesMissed,
    contracted: report.contracted,
    failure: report.failure,
  };
}

/** The same, for each cycle of a rehearsal of several calendars. */
export function yearOutcome(report: YearReport) {
  return report.cycles.map(outcome);
}

/** Lines in the mailbox file (one email each). */
export function mailboxLines(dataDir: string): number {
  return readFileSync(join(dataDir, 'mailbox.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;
}
