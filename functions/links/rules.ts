import { NotSignatoryError, RegistrationClosedError, RegistrationNotOpenError } from '../commons/errors.ts';
import type { LinkClaims } from '../domain/tokens.ts';

/**
 * Access rules beside the link's own (functions/domain/tokens.ts). Pure: callers bring
 * the facts (the signatory from the store, the window from the calendar).
 */

/** Only the link sent to the authorised signatory can sign the agreement. */
export function assertSignatory(claims: Pick<LinkClaims, 'contactId'>, signatoryContactId: string | undefined): void {
  if (signatoryContactId === undefined || claims.contactId !== signatoryContactId) throw new NotSignatoryError();
}

export interface Window {
  /** Epoch ms, first valid instant (start of the opening day, Europe/Amsterdam). */
  opensAt: number;
  /** Epoch ms, last valid instant (end of the closing day, Europe/Amsterdam). */
  closesAt: number;
}

/** The public registration form is open from `opensAt` up to and including `closesAt`. */
export function assertRegistrationOpen(window: Window, now: number): void {
  if (now < window.opensAt) throw new RegistrationNotOpenError(window.opensAt);
  if (now > window.closesAt) throw new RegistrationClosedError(window.closesAt);
}
