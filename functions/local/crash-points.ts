/**
 * Crash injection for the crash tests: `INKOOP_CRASH_AT=<point>:<n>` makes the
 * local runtime kill its whole process group with SIGKILL — no cleanup, as a
 * power cut would — right after the n-th event of that kind was answered:
 *
 * - `fanout`: a DynamoDB write while a milestone runs (a page of its fan-out);
 * - `send`: an email accepted by the local SES (before the outbox marks it sent);
 * - `action`: a provider's or purchaser's form post answered by the pages.
 *
 * It kills the process group, so run it as the leader of its own group (a
 * detached child, as test/integration/rehearsal/crash.test.ts and
 * scripts/crash-rehearsal.ts do).
 */
import { ValidationError } from '../commons/errors.ts';

export const CRASH_POINTS = ['fanout', 'send', 'action'] as const;
export type CrashKind = (typeof CRASH_POINTS)[number];
export const CRASH_ENV = 'INKOOP_CRASH_AT';

export interface CrashPoint {
  kind: CrashKind;
  n: number;
}

export function parseCrashPoint(text: string | undefined): CrashPoint | undefined {
  if (!text) return undefined;
  const match = /^([a-z]+):(\d+)$/.exec(text.trim());
  const kind = match?.[1] as CrashKind | undefined;
  if (!match || !kind || !CRASH_POINTS.includes(kind) || Number(match[2]) < 1) {
    throw new ValidationError(`${CRASH_ENV} must be <${CRASH_POINTS.join('|')}>:<n ≥ 1>, got ${text}`);
  }
  return { kind, n: Number(match[2]) };
}

/** Counts events; kills the process group at the chosen one. */
export class CrashInjector {
  private seen = 0;

  constructor(private readonly point: CrashPoint | undefined) {}

  count(kind: CrashKind): void {
    if (this.point?.kind !== kind || ++this.seen !== this.point.n) return;
    process.kill(0, 'SIGKILL');
  }
}
