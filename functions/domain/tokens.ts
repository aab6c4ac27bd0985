import type { DomainError } from '../commons/errors.ts';
import type { Application } from './model.ts';
import { LinkExpiredError, LinkSupersededError, LinkUsedError } from '../commons/errors.ts';
import { z } from 'zod';
import { PROVIDER_ACTIONS, type ProviderAction } from '../calendar/schema.ts';

/** Actions reached through a personal link. 'request-registration' is the public contact form. */
export type LinkAction = Exclude<ProviderAction, 'request-registration'>;
export const LINK_ACTIONS = PROVIDER_ACTIONS.filter(
  (a): a is LinkAction => a !== 'request-registration',
) as [LinkAction, ...LinkAction[]];
export const linkAction = z.enum(LINK_ACTIONS);

export const AGB_CODE = /^\d{8}$/;
const NONCE = /^[A-Za-z0-9_-]{22}$/; // 16 random bytes, base64url

export const linkClaimsSchema = z
  .object({
    cycleId: z.string().min(1).max(200),
    agb: z.string().regex(AGB_CODE),
    action: linkAction,
    /** The contact the link was sent to; signing checks it against the signatory. */
    contactId: z.string().min(1).max(200),
    /** Epoch ms; the last valid instant (end of the deadline day, Europe/Amsterdam). */
    expiresAt: z.number().int().positive(),
    /** Epoch ms: when it was signed. The live deadline of its action is looked up from this day (functions/links/schedule.ts). */
    issuedAt: z.number().int().nonnegative(),
    /**
     * The application's version the link was issued at; a single-use link works only
     * while the application is still at it (`checkUsable`). Absent for reusable links.
     */
    version: z.number().int().positive().optional(),
    /** Makes every token unique, also two issued for the same claims in the same ms. */
    nonce: z.string().regex(NONCE),
  })
  .strict();
export type LinkClaims = z.infer<typeof linkClaimsSchema>;
/** What a caller passes to `issueToken`; the nonce is ours to make. */
export type LinkClaimsInput = Omit<LinkClaims, 'nonce'>;


/**
 * The rules for using a link. Nothing is stored per link: a link is a signed
 * token (functions/links/token.ts) whose validity is decided against the
 * application as it is now and the live calendar.
 *
 * Single use: every action through a single-use link is a transition of the
 * application, which moves its version (a version-conditioned write, with its
 * event, in one transaction). A single-use link carries the version it was
 * issued at and works only while the application is still at it, so once used
 * (or once anything else moved the application) it is dead; two clicks race
 * on the version and one wins.
 *
 * Supersession: a link is superseded by whatever moved the application since
 * it was issued. Links issued at the same version for the same action (an
 * invitation and its reminder) all work until one of them is used, which ends
 * them all. A link for another contact of the same provider is the pages'
 * concern (only the signatory signs, functions/links/rules.ts).
 */

/**
 * Links that change the application's state work once. Asking a question does
 * not change it and a provider may ask several, so that link works until its
 * deadline (it carries no version). Amending a submitted registration or a
 * proposal goes through a fresh link sent with the receipt, at the new version.
 */
export const REUSABLE_ACTIONS: ReadonlySet<LinkAction> = new Set<LinkAction>(['ask-question']);
export const isSingleUse = (action: LinkAction): boolean => !REUSABLE_ACTIONS.has(action);

export type LinkRefusal =
  | { reason: 'used'; usedAt: number }
  | { reason: 'superseded' }
  | { reason: 'expired'; expiresAt: number };

export type Usability = { ok: true } | { ok: false; refusal: LinkRefusal };

/**
 * Whether this link moved the application to its current version: the
 * transition right after the link's version was the link's own action.
 */
export function usedBy(claims: Pick<LinkClaims, 'action' | 'version'>, application: Pick<Application, 'version' | 'lastTransition' | 'updatedAt'> | undefined): number | undefined {
  if (!application || claims.version === undefined || !isSingleUse(claims.action)) return undefined;
  const last = application.lastTransition;
  if (application.version !== claims.version + 1 || last?.version !== application.version) return undefined;
  return last.trigger.kind === 'provider' && last.trigger.action === claims.action ? Date.parse(application.updatedAt) : undefined;
}

/**
 * Whether the link may be used at `now`, given the application as it is now
 * and the live last valid instant `expiresAt`. Order matters for what the
 * provider is told: "already done" beats "a newer link was sent" beats "too
 * late". Valid up to and including `expiresAt`.
 */
export function checkUsable(
  claims: Pick<LinkClaims, 'action' | 'version'>,
  application: Pick<Application, 'version' | 'lastTransition' | 'updatedAt'> | undefined,
  expiresAt: number,
  now: number,
): Usability {
  if (isSingleUse(claims.action) && (!application || application.version !== claims.version)) {
    const usedAt = usedBy(claims, application);
    return { ok: false, refusal: usedAt !== undefined ? { reason: 'used', usedAt } : { reason: 'superseded' } };
  }
  if (now > expiresAt) return { ok: false, refusal: { reason: 'expired', expiresAt } };
  return { ok: true };
}

export function refusalError(refusal: LinkRefusal): DomainError {
  switch (refusal.reason) {
    case 'used':
      return new LinkUsedError(refusal.usedAt);
    case 'superseded':
      return new LinkSupersededError();
    case 'expired':
      return new LinkExpiredError(refusal.expiresAt);
  }
}

/** `checkUsable`, throwing the typed error. */
export function assertUsable(...args: Parameters<typeof checkUsable>): void {
  const usable = checkUsable(...args);
  if (!usable.ok) throw refusalError(usable.refusal);
}
