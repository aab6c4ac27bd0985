import { DomainError } from '../commons/errors.ts';

/**
 * The next step of a cycle is recorded as failed: the execution that ran it
 * should have failed too. Thrown by next-milestone so a stray execution stops;
 * the operator re-runs the step with `inkoop milestone retry`.
 */
export class MilestoneFailedError extends DomainError {
  readonly code = 'MilestoneFailed';
  readonly httpStatus = 409;
}
