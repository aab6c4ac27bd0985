/**
 * A model of the history a standard Step Functions execution of the cycle
 * workflow (workflows/cycle.ts) records, walking a calendar the way the
 * workflow does: load the next step (a Task), finished? (Choice), wait until
 * it is due but at most a day (Wait), due? (Choice), and when due: mark running,
 * run pages, send emails, mark done (Tasks, with their Choices).
 *
 * Events per state as Step Functions records them:
 * - a Lambda Task: TaskStateEntered, TaskScheduled, TaskStarted, TaskSucceeded, TaskStateExited (5);
 * - a Choice, a Wait, the Succeed state: entered and exited (2);
 * - the execution: ExecutionStarted and ExecutionSucceeded (2).
 */
import type { Calendar } from '../../../functions/calendar/schema.ts';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { MAX_WAIT_MS } from '../../../functions/milestones/loop.ts';

export const EVENTS_PER_STATE = { Task: 5, Choice: 2, Wait: 2, Succeed: 2 } as const;
export const EXECUTION_EVENTS = 2;
/** The hard limit of a standard execution's history. */
export const HISTORY_LIMIT = 25_000;

export interface HistoryCount {
  total: number;
  /** States entered, by type. */
  states: Record<keyof typeof EVENTS_PER_STATE, number>;
  /** Times "Load the next milestone" ran. */
  loads: number;
  steps: number;
}

export function countEvents(states: HistoryCount['states']): number {
  return EXECUTION_EVENTS + (Object.keys(states) as (keyof typeof EVENTS_PER_STATE)[]).reduce((n, t) => n + states[t] * EVENTS_PER_STATE[t], 0);
}

/**
 * Walks the calendar from `start` (epoch ms). `pages` and `sends`: the run-page
 * and send invocations of each step (1 each when a step fits in one page).
 */
export function simulateHistory(calendar: Calendar, options: { start: number; pages?: number; sends?: number }): HistoryCount {
  const pages = options.pages ?? 1;
  const sends = options.sends ?? 1;
  const steps = buildTimeline(calendar).map((s) => Date.parse(s.at));
  const states = { Task: 0, Choice: 0, Wait: 0, Succeed: 0 };
  let now = options.start;
  let loads = 0;
  let next = 0;
  for (;;) {
    loads++;
    states.Task++; // Load the next milestone
    states.Choice++; // Is the calendar finished?
    if (next >= steps.length) {
      states.Succeed++;
      break;
    }
    const at = steps[next];
    const due = now >= at;
    states.Wait++;
    now = Math.max(now, Math.min(at, now + MAX_WAIT_MS));
    states.Choice++; // Is the milestone due now? (decided at the load)
    if (!due) continue;
    states.Task += 1 + pages + sends + 1; // running, pages, sends, done
    states.Choice += pages + sends; // more pages? more emails?
    next++;
  }
  return { total: countEvents(states), states, loads, steps: steps.length };
}
