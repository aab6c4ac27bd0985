/**
 * Resuming a stalled cycle (`inkoop cycle resume <cycle>`): its chain of
 * executions ended before the calendar did (an execution failed, timed out, was
 * aborted, or crossed a Step Functions limit). Steps left `running` or `failed`
 * go back to due and a new execution, `<cycleId>--resume-<n>`, picks up at the
 * first step not done. Nothing done is done again: a step re-runs from its
 * first page, moved applications are no longer where it reads, and queued
 * emails keep their idempotency keys.
 */
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { resumeExecutionName } from '../domain/execution-names.ts';
import type { Actor, Cycle, CycleAudit, Step } from '../domain/model.ts';
import type { Store } from '../store/index.ts';
import type { ExecutionStarter } from './executions.ts';

/** What is known of the cycle's current execution (the operators' ExecutionsPort answers it). */
export type CurrentExecution = (cycle: Cycle) => Promise<{ name: string; status: string } | undefined>;

export interface ResumeResult {
  cycle: Cycle;
  /** The steps put back to due. */
  steps: Step[];
  executionName: string;
  /** Undefined when no execution starter was given (locally: the runtime resumes the cycle when it runs it). */
  executionArn?: string;
  audit: CycleAudit;
}

export async function resumeCycle(
  store: Store,
  ports: { current: CurrentExecution; starter: ExecutionStarter | undefined },
  input: { cycleId: string; actor: Actor },
): Promise<ResumeResult> {
  const { cycleId } = input;
  const cycle = await store.getCycle(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}`);
  if (cycle.status === 'planned') throw new ConflictError(`Cycle ${cycleId} has not started: start it with inkoop cycle start ${cycleId}`, { cycleId, status: cycle.status });
  if (cycle.status === 'done' || cycle.status === 'cancelled') throw new ConflictError(`Cycle ${cycleId} is ${cycle.status}: nothing to resume`, { cycleId, status: cycle.status });
  const current = await ports.current(cycle);
  if (current?.status === 'RUNNING') {
    throw new ConflictError(`Cycle ${cycleId} is not stalled: its execution ${current.name} is running`, { cycleId, name: current.name });
  }

  const left = (await store.getSteps(cycleId)).filter((s) => s.status === 'running' || s.status === 'failed');
  const steps = await Promise.all(left.map((s) => store.updateStep(cycleId, s.stepId, { status: 'due' })));
  const resumes = (await store.listCycleAudit(cycleId)).filter((a) => a.kind === 'resume').length;
  const executionName = resumeExecutionName(cycleId, resumes + 1);
  const audit = await store.recordCycleAudit(cycleId, { kind: 'resume', actor: input.actor, stepIds: left.map((s) => s.stepId), executionName });
  if (!ports.starter) return { cycle, steps, executionName, audit };

  const { executionArn } = await ports.starter.startExecution({ name: executionName, cycleId });
  const running = await store.updateCycleStatus(cycleId, 'running', { executionArn });
  return { cycle: running, steps, executionName, executionArn, audit };
}
