/**
 * Re-running a failed milestone (`inkoop milestone retry <cycle> <milestone>`):
 * its failed step goes back to due and a new execution, `<cycleId>-retry-<n>`,
 * resumes the cycle there. Nothing already done is done again: moved
 * applications are no longer where the step reads, and queued emails keep their keys.
 */
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import type { Actor, Cycle, CycleAudit, Step } from '../domain/model.ts';
import type { Store } from '../store/index.ts';
import type { ExecutionStarter } from './executions.ts';

export interface RetryInput {
  cycleId: string;
  /** A milestone id (all its failed steps), or one step id. */
  milestone: string;
  actor: Actor;
}

export interface RetryResult {
  cycle: Cycle;
  /** The steps put back to due. */
  steps: Step[];
  executionName: string;
  /** Undefined when no execution starter was given (locally: the runtime resumes the cycle). */
  executionArn?: string;
  audit: CycleAudit;
}

export async function retryMilestone(store: Store, executions: ExecutionStarter | undefined, input: RetryInput): Promise<RetryResult> {
  const { cycleId } = input;
  const cycle = await store.getCycle(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}`);
  const all = await store.getSteps(cycleId);
  const mine = all.filter((s) => s.milestoneId === input.milestone || s.stepId === input.milestone);
  if (!mine.length) {
    const known = [...new Set(all.map((s) => s.milestoneId))].join(', ');
    throw new NotFoundError(`No milestone ${input.milestone} in cycle ${cycleId} (its milestones: ${known})`);
  }
  const failed = mine.filter((s) => s.status === 'failed');
  // A retry whose execution did not start: the step is due again and the cycle still failed.
  const resuming = !failed.length && cycle.status === 'failed' && mine.some((s) => s.status === 'due' && s.cause);
  if (!failed.length && !resuming) {
    throw new ConflictError(
      `Nothing to retry: no failed step of ${input.milestone} in ${cycleId} (${mine.map((s) => `${s.stepId} ${s.status}`).join(', ')})`,
      { cycleId, milestone: input.milestone },
    );
  }

  const reset = await Promise.all(failed.map((s) => store.updateStep(cycleId, s.stepId, { status: 'due' })));
  const retries = (await store.listCycleAudit(cycleId)).filter((a) => a.kind === 'retry').length;
  const executionName = `${cycleId}-retry-${retries + 1}`;
  const stepIds = (failed.length ? failed : mine.filter((s) => s.status === 'due')).map((s) => s.stepId);
  const audit = await store.recordCycleAudit(cycleId, { kind: 'retry', actor: input.actor, stepIds, executionName });
  if (!executions) return { cycle, steps: reset, executionName, audit };

  const { executionArn } = await executions.startExecution({ name: executionName, cycleId });
  const running = await store.updateCycleStatus(cycleId, 'running', { executionArn });
  return { cycle: running, steps: reset, executionName, executionArn, audit };
}
