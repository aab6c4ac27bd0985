import { DomainError } from '../commons/errors.ts';

/**
 * A step that publishes next year's dates needs next year's cycle, which does not
 * exist. In AWS the milestone fails loudly (create the cycle, retry the step); a
 * rehearsal, which rehearses one cycle, reports the step as skipped instead.
 */
export class NextCycleMissingError extends DomainError {
  readonly code = 'NextCycleMissing';
  readonly httpStatus = 409;
}

/**
 * The next step of a cycle is recorded as failed: the execution that ran it
 * should have failed too. Thrown by next-milestone so a stray execution stops;
 * the operator re-runs the step with `inkoop milestone retry`.
 */
export class MilestoneFailedError extends DomainError {
  readonly code = 'MilestoneFailed';
  readonly httpStatus = 409;
}
