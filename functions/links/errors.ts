import { DomainError, ExpiredError } from '../commons/errors.ts';

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
