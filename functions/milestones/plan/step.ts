/**
 * What a plan asks about its step: the calendar's milestones, the time on the
 * step's clock, the step's own trigger, and the key dates emails list.
 */
import { DateTime } from 'luxon';
import type { MilestoneKind } from '../../calendar/schema.ts';
import { deadlineEnd, TIME_ZONE } from '../../calendar/time.ts';
import type { Trigger } from '../../domain/model.ts';
import { triggers } from '../../domain/transitions.ts';
import type { KeyDate } from '../../email/params.ts';
import { milestoneOf, type StepContext } from '../context.ts';

export const DAY = 86_400_000;
export const SYSTEM = { kind: 'system' } as const;

export const has = (ctx: StepContext, kind: MilestoneKind): boolean => !!milestoneOf(ctx.calendar, kind);
export const dateOf = (ctx: StepContext, kind: MilestoneKind): string | undefined => {
  const m = milestoneOf(ctx.calendar, kind);
  return m && (m.date ?? m.closes);
};
export const now = (ctx: StepContext): number => ctx.clock.now();
export const today = (ctx: StepContext): string => DateTime.fromMillis(now(ctx), { zone: TIME_ZONE }).toISODate()!;
/** Whether the last day to act on `date` has not passed yet. */
export const open = (ctx: StepContext, date: string | undefined): date is string => !!date && now(ctx) <= Date.parse(deadlineEnd(date));
export const stepTrigger = (ctx: StepContext): Trigger => triggers.milestone(ctx.step.kind, ctx.step.phase);
/** All steps of a kind already done (the milestone has happened). */
export const happened = (ctx: StepContext, kind: MilestoneKind): boolean => {
  const steps = ctx.steps.filter((s) => s.kind === kind);
  return steps.length > 0 && steps.every((s) => s.status === 'done');
};

export function keyDates(ctx: StepContext, calendar = ctx.calendar): KeyDate[] {
  return calendar.milestones.map((m) => ({ title: m.title, date: (m.date ?? m.opens)!, ...(m.closes ? { until: m.closes } : {}) }));
}
