/**
 * What purchasers must do before a date, and what is late:
 * - undecided eligibility: new providers `under-review` must be decided before
 *   the eligibility notification (or, in calendars without one, before the
 *   negotiation period opens: that is when eligible providers move on);
 * - unsigned agreements: `agreement-reached` must be signed by the signing deadline.
 * Pure: steps, waiting applications and now in; groups out.
 */
import { formatLocalInstant } from '../calendar/time.ts';
import type { Application, Step } from '../domain/index.ts';
import type { OverdueGroup, WaitingApplication } from './views.ts';

const DAY_MS = 86_400_000;

export const waiting = (a: Application): WaitingApplication => ({
  agb: a.agb,
  providerName: a.providerName,
  state: a.state,
  version: a.version,
  stateSince: a.stateSince,
});

/** The step eligibility decisions are due before, if any. */
export function eligibilityDueStep(steps: readonly Step[]): Step | undefined {
  return steps.find(
    (s) => (s.kind === 'eligibility-notification' && s.phase === 'notify') || (s.kind === 'negotiation-period' && s.phase === 'opens'),
  );
}

/** The step that ends signing: the deadline of the signing-deadline milestone (Wlz: agreements-final). */
export function signingDueStep(steps: readonly Step[]): Step | undefined {
  return (
    steps.find((s) => s.kind === 'signing-deadline' && s.phase === 'deadline') ??
    steps.find((s) => s.kind === 'agreements-final' && s.phase === 'deadline')
  );
}

/** Whole days until `due`, rounded away from zero ("1 day left" until the last instant). */
export function daysLeft(due: number, now: number): number {
  const diff = due - now;
  return diff >= 0 ? Math.ceil(diff / DAY_MS) : -Math.ceil(-diff / DAY_MS);
}

/** A deadline step runs at 00:00 after the last day; the due instant is the end of that day. */
const dueInstant = (step: Step): string => step.deadline ?? step.at;

function group(
  kind: OverdueGroup['kind'],
  step: Step | undefined,
  titles: ReadonlyMap<string, string>,
  apps: readonly Application[],
  now: number,
): OverdueGroup[] {
  if (!step || apps.length === 0) return [];
  const due = dueInstant(step);
  return [
    {
      kind,
      milestoneId: step.milestoneId,
      title: titles.get(step.milestoneId) ?? step.milestoneId,
      due,
      dueLocal: formatLocalInstant(due),
      daysLeft: daysLeft(Date.parse(due), now),
      late: now > Date.parse(due),
      applications: apps.map(waiting),
    },
  ];
}

export function overdueGroups(input: {
  steps: readonly Step[];
  titles: ReadonlyMap<string, string>;
  underReview: readonly Application[];
  agreementReached: readonly Application[];
  now: number;
}): OverdueGroup[] {
  return [
    ...group('undecided-eligibility', eligibilityDueStep(input.steps), input.titles, input.underReview, input.now),
    ...group('unsigned-agreement', signingDueStep(input.steps), input.titles, input.agreementReached, input.now),
  ];
}
