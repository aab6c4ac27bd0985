/** Cycle services: create and start a cycle, amend its calendar, retry a failed milestone. */
export { createCycle, startCycle, type CreatedCycle } from './create.ts';
export { amendMilestone, type AmendInput, type AmendResult, type Change } from './amend.ts';
export { retryMilestone, type RetryInput, type RetryResult } from './retry.ts';
export {
  createSfnExecutionStarter,
  openLocalExecutionStarter,
  provideLocalExecutionStarter,
  type ExecutionStarter,
  type LocalExecutionStarter,
  type LocalExecutionStarterFactory,
  type StartedExecution,
} from './executions.ts';
