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

/**
 * Why a provider link cannot be used. Each refusal has its own page
 * (functions/links/pages.ts). "Not allowed in the current state" is the shared
 * `TransitionRefusedError` (409) from commons; the domain throws it.
 *
 * Statuses:
 * - invalid (tampered, malformed, unknown, other action): 404. A prober must not
 *   learn whether the signature or the lookup failed, and there is nothing the
 *   client could correct (a 400 would suggest there is).
 * - expired, used, superseded: 410. The link is gone for good; asking again will
 *   not help (a 409 would suggest a retry after a state change could).
 * - not the signatory: 403.
 * - registration window: before it opens 403, after it closed 410.
 */

/** Tampered, malformed, unknown, or meant for another page. Deliberately says no more. */
export class LinkInvalidError extends DomainError {
  readonly code = 'LinkInvalid';
  readonly httpStatus = 404;
  constructor(message = 'link is not valid') {
    super(message);
  }
}

/** The action's deadline has passed. Carries the deadline so a page can name it. */
export class LinkExpiredError extends ExpiredError {
  constructor(readonly expiresAt: number) {
    super('link expired', { expiresAt });
  }
}

/** A single-use link that already did its work. */
export class LinkUsedError extends DomainError {
  readonly code = 'LinkUsed';
  readonly httpStatus = 410;
  constructor(readonly usedAt: number) {
    super('link already used', { usedAt });
  }
}

/** A newer link for the same action was sent; only the newest one works. */
export class LinkSupersededError extends DomainError {
  readonly code = 'LinkSuperseded';
  readonly httpStatus = 410;
  constructor() {
    super('link superseded by a newer one');
  }
}

/** Only the authorised signatory's link may sign the agreement. */
export class NotSignatoryError extends DomainError {
  readonly code = 'NotSignatory';
  readonly httpStatus = 403;
  constructor() {
    super('contact is not the authorised signatory');
  }
}

/** A signatory claimed through the public registration form whose authority no purchaser has confirmed yet: 403. */
export class SigningAuthorityUnconfirmedError extends DomainError {
  readonly code = 'SigningAuthorityUnconfirmed';
  readonly httpStatus = 403;
  constructor() {
    super('signing authority not confirmed by a purchaser');
  }
}

/** The public registration form before the window opens. */
export class RegistrationNotOpenError extends DomainError {
  readonly code = 'RegistrationNotOpen';
  readonly httpStatus = 403;
  constructor(readonly opensAt: number) {
    super('registration window not open yet', { opensAt });
  }
}

/** The public registration form after the window closed. */
export class RegistrationClosedError extends DomainError {
  readonly code = 'RegistrationClosed';
  readonly httpStatus = 410;
  constructor(readonly closedAt: number) {
    super('registration window closed', { closedAt });
  }
}

/* HTTP edge refusals (functions/http): no route, method, body size, media type. */

/** No route for the path. */
export class RouteNotFoundError extends DomainError {
  readonly code = 'NotFound';
  readonly httpStatus = 404;
}

export class MethodNotAllowedError extends DomainError {
  readonly code = 'MethodNotAllowed';
  readonly httpStatus = 405;
  constructor(readonly allow: string[]) {
    super('method not allowed', { allow });
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PayloadTooLarge';
  readonly httpStatus = 413;
  constructor(readonly limitBytes: number) {
    super('request body too large', { limitBytes });
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'UnsupportedMediaType';
  readonly httpStatus = 415;
}

/**
 * A function's environment is incomplete or wrong (functions/commons/env.ts): a
 * deployment fault, not bad input, so it is no DomainError and every edge
 * treats it as a 500 and logs it. Thrown at cold start, naming the variable.
 */
export class ConfigurationError extends Error {
  constructor(message: string, readonly variables: readonly string[]) {
    super(message);
    this.name = 'ConfigurationError';
  }
}
