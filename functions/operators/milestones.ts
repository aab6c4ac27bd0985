/**
 * A cycle's milestones as operators see them: the calendar's milestones with
 * the progress of their timeline steps. Pure: calendar + steps in, views out.
 */
import { DateTime } from 'luxon';
import type { Calendar } from '../calendar/schema.ts';
import { TIME_ZONE, formatLocalInstant } from '../calendar/time.ts';
import type { Step, StepStatus } from '../domain/index.ts';
import type { FailedMilestone, MilestoneView, StepView } from './views.ts';

export const stepView = (s: Step): StepView => ({
  stepId: s.stepId,
  phase: s.phase,
  localDate: s.localDate,
  at: s.at,
  atLocal: formatLocalInstant(s.at),
  status: s.status,
  attempts: s.attempts,
  ...(s.startedAt ? { startedAt: s.startedAt } : {}),
  ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
  ...(s.cause ? { cause: s.cause } : {}),
  ...(s.skipped ? { skipped: s.skipped } : {}),
});

const dayStart = (date: string): number => DateTime.fromISO(date, { zone: TIME_ZONE }).startOf('day').toMillis();
const dayEnd = (date: string): number => DateTime.fromISO(date, { zone: TIME_ZONE }).endOf('day').toMillis();

/** One status for a milestone: a failure shows first, then work in progress, then work to come. */
function aggregate(statuses: readonly StepStatus[]): StepStatus {
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('running')) return 'running';
  if (statuses.length > 0 && statuses.every((s) => s === 'done')) return 'done';
  return 'due';
}

/** The first step still to finish, in time order (the steps come sorted from the store). */
export const nextStepOf = (steps: readonly Step[]): Step | undefined => steps.find((s) => s.status !== 'done');

export function milestoneViews(calendar: Calendar, steps: readonly Step[]): MilestoneView[] {
  const next = nextStepOf(steps);
  return calendar.milestones.map((m) => {
    const own = steps.filter((s) => s.milestoneId === m.id);
    const first = m.date ?? m.opens!;
    const last = m.date ?? m.closes!;
    const failed = own.find((s) => s.status === 'failed');
    return {
      id: m.id,
      kind: m.kind,
      title: m.title,
      ...(m.date ? { date: m.date } : { opens: m.opens, closes: m.closes }),
      from: dayStart(first),
      to: dayEnd(last),
      status: aggregate(own.map((s) => s.status)),
      next: next?.milestoneId === m.id,
      steps: own.map(stepView),
      ...(failed?.cause ? { cause: failed.cause } : {}),
    };
  });
}

export const retryCommand = (cycleId: string, milestoneId: string): string => `inkoop milestone retry ${cycleId} ${milestoneId}`;

export function failedMilestones(cycleId: string, calendar: Calendar, steps: readonly Step[]): FailedMilestone[] {
  const titles = new Map(calendar.milestones.map((m) => [m.id, m.title]));
  return steps
    .filter((s) => s.status === 'failed')
    .map((s) => ({
      milestoneId: s.milestoneId,
      title: titles.get(s.milestoneId) ?? s.milestoneId,
      stepId: s.stepId,
      at: s.at,
      ...(s.finishedAt ? { finishedAt: s.finishedAt } : {}),
      attempts: s.attempts,
      ...(s.cause ? { cause: s.cause } : {}),
      retryCommand: retryCommand(cycleId, s.milestoneId),
    }));
}
