import type { DomainError } from '../commons/errors.ts';
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
    /** Makes every token unique, also two issued for the same claims in the same ms. */
    nonce: z.string().regex(NONCE),
  })
  .strict();
export type LinkClaims = z.infer<typeof linkClaimsSchema>;
/** What a caller passes to `issueToken`; the nonce is ours to make. */
export type LinkClaimsInput = Omit<LinkClaims, 'nonce'>;


/**
 * What the store keeps per issued link, and the rules for using it. The rules
 * are pure; the store adds persistence (conditional writes for `usedAt` and
 * `supersededBy`, so two clicks cannot both win).
 *
 * Only the token's hash is kept: someone who can read the table (an operator, a
 * backup, an export) cannot turn a record back into a working link.
 */
export const TOKEN_HASH = /^[0-9a-f]{64}$/;

export const tokenRecordSchema = z
  .object({
    hash: z.string().regex(TOKEN_HASH),
    cycleId: z.string().min(1),
    agb: z.string().regex(AGB_CODE),
    action: linkAction,
    contactId: z.string().min(1),
    /** Epoch ms, the last valid instant; the same value as in the token. */
    expiresAt: z.number().int(),
    /** Epoch ms. Orders links for supersession and serves the audit trail. */
    issuedAt: z.number().int(),
    /** Epoch ms of the first (for single-use actions: only) successful use. */
    usedAt: z.number().int().optional(),
    /** Hash of the newer link for the same cycle, provider and action. */
    supersededBy: z.string().regex(TOKEN_HASH).optional(),
  })
  .strict();
export type TokenRecord = z.infer<typeof tokenRecordSchema>;

/**
 * Links that change the application's state work once. Asking a question does
 * not change it and a provider may ask several, so that link works until its
 * deadline. Amending a submitted registration goes through a fresh link (sent
 * with the receipt), which supersedes nothing that is still usable.
 */
export const REUSABLE_ACTIONS: ReadonlySet<LinkAction> = new Set<LinkAction>(['ask-question']);
export const isSingleUse = (action: LinkAction): boolean => !REUSABLE_ACTIONS.has(action);

/** The record for a freshly issued token. */
export function newTokenRecord(hash: string, claims: LinkClaims, issuedAt: number): TokenRecord {
  const { cycleId, agb, action, contactId, expiresAt } = claims;
  return tokenRecordSchema.parse({ hash, cycleId, agb, action, contactId, expiresAt, issuedAt });
}

export type LinkRefusal =
  | { reason: 'used'; usedAt: number }
  | { reason: 'superseded'; supersededBy: string }
  | { reason: 'expired'; expiresAt: number };

export type Usability = { ok: true } | { ok: false; refusal: LinkRefusal };

/**
 * Whether the link may be used at `now`. Order matters for what the provider
 * is told: "already done" beats "a newer link was sent" beats "too late".
 * Valid up to and including `expiresAt`.
 */
export function checkUsable(record: TokenRecord, now: number): Usability {
  if (record.usedAt !== undefined && isSingleUse(record.action)) {
    return { ok: false, refusal: { reason: 'used', usedAt: record.usedAt } };
  }
  if (record.supersededBy !== undefined) {
    return { ok: false, refusal: { reason: 'superseded', supersededBy: record.supersededBy } };
  }
  if (now > record.expiresAt) return { ok: false, refusal: { reason: 'expired', expiresAt: record.expiresAt } };
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
export function assertUsable(record: TokenRecord, now: number): void {
  const usable = checkUsable(record, now);
  if (!usable.ok) throw refusalError(usable.refusal);
}

/**
 * The record after a successful use. Persist it with a condition that `usedAt`
 * was absent (single-use) so a double click or a replay loses the race.
 * Reusable links keep their first use time.
 */
export function markUsed(record: TokenRecord, now: number): TokenRecord {
  assertUsable(record, now);
  return record.usedAt !== undefined ? record : { ...record, usedAt: now };
}

/**
 * Links for the same cycle, provider and action supersede each other: the
 * newest wins, whoever it was sent to (e.g. a new signatory).
 */
export const supersessionKey = (r: Pick<TokenRecord, 'cycleId' | 'agb' | 'action'>): string =>
  `${r.cycleId}#${r.agb}#${r.action}`;

/** The older record after `newer` was issued for the same cycle, provider and action. */
export function supersede(older: TokenRecord, newer: TokenRecord): TokenRecord {
  if (supersessionKey(older) !== supersessionKey(newer)) {
    throw new Error('only a link for the same cycle, provider and action can supersede another');
  }
  if (older.hash === newer.hash) throw new Error('a link cannot supersede itself');
  if (newer.issuedAt < older.issuedAt) throw new Error('an older link cannot supersede a newer one');
  return older.supersededBy !== undefined ? older : { ...older, supersededBy: newer.hash };
}
