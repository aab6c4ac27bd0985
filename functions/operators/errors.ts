import { DomainError } from '../commons/errors.ts';

/** This runtime has no such capability (no clock control outside a rehearsal, no retry port wired). */
export class UnavailableError extends DomainError {
  readonly code = 'Unavailable';
  readonly httpStatus = 501;
}
