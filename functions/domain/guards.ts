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
  'actor-is-signatory': {
    needs: ['provider'],
    describe: 'the actor is the provider\'s authorised signatory',
    check: (subject, ctx) =>
      ctx.actor.kind === 'provider' &&
      ctx.provider?.agb === subject.agb &&
      signatoryOf(ctx.provider)?.id === ctx.actor.contactId,
  },
} satisfies Record<string, Guard>;

export type GuardName = keyof typeof GUARDS;
export const GUARD_NAMES = Object.keys(GUARDS) as GuardName[];
