/**
 * The history Step Functions would record for each execution, counted from the
 * local engine's events the way a standard workflow counts them, and the limits
 * an execution must stay within.
 *
 * Events per state (AWS, standard workflows): a Task (Lambda or an AWS SDK /
 * service integration) records TaskStateEntered, TaskScheduled, TaskStarted,
 * TaskSucceeded|TaskFailed and TaskStateExited, and each retry another
 * TaskScheduled, TaskStarted and result; Choice, Wait, Pass and Succeed record
 * entered and exited; Fail records entered; the execution records its start and
 * its end. A state transition (what Step Functions bills) is each state entered
 * and each retry.
 */
import type { RunEvent } from './step-functions.ts';

/** Step Functions' quotas for a standard execution (hard limits). */
export const SFN_LIMITS = { historyEvents: 25_000, days: 365 } as const;
/** What this project allows an execution: a margin under the hard history limit. */
export const EXECUTION_BUDGET = { historyEvents: 20_000, days: 365 } as const;

const DAY_MS = 86_400_000;

export interface ExecutionHistory {
  name: string;
  /** Virtual instants (ISO). */
  start: string;
  stop?: string;
  status: string;
  /** (stop or now) − start, in days. */
  days: number;
  historyEvents: number;
  stateTransitions: number;
}

interface Counting {
  name: string;
  start: number;
  stop?: number;
  status: string;
  events: number;
  transitions: number;
}

/** Feed it every RunEvent of every execution (the runtime's onRunEvent); read `executions()`. */
export class HistoryCounter {
  private readonly byName = new Map<string, Counting>();

  constructor(private readonly now: () => number) {}

  record(event: RunEvent, execution: { name: string }): void {
    let c = this.byName.get(execution.name);
    if (!c) {
      c = { name: execution.name, start: event.at, status: 'RUNNING', events: 0, transitions: 0 };
      this.byName.set(execution.name, c);
    }
    switch (event.type) {
      case 'executionStarted':
        c.start = event.at;
        c.events++;
        break;
      case 'executionSucceeded':
      case 'executionFailed':
      case 'executionAborted':
        c.events++;
        c.stop = event.at;
        c.status = event.type === 'executionSucceeded' ? 'SUCCEEDED' : event.type === 'executionAborted' ? 'ABORTED' : 'FAILED';
        break;
      case 'stateEntered':
        c.transitions++;
        // Task: entered, scheduled, started.
        c.events += event.stateType === 'Task' ? 3 : 1;
        break;
      case 'stateExited':
        // Task: succeeded, exited. (Fail states never exit.)
        c.events += event.stateType === 'Task' ? 2 : 1;
        break;
      case 'stateFailed':
        c.events++; // TaskFailed (or the state's failure)
        break;
      case 'stateRetried':
        c.transitions++;
        c.events += 2; // scheduled, started again
        break;
      default:
        break;
    }
  }

  executions(): ExecutionHistory[] {
    const now = this.now();
    return [...this.byName.values()].map((c) => ({
      name: c.name,
      start: new Date(c.start).toISOString(),
      ...(c.stop !== undefined ? { stop: new Date(c.stop).toISOString() } : {}),
      status: c.status,
      days: Math.round((((c.stop ?? now) - c.start) / DAY_MS) * 100) / 100,
      historyEvents: c.events,
      stateTransitions: c.transitions,
    }));
  }
}

export interface LimitCrossed {
  execution: string;
  limit: 'historyEvents' | 'days';
  value: number;
  max: number;
}

/** Every execution over the project's budget (which is at most Step Functions' hard limits). */
export function limitsCrossed(executions: readonly ExecutionHistory[], budget: typeof EXECUTION_BUDGET = EXECUTION_BUDGET): LimitCrossed[] {
  const crossed: LimitCrossed[] = [];
  for (const e of executions) {
    if (e.historyEvents > budget.historyEvents) crossed.push({ execution: e.name, limit: 'historyEvents', value: e.historyEvents, max: budget.historyEvents });
    if (e.days > budget.days) crossed.push({ execution: e.name, limit: 'days', value: e.days, max: budget.days });
  }
  return crossed;
}
