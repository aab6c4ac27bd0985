import type { Clock } from '../commons/clock.ts';
import type { AdminPort } from './admin.ts';
import type { ClockControlPort, ExecutionsPort, ResumeCyclePort, RetryMilestonePort } from './ports.ts';
import type { OperatorStore } from './reads.ts';

/** What the operator domain modules run on; the same in the CLI, the Lambda and the dashboard. */
export interface OperatorDeps {
  store: OperatorStore;
  /** The clock in use: the system clock in AWS, the rehearsal's virtual clock locally. */
  clock: Clock;
  executions: ExecutionsPort;
  /** Only in an interactive rehearsal. */
  clockControl?: ClockControlPort;
  /** Re-runs a failed milestone; without it the retry route answers 501. */
  retry?: RetryMilestonePort;
  /** Creating, starting and amending cycles, importing providers; without it those routes answer 501. */
  admin?: AdminPort;
  /** Resumes a stalled cycle; without it the resume route answers 501. */
  resume?: ResumeCyclePort;
}
