/**
 * A cycle: one care type's contracting for one contract period, created from
 * a calendar. Its milestone steps come from the timeline builder
 * (functions/calendar/timeline.ts), passed in so this module does not depend on it.
 */
import type { Calendar } from '../calendar/schema.ts';
import type { Clock } from '../commons/clock.ts';
import { ValidationError } from '../commons/errors.ts';
import { stepInputSchema, type Cycle, type Step, type StepInput } from './model.ts';

export interface NewCycle {
  cycle: Cycle;
  steps: Step[];
}

/** The cycle id defaults to the calendar id (e.g. `msr-2021`): one cycle per calendar. */
export function createCycleFromCalendar(
  calendar: Calendar,
  options: { steps: readonly StepInput[]; clock: Clock; id?: string },
): NewCycle {
  const now = new Date(options.clock.now()).toISOString();
  const id = options.id ?? calendar.id;
  const issues = options.steps.flatMap((step, i) => {
    const parsed = stepInputSchema.safeParse(step);
    return parsed.success ? [] : parsed.error.issues.map((issue) => ({ path: `steps[${i}].${issue.path.join('.')}`, message: issue.message }));
  });
  if (issues.length) throw new ValidationError(`The timeline of ${id} has invalid steps`, issues);
  const cycle: Cycle = {
    id,
    calendarId: calendar.id,
    careType: calendar.careType,
    regime: calendar.regime,
    contract: calendar.contract,
    calendar,
    status: 'planned',
    createdAt: now,
    updatedAt: now,
  };
  const steps = options.steps.map((s): Step => ({ ...stepInputSchema.parse(s), cycleId: id, status: 'due', attempts: 0 }));
  return { cycle, steps };
}

/** What an agenda needs to replace the events it has (functions/calendar/ics.ts): the amendment count and when it changed. */
export const icsVersion = (cycle: Pick<Cycle, 'amendments' | 'amendedAt' | 'createdAt'>): { sequence: number; lastModified: string } => ({
  sequence: cycle.amendments ?? 0,
  lastModified: cycle.amendedAt ?? cycle.createdAt,
});
