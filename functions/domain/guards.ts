/**
 * Guards: pure functions of (application, context) that a transition of the
 * table must pass. Each declares what context it needs, so the store loads
 * the cycle's steps or the provider only when a candidate transition asks.
 */
import type { MilestoneKind } from '../calendar/schema.ts';
import { windowContains } from '../calendar/time.ts';
import type { Actor, Provider, Step } from './model.ts';
import type { Track } from './states.ts';
import { signatoryOf } from './provider.ts';

export interface GuardContext {
  /** Epoch ms, from the injected clock. */
  now: number;
  actor: Actor;
  /** The cycle's timeline steps (only `kind`, `phase`, `localDate` and `at` are read). */
  steps?: readonly Timed[];
  provider?: Provider;
}

/** The application as a guard sees it; null state = not created yet. */
export interface GuardSubject {
  agb: string;
  track: Track;
}

type Need = 'steps' | 'provider';

interface Guard {
  needs: readonly Need[];
  /** Plain-English rule, shown in refusals and the CLI. */
  describe: string;
  check(subject: GuardSubject, ctx: GuardContext): boolean;
}

export type Timed = Pick<Step, 'kind' | 'phase' | 'localDate' | 'at'>;

const stepsOf = (ctx: GuardContext, kind: MilestoneKind): Timed[] => (ctx.steps ?? []).filter((s) => s.kind === kind);

const stepOf = (steps: readonly Timed[], kind: MilestoneKind, phases: readonly string[]): Timed | undefined =>
  steps.find((s) => s.kind === kind && phases.includes(s.phase));

/**
 * When acting on a milestone stops: its `closes` or `deadline` step, which the timeline
 * puts at 00:00 local after the last day ("uiterlijk 1 juli" is open all of 1 July).
 */
export function deadlineOf(steps: readonly Timed[], kind: MilestoneKind): number | undefined {
  const end = stepOf(steps, kind, ['closes', 'deadline']);
  return end ? Date.parse(end.at) : undefined;
}

/** True when the calendar has no such deadline, or it has not passed yet. */
const beforeDeadline = (kind: MilestoneKind): Guard => ({
  needs: ['steps'],
  describe: `before the ${kind} deadline (if the calendar has one)`,
  check: (_s, ctx) => {
    const deadline = deadlineOf(ctx.steps ?? [], kind);
    return deadline === undefined || ctx.now < deadline;
  },
});

const absent = (kind: MilestoneKind): Guard => ({
  needs: ['steps'],
  describe: `the calendar has no ${kind} milestone`,
  check: (_s, ctx) => stepsOf(ctx, kind).length === 0,
});

/** Kinds after the talks that offer the agreement or end the year (functions/milestones/README.md). */
const ENDS_THE_YEAR_LATER: readonly MilestoneKind[] = ['negotiation-agreements', 'agreements-final', 'signing-deadline'];

/** ZG: no milestone after the talks offers the agreement or ends the year, so the close of the talks ends it. */
export const talksEndTheYear = (steps: readonly Pick<Timed, 'kind'>[]): boolean =>
  steps.some((s) => s.kind === 'negotiation-period') && !steps.some((s) => ENDS_THE_YEAR_LATER.includes(s.kind));

/** The talks have closed and ended the year (ZG): nothing is left to wait for, a signature contracts at once. */
function yearClosedByTheTalks(steps: readonly Timed[], now: number): boolean {
  const closed = deadlineOf(steps, 'negotiation-period');
  return talksEndTheYear(steps) && closed !== undefined && now >= closed;
}

const actorIsSignatory = (subject: GuardSubject, ctx: GuardContext): boolean =>
  ctx.actor.kind === 'provider' && ctx.provider?.agb === subject.agb && signatoryOf(ctx.provider)?.id === ctx.actor.contactId;

export const GUARDS = {
  always: { needs: [], describe: 'always', check: () => true },
  'registration-window-open': {
    needs: ['steps'],
    describe: 'the registration window is open',
    // Both days included: from 00:00 on the opening day, not from the 09:00 notification.
    check: (_s, ctx) => {
      const opens = stepOf(ctx.steps ?? [], 'registration-window', ['opens']);
      const closes = stepOf(ctx.steps ?? [], 'registration-window', ['closes']);
      return !!opens && !!closes && windowContains(opens.localDate, closes.localDate, ctx.now);
    },
  },
  'before-conditions-deadline': beforeDeadline('conditions-deadline'),
  'before-proposal-deadline': beforeDeadline('proposal-deadline'),
  'no-conditions-deadline': absent('conditions-deadline'),
  'no-proposal-deadline': absent('proposal-deadline'),
  // Signing: the signatory signs; once the talks have closed and ended the year (ZG) the signature contracts at once.
  'signatory-while-the-year-is-open': {
    needs: ['provider', 'steps'],
    describe: "the actor is the provider's authorised signatory and the year is still open",
    check: (subject, ctx) => actorIsSignatory(subject, ctx) && !yearClosedByTheTalks(ctx.steps ?? [], ctx.now),
  },
  'signatory-after-the-year-closed': {
    needs: ['provider', 'steps'],
    describe: "the actor is the provider's authorised signatory and the talks have closed the year (no signing milestone follows)",
    check: (subject, ctx) => actorIsSignatory(subject, ctx) && yearClosedByTheTalks(ctx.steps ?? [], ctx.now),
  },
} satisfies Record<string, Guard>;

export type GuardName = keyof typeof GUARDS;
export const GUARD_NAMES = Object.keys(GUARDS) as GuardName[];
