import type { Clock } from '../commons/clock.ts';
import { LinkInvalidError } from '../commons/errors.ts';
import { assertUsable, isSingleUse, type LinkAction, type LinkClaims } from '../domain/tokens.ts';
import type { Application } from '../domain/model.ts';
import { verifyToken, type LinkKey } from './token.ts';

/**
 * From a token in a URL to the claims it carries, or the refusal to show.
 * Read-only on purpose: GET pages call it and never act, because mail scanners
 * and link previews open every link in a mail before the provider does. Acting
 * is a POST: a transition conditioned on the application version the link
 * carries, which moves it, so the link works once (functions/domain/tokens.ts).
 *
 * Nothing is stored per link: the signature says we issued it, the
 * application as it is now says whether it is still good (`checkUsable`), and
 * until when it works is the live deadline of its action (`liveExpiry`: the
 * cycle's calendar as amended, functions/calendar/deadlines.ts), not the expiry
 * signed into the token when it was sent: a deadline moved later keeps every
 * outstanding link working until the new day, one moved earlier ends them then.
 * The signed expiry only answers when the cycle names no such day.
 */
export interface ResolveLinkDeps<T> {
  key: LinkKey;
  clock: Clock;
  /**
   * Reads, once the signature holds, what the claims name (cycle, provider,
   * application) in one request; the caller keeps what it read.
   */
  read(claims: LinkClaims): Promise<T>;
  /** The application the link acts on, from what `read` returned; undefined when there is none. */
  applicationOf(reads: T): Pick<Application, 'version' | 'lastTransition' | 'updatedAt'> | undefined;
  /** The link's last valid instant (epoch ms) from the live calendar; undefined: the signed one. */
  liveExpiry?(reads: T, claims: LinkClaims): number | undefined;
}

export interface ResolvedLink<T> {
  claims: LinkClaims;
  reads: T;
  /** The last valid instant (epoch ms): the live deadline. */
  expiresAt: number;
}

export async function resolveLink<T>(token: string, deps: ResolveLinkDeps<T>, action?: LinkAction): Promise<ResolvedLink<T>> {
  // Forged and malformed tokens stop here, before the store is asked.
  const claims = verifyToken(deps.key, token, deps.clock, { action, expiry: 'unchecked' });
  // We never issue one: a single-use link is always bound to a version.
  if (isSingleUse(claims.action) && claims.version === undefined) throw new LinkInvalidError('single-use link without a version');
  const reads = await deps.read(claims);
  const expiresAt = deps.liveExpiry?.(reads, claims) ?? claims.expiresAt;
  // "Already used" and "a newer link was sent" tell the provider more than "too late".
  assertUsable(claims, deps.applicationOf(reads), expiresAt, deps.clock.now());
  return { claims, reads, expiresAt };
}
