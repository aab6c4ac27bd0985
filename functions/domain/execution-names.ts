/**
 * Names of a cycle's Step Functions executions. A cycle runs as a chain of
 * executions (workflows/cycle.ts): `msr-2021` first, then one per milestone step
 * (`msr-2021--proposal-deadline-closes`), its parts if a step hands over in the
 * middle (`…--2`), a long wait handed over (`msr-2021--waits-20230401`) and each
 * resume (`msr-2021--resume-1`). Names are deterministic, so a retried hand-over
 * finds the execution it started (ExecutionAlreadyExists) instead of starting a
 * second, and readable, since operators see them in the console and `inkoop status`.
 *
 * Step Functions allows 1-80 characters and refuses, among others, `#`, `:`,
 * `/` and whitespace; a name may not be reused by the same state machine.
 */
import { createHash } from 'node:crypto';

export const EXECUTION_NAME_MAX = 80;
/** Room a name keeps for the `--<part>` of a step handed over in its middle. */
const PART_ROOM = 6;
const SEPARATOR = '--';

function fit(name: string, max: number): string {
  const clean = name.replace(/[^A-Za-z0-9_-]+/g, '-');
  if (clean.length <= max) return clean;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${clean.slice(0, max - hash.length - 1)}-${hash}`;
}

/** The execution a run of a step hands over to when the step is done (attempt 1 keeps the plain name). */
export function stepExecutionName(cycleId: string, stepId: string, attempt: number): string {
  const label = attempt > 1 ? `${stepId}-${attempt}` : stepId;
  return fit(`${cycleId}${SEPARATOR}${label}`, EXECUTION_NAME_MAX - PART_ROOM);
}

/** The execution that waits on in place of one that has waited long enough; `day` is YYYY-MM-DD (UTC). */
export function waitExecutionName(cycleId: string, day: string): string {
  return fit(`${cycleId}${SEPARATOR}waits-${day.replace(/-/g, '')}`, EXECUTION_NAME_MAX);
}

/** The `n`th resume of a cycle. */
export function resumeExecutionName(cycleId: string, n: number): string {
  return fit(`${cycleId}${SEPARATOR}resume-${n}`, EXECUTION_NAME_MAX);
}

/** Whether an execution name belongs to the cycle's chain (its first execution or a successor). */
export function isCycleExecution(cycleId: string, name: string): boolean {
  return name === cycleId || name.startsWith(`${fit(cycleId, EXECUTION_NAME_MAX)}${SEPARATOR}`);
}
