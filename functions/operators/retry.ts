/** The retry port on the cycle services (functions/cycles): the operator who asks is the actor in the cycle's audit trail. */
import { retryMilestone } from '../cycles/retry.ts';
import type { ExecutionStarter } from '../cycles/executions.ts';
import type { Store } from '../store/index.ts';
import type { RetryMilestonePort } from './ports.ts';

/** `starter` undefined: the steps go back to due and a running local runtime resumes the cycle itself. */
export const retryPort =
  (store: Store, starter: ExecutionStarter | undefined): RetryMilestonePort =>
  (cycleId, milestone, by) =>
    retryMilestone(store, starter, { cycleId, milestone, actor: { kind: 'operator', id: by } });
