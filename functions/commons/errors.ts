/**
 * Typed domain errors. Domain code throws these; only the edges (CLI, HTTP
 * handlers, Step Functions task handlers) map them to exit codes and statuses.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** HTTP status at the API edge. */
  abstract readonly httpStatus: number;
  /** Process exit code at the CLI edge. */
  readonly exitCode: number = 1;

  constructor(message: string, readonly details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
  }
}

export interface Issue {
  /** Where: a file name, a CSV line, a form field. */
  source?: string;
  /** Path inside the input, e.g. `milestones[3].closes`. */
  path: string;
  message: string;
  expected?: string;
  found?: string;
}

/** Bad input: a calendar, an import file, a form, a CLI argument. */
export class ValidationError extends DomainError {
  readonly code = 'ValidationError';
  readonly httpStatus = 400;
  constructor(message: string, readonly issues: Issue[] = []) {
    super(message, { issues });
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NotFound';
  readonly httpStatus = 404;
}

/** A transition that the table does not allow from the current state, or whose guard fails. */
export class TransitionRefusedError extends DomainError {
  readonly code = 'TransitionRefused';
  readonly httpStatus = 409;
}

/** Optimistic-concurrency loss: someone else moved the item first. */
export class ConflictError extends DomainError {
  readonly code = 'Conflict';
  readonly httpStatus = 409;
}

export class ForbiddenError extends DomainError {
  readonly code = 'Forbidden';
  readonly httpStatus = 403;
}

/** A link or action whose time is over. */
export class ExpiredError extends DomainError {
  readonly code = 'Expired';
  readonly httpStatus = 410;
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
