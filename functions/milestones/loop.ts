/**
 * The workflow's loop over a cycle's steps (workflows/cycle.ts): which step is
 * next and when, and recording each step as running, done or failed.
 */
import { buildTimeline } from '../calendar/timeline.ts';
import { isoAt, type Clock } from '../commons/clock.ts';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { redact } from '../commons/logger.ts';
import { stepExecutionName, waitExecutionName } from '../domain/execution-names.ts';
import type { Step } from '../domain/model.ts';
import type { NextMilestoneInput, NextMilestoneOutput, RecordMilestoneInput, RecordMilestoneOutput } from '../../workflows/contracts.ts';
import type { Store } from '../store/index.ts';
import { defaultLogger, type MilestoneLogger } from './context.ts';
import { MilestoneFailedError } from './errors.ts';

/** What the loop needs: no configuration, no publications. */
export interface LoopDeps {
  store: Store;
  clock: Clock;
  log?: MilestoneLogger;
  /** Default HAND_OVER_AFTER_DAYS (tests shorten it). */
  handOverAfterDays?: number;
}

/** Each wait is capped at one day, then the step is read again: an amended date is followed either way. */
export const MAX_WAIT_MS = 86_400_000;

/**
 * A standard execution lives at most 365 days: one that has waited this long for
 * its milestone hands the wait over to a new execution. 300 daily wait loops are
 * also at most 3,300 history events.
 */
export const HAND_OVER_AFTER_DAYS = 300;


/** Steps in the order the workflow runs them: by instant, ties in calendar order (as the timeline builds them). */
export function inRunOrder(steps: readonly Step[], timelineOrder: readonly string[]): Step[] {
  const index = new Map(timelineOrder.map((id, i) => [id, i]));
  return [...steps].sort((a, b) => a.at.localeCompare(b.at) || (index.get(a.stepId) ?? 1e9) - (index.get(b.stepId) ?? 1e9) || a.stepId.localeCompare(b.stepId));
}

/**
 * The earliest step not done. A failed one blocks (MilestoneFailedError: the
 * execution stops until an operator retries it); a due or running one is next.
 * With every step done, the cycle is marked done and the loop finishes. The
 * cycle records the execution that asks (each successor in the chain, once).
 */
export async function nextMilestone(deps: LoopDeps, input: NextMilestoneInput): Promise<NextMilestoneOutput> {
  const { store, clock } = deps;
  const { cycleId } = input;
  // The steps come from the store's in-process cache while the cycle item names their version: a daily wake-up reads one item.
  const { cycle, steps } = await store.getCycleWithSteps(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}`);
  const now = clock.now();
  const finished = { finished: true, due: false, waitUntil: isoAt(now), step: null, handOver: null };
  if (cycle.status === 'cancelled') return finished;
  if (input.executionId && cycle.executionArn !== input.executionId && (cycle.status === 'running' || cycle.status === 'planned')) {
    await store.updateCycleStatus(cycleId, 'running', { executionArn: input.executionId });
  }

  const order = buildTimeline(cycle.calendar).map((s) => s.stepId);
  const next = inRunOrder(steps, order).find((s) => s.status !== 'done');
  if (!next) {
    if (cycle.status !== 'done') await store.updateCycleStatus(cycleId, 'done');
    return finished;
  }
  if (next.status === 'failed') {
    throw new MilestoneFailedError(
      `Step ${next.stepId} of ${cycleId} failed${next.cause ? ` (${next.cause})` : ''}; re-run it with: inkoop milestone retry ${cycleId} ${next.milestoneId}`,
      { cycleId, stepId: next.stepId },
    );
  }
  const at = Date.parse(next.at);
  const due = now >= at;
  const startedAt = input.executionStartedAt ? Date.parse(input.executionStartedAt) : NaN;
  const waitedLongEnough = !due && now - startedAt >= (deps.handOverAfterDays ?? HAND_OVER_AFTER_DAYS) * MAX_WAIT_MS;
  return {
    finished: false,
    due,
    waitUntil: isoAt(Math.min(at, now + MAX_WAIT_MS)),
    step: { stepId: next.stepId, milestoneId: next.milestoneId, kind: next.kind, phase: next.phase, at: next.at },
    handOver: waitedLongEnough ? waitExecutionName(cycleId, isoAt(now).slice(0, 10)) : null,
  };
}

/**
 * The cause Step Functions hands over, as one readable line. A Lambda error's
 * Cause is JSON (`errorType`, `errorMessage`, `trace`): only type and message are kept.
 */
export function describeCause(error: { Error?: string; Cause?: string }): string {
  let name = error.Error ?? 'Error';
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorType?: string; errorMessage?: string };
    if (parsed && typeof parsed === 'object' && (parsed.errorMessage || parsed.errorType)) {
      name = parsed.errorType ?? name;
      message = parsed.errorMessage ?? '';
    }
  } catch {
    // not JSON: keep it as it is
  }
  return String(redact(message ? `${name}: ${message}` : name)).slice(0, 1000);
}

export async function recordMilestone(deps: LoopDeps, input: RecordMilestoneInput): Promise<RecordMilestoneOutput> {
  const { store } = deps;
  const log = deps.log ?? defaultLogger;
  const { cycleId, stepId } = input;
  switch (input.status) {
    case 'running': {
      const step = await store.updateStep(cycleId, stepId, { status: 'running' });
      const cycle = await store.getCycle(cycleId);
      if (cycle && (cycle.status !== 'running' || (input.executionId && cycle.executionArn !== input.executionId))) {
        await store.updateCycleStatus(cycleId, 'running', input.executionId ? { executionArn: input.executionId } : {});
      }
      log.info('milestone running', { cycleId, stepId });
      return { cursor: null, more: true, name: stepExecutionName(cycleId, stepId, step.attempts) };
    }
    case 'done':
      await store.updateStep(cycleId, stepId, { status: 'done' });
      log.info('milestone done', { cycleId, stepId });
      return { cursor: null, more: false };
    case 'failed': {
      const cause = describeCause(input.error);
      await markFailed(store, cycleId, stepId, cause);
      await store.updateCycleStatus(cycleId, 'failed', { cause: `${stepId}: ${cause}` });
      // The execution fails next (the failed-executions alarm); this line names the step.
      log.error('milestone failed', { cycleId, stepId, cause });
      return { cursor: null, more: false };
    }
  }
}

/**
 * running → failed. A step that failed before it was marked running (the mark
 * itself failed) goes through running; one already done stays done (a stray
 * second execution failed on it), and only the cycle records the failure.
 */
async function markFailed(store: Store, cycleId: string, stepId: string, cause: string): Promise<void> {
  try {
    await store.updateStep(cycleId, stepId, { status: 'failed', cause });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    if (error.details?.from === 'done') return;
    if (error.details?.from !== 'due') throw error;
    await store.updateStep(cycleId, stepId, { status: 'running' });
    await store.updateStep(cycleId, stepId, { status: 'failed', cause });
  }
}
