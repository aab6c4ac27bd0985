/**
 * The timeline: the steps the cycle workflow runs for a calendar, in order.
 *
 * - a moment (a dated milestone that is not a deadline) is one `notify` step at send time;
 * - a window has an `opens` step at send time and a `closes` step;
 * - a deadline has a `deadline` step;
 * - `closes` and `deadline` run at 00:00 local the day after: the check runs once the day has passed;
 * - each reminder is a `reminder` step N days before the deadline or close, at send time.
 *
 * Step ids (`<milestoneId>#<phase>`, `<milestoneId>#reminder-<N>`) are stable:
 * the store records progress under them, so amending a date moves a step
 * without renaming it.
 */
import { z } from 'zod';
import { isDeadlineKind, isWindowKind, localDate, milestoneKind, type Calendar, type Milestone } from './schema.ts';
import { remember } from '../commons/memo.ts';
import { addDays, afterDeadline, deadlineEnd, sendInstant } from './time.ts';

export const TIMELINE_PHASES = ['notify', 'opens', 'reminder', 'closes', 'deadline'] as const;
export const timelinePhase = z.enum(TIMELINE_PHASES);
export type TimelinePhase = z.infer<typeof timelinePhase>;

export const timelineStepSchema = z
  .object({
    stepId: z.string().min(1),
    milestoneId: z.string().min(1),
    kind: milestoneKind,
    phase: timelinePhase,
    /** The local date the step belongs to: the milestone's date, the window's open or close, the reminder's day. */
    localDate,
    /** When the step runs (ISO UTC). */
    at: z.iso.datetime(),
    /** The end of the deadline or window close day this step is about (ISO UTC), if any. */
    deadline: z.iso.datetime().optional(),
  })
  .strict();
export type TimelineStep = z.infer<typeof timelineStepSchema>;

/** The last day to act on a milestone: a window's close or a deadline's date; none for moments. */
export function lastDay(milestone: Milestone): string | undefined {
  if (isWindowKind(milestone.kind)) return milestone.closes;
  return isDeadlineKind(milestone.kind) ? milestone.date : undefined;
}

/** The steps of one milestone, in time order. Assumes a validated calendar (./validate.ts). */
export function milestoneSteps(milestone: Milestone, sendTime: string): TimelineStep[] {
  const base = { milestoneId: milestone.id, kind: milestone.kind };
  const steps: TimelineStep[] = [];
  const last = lastDay(milestone);
  const deadline = last ? deadlineEnd(last) : undefined;

  if (isWindowKind(milestone.kind)) {
    const opens = milestone.opens!;
    steps.push({ ...base, stepId: `${milestone.id}#opens`, phase: 'opens', localDate: opens, at: sendInstant(opens, sendTime), deadline });
  } else if (!last) {
    const date = milestone.date!;
    steps.push({ ...base, stepId: `${milestone.id}#notify`, phase: 'notify', localDate: date, at: sendInstant(date, sendTime) });
  }

  if (last) {
    for (const days of [...(milestone.reminders ?? [])].sort((a, b) => b - a)) {
      const day = addDays(last, -days);
      steps.push({ ...base, stepId: `${milestone.id}#reminder-${days}`, phase: 'reminder', localDate: day, at: sendInstant(day, sendTime), deadline });
    }
    const phase = isWindowKind(milestone.kind) ? 'closes' : 'deadline';
    steps.push({ ...base, stepId: `${milestone.id}#${phase}`, phase, localDate: last, at: afterDeadline(last), deadline });
  }
  return steps;
}

/** All steps of a calendar, sorted by `at`; steps at the same instant keep calendar order. */
export function buildTimeline(calendar: Calendar): TimelineStep[] {
  // The workflow asks for the timeline on every wake-up (at least daily, per cycle): the time zone
  // arithmetic is done once per distinct calendar, and each caller gets its own copies.
  const steps = remember(
    timelines,
    JSON.stringify(calendar),
    // Array.prototype.sort is stable, so ties stay in calendar order.
    () => calendar.milestones.flatMap((m) => milestoneSteps(m, calendar.sendTime)).sort((a, b) => Date.parse(a.at) - Date.parse(b.at)),
    MAX_CACHED_TIMELINES,
  );
  return steps.map((s) => structuredClone(s));
}

/** A few calendars are live at once (one per care type and year, plus amended versions). */
const MAX_CACHED_TIMELINES = 32;
const timelines = new Map<string, TimelineStep[]>();
