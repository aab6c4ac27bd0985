/**
 * What the operator tools need from the world outside the store, as ports.
 * AWS implements them with Step Functions (./sfn-executions.ts); the local
 * rehearsal runtime (functions/local/runtime*) implements them over its
 * embedded engine and virtual clock. The operator code never knows which.
 */

/** Step Functions' execution statuses, plus NOT_STARTED for a cycle without an execution. */
export const EXECUTION_STATUSES = ['NOT_STARTED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** One cycle's workflow execution as the engine reports it. */
export interface ExecutionInfo {
  /** The execution name (AWS: unique per state machine; local: the runtime's name). */
  name: string;
  status: ExecutionStatus;
  /** ISO instants. Local: virtual time. */
  startedAt?: string;
  stoppedAt?: string;
  /** For a failed execution: Step Functions' error and cause. */
  error?: string;
  cause?: string;
  /** AWS only. */
  arn?: string;
}

/** Where the execution status of a cycle comes from. */
export interface ExecutionsPort {
  /** The cycle's current (latest) execution; undefined when it has none. */
  describe(cycle: { id: string; executionArn?: string }): Promise<ExecutionInfo | undefined>;
}

/**
 * Moving the virtual clock by hand: only in an interactive rehearsal. The
 * dashboard shows "advance to the next milestone" when this port is given and
 * `interactive()` is true.
 */
export interface ClockControlPort {
  interactive(): boolean;
  /** The instant (epoch ms) the earliest waiting workflow step wakes up; undefined when nothing waits. */
  nextWakeUp(): number | undefined;
  /**
   * Moves the clock to the next wake-up. Resolves once the work due at that
   * instant has run (the milestone and its emails), with the instants moved
   * between; undefined when nothing was waiting.
   */
  advanceToNext(): Promise<{ from: number; to: number } | undefined>;
}

/**
 * Re-runs a failed milestone of a cycle: its failed steps back to due and a
 * new execution that resumes there (functions/cycles `retryMilestone`).
 * `milestone` is a milestone id or one step id (`<milestoneId>#<phase>`);
 * `by` is the operator, for the cycle's audit trail.
 */
export type RetryMilestonePort = (cycleId: string, milestone: string, by: string) => Promise<RetryOutcome>;

export interface RetryOutcome {
  executionName: string;
  /** Absent when no execution could be started here (the local runtime resumes the cycle itself). */
  executionArn?: string;
  steps: { stepId: string }[];
}

/**
 * Resumes a stalled cycle (its chain of executions ended before its calendar):
 * steps left running or failed back to due and a new execution
 * (functions/cycles `resumeCycle`). `by` is the operator, for the audit trail.
 */
export type ResumeCyclePort = (cycleId: string, by: string) => Promise<RetryOutcome>;

/** An executions port for when nothing is known (a store without an engine). */
export const noExecutions: ExecutionsPort = { describe: async () => undefined };
