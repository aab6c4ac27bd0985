import type { Clock } from '../commons/clock.ts';
import { LinkExpiredError, LinkInvalidError } from '../commons/errors.ts';
import { assertUsable, type TokenRecord } from '../domain/tokens.ts';
import { hashToken, verifyToken, type LinkKey } from './token.ts';
import type { LinkAction, LinkClaims } from '../domain/tokens.ts';

/**
 * From a token in a URL to the claims and record it stands for, or the refusal
 * to show. Read-only on purpose: GET pages call it and never act, because mail
 * scanners and link previews open every link in a mail before the provider
 * does. Acting is a POST, which consumes the record with a conditional write.
 *
 * Until when a link works is the live deadline of its action (`liveExpiry`: the
 * cycle's calendar as amended, functions/calendar/deadlines.ts), not the expiry
 * signed into the token when it was sent: a deadline moved later keeps every
 * outstanding link working until the new day, one moved earlier ends them then.
 * The signed expiry only answers when the cycle names no such day, and when the
 * record is gone (removed by TTL long after it expired).
 */
export interface ResolveLinkDeps {
  key: LinkKey;
  clock: Clock;
  /**
   * The store's lookup by token hash; undefined when unknown (or removed after expiry).
   * `claims`: given once the signature holds, so the caller can read what they name
   * (cycle, provider, application) in the same request.
   */
  findRecord(hash: string, claims?: LinkClaims): Promise<TokenRecord | undefined>;
  /** The link's last valid instant (epoch ms) from the live calendar, read by `findRecord`; undefined: the signed one. */
  liveExpiry?(record: TokenRecord): number | undefined;
}

export interface ResolvedLink {
  claims: LinkClaims;
  record: TokenRecord;
  /** The last valid instant (epoch ms): the live deadline. */
  expiresAt: number;
}

export async function resolveLink(token: string, deps: ResolveLinkDeps, action?: LinkAction): Promise<ResolvedLink> {
  // Forged and malformed tokens stop here, before the store is asked.
  const claims = verifyToken(deps.key, token, deps.clock, { action, expiry: 'unchecked' });
  const now = deps.clock.now();
  const record = await deps.findRecord(hashToken(token), claims);
  if (!record) throw now > claims.expiresAt ? new LinkExpiredError(claims.expiresAt) : new LinkInvalidError();
  if (
    record.cycleId !== claims.cycleId ||
    record.agb !== claims.agb ||
    record.action !== claims.action ||
    record.contactId !== claims.contactId
  ) {
    throw new LinkInvalidError('record does not match token');
  }
  const expiresAt = deps.liveExpiry?.(record) ?? record.expiresAt;
  // "Already used" and "a newer link was sent" tell the provider more than "too late".
  assertUsable({ ...record, expiresAt }, now);
  return { claims, record, expiresAt };
}
