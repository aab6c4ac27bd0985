/** The retry and resume ports on the cycle services (functions/cycles): the operator who asks is the actor in the cycle's audit trail. */
import { resumeCycle } from '../cycles/resume.ts';
import { retryMilestone } from '../cycles/retry.ts';
import type { ExecutionStarter } from '../cycles/executions.ts';
import type { Store } from '../store/index.ts';
import type { ExecutionsPort, ResumeCyclePort, RetryMilestonePort } from './ports.ts';

/** `starter` undefined: the steps go back to due and a running local runtime resumes the cycle itself. */
export const retryPort =
  (store: Store, starter: ExecutionStarter | undefined): RetryMilestonePort =>
  (cycleId, milestone, by) =>
    retryMilestone(store, starter, { cycleId, milestone, actor: { kind: 'operator', id: by } });

/** Resumes only a cycle whose current execution (as `executions` follows the chain) is not running. */
export const resumePort =
  (store: Store, starter: ExecutionStarter | undefined, executions: ExecutionsPort): ResumeCyclePort =>
  (cycleId, by) =>
    resumeCycle(store, { current: (cycle) => executions.describe(cycle), starter }, { cycleId, actor: { kind: 'operator', id: by } });
