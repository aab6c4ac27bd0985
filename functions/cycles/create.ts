/** Creating a cycle from a calendar, and starting its workflow. */
import { isDeepStrictEqual } from 'node:util';
import type { Calendar } from '../calendar/schema.ts';
import { buildTimeline } from '../calendar/timeline.ts';
import type { Clock } from '../commons/clock.ts';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { createCycleFromCalendar } from '../domain/cycle.ts';
import type { Cycle, Step } from '../domain/model.ts';
import type { Store } from '../store/index.ts';
import type { ExecutionStarter } from './executions.ts';

export interface CreatedCycle {
  created: boolean;
  cycle: Cycle;
  steps: Step[];
  /** The cycle existed with another calendar (amended since, or another file with the same id). */
  calendarDiffers: boolean;
}

/**
 * The cycle (id = calendar id) with its steps from the timeline. Idempotent: an
 * existing cycle is returned as it is (its steps completed if a previous run
 * stopped between the two writes); amending goes through `amendMilestone`.
 */
export async function createCycle(store: Store, calendar: Calendar, clock: Clock): Promise<CreatedCycle> {
  const timeline = buildTimeline(calendar);
  const existing = await store.getCycle(calendar.id);
  if (existing) {
    let steps = await store.getSteps(existing.id);
    if (steps.length === 0) steps = await store.putSteps(existing.id, buildTimeline(existing.calendar));
    return { created: false, cycle: existing, steps, calendarDiffers: !isDeepStrictEqual(existing.calendar, calendar) };
  }
  const { cycle, steps: fresh } = createCycleFromCalendar(calendar, { steps: timeline, clock });
  // Steps first: a cycle that exists always has its steps.
  const steps = await store.putSteps(cycle.id, fresh);
  await store.putCycle(cycle);
  return { created: true, cycle, steps, calendarDiffers: false };
}

/** Starts the first execution of a planned cycle (named after the cycle). */
export async function startCycle(store: Store, executions: ExecutionStarter, cycleId: string): Promise<{ cycle: Cycle; executionArn: string }> {
  const cycle = await store.getCycle(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}: create it first (inkoop cycle create <calendar>)`);
  if (cycle.status !== 'planned') {
    const hint = cycle.status === 'failed' ? ': re-run the failed milestone with inkoop milestone retry' : '';
    throw new ConflictError(`Cycle ${cycleId} is ${cycle.status}, not planned${hint}`, { cycleId, status: cycle.status });
  }
  const { executionArn } = await executions.startExecution({ name: cycleId, cycleId });
  return { cycle: await store.updateCycleStatus(cycleId, 'running', { executionArn }), executionArn };
}
