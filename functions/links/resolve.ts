import type { Clock } from '../commons/clock.ts';
import { LinkExpiredError, LinkInvalidError } from './errors.ts';
import { assertUsable, type TokenRecord } from './model.ts';
import { hashToken, verifyToken, type LinkAction, type LinkClaims, type LinkKey } from './token.ts';

/**
 * From a token in a URL to the claims and record it stands for, or the refusal
 * to show. Read-only on purpose: GET pages call it and never act, because mail
 * scanners and link previews open every link in a mail before the provider
 * does. Acting is a POST, which consumes the record with a conditional write.
 *
 * Expiry is checked twice: the token's signed `expiresAt` caps it, the record's
 * can only shorten it. So moving a deadline earlier needs only the record
 * updated; moving it later needs new links (a new mail, superseding the old).
 */
export interface ResolveLinkDeps {
  key: LinkKey;
  clock: Clock;
  /**
   * The store's lookup by token hash; undefined when unknown (or removed after expiry).
   * `claims`: given once the signature and expiry hold, so the caller can read what
   * they name (cycle, provider, application) in the same request.
   */
  findRecord(hash: string, claims?: LinkClaims): Promise<TokenRecord | undefined>;
}

export interface ResolvedLink {
  claims: LinkClaims;
  record: TokenRecord;
}

export async function resolveLink(token: string, deps: ResolveLinkDeps, action?: LinkAction): Promise<ResolvedLink> {
  let claims: LinkClaims | undefined;
  let expired: LinkExpiredError | undefined;
  try {
    claims = verifyToken(deps.key, token, deps.clock, { action });
  } catch (error) {
    // Forged and malformed tokens stop here, before the store is asked.
    if (!(error instanceof LinkExpiredError)) throw error;
    expired = error;
  }
  const record = await deps.findRecord(hashToken(token), claims);
  if (!record) throw expired ?? new LinkInvalidError();
  // "Already used" and "a newer link was sent" tell the provider more than "too late".
  assertUsable(record, deps.clock.now());
  if (expired || !claims) throw expired ?? new LinkInvalidError();
  if (
    record.cycleId !== claims.cycleId ||
    record.agb !== claims.agb ||
    record.action !== claims.action ||
    record.contactId !== claims.contactId
  ) {
    throw new LinkInvalidError('record does not match token');
  }
  return { claims, record };
}
