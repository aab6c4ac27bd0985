import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../commons/clock.ts';
import { LinkExpiredError, LinkInvalidError } from '../commons/errors.ts';
import { linkClaimsSchema, type LinkAction, type LinkClaims, type LinkClaimsInput } from '../domain/tokens.ts';

/**
 * Signed provider links. Providers never log in: every email that asks for an
 * action carries a link whose token says who may do what until when.
 *
 * Format: `base64url(payload JSON) + '.' + base64url(HMAC-SHA256(key, context + payload part))`.
 * The signature covers the encoded payload exactly as sent, so there is no
 * canonicalisation to get wrong. The signature proves we issued the token;
 * nothing is stored per link. Single use and supersession come from the
 * application version the token carries, checked against the application as it
 * is now (functions/domain/tokens.ts `checkUsable`); the expiry from the live
 * calendar (functions/links/resolve.ts).
 */

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Bytes of the HMAC key. At least 32. */
export type LinkKey = Uint8Array;

const VERSION = 2;
/** Domain separation: a MAC made with this key for anything else (or a link of another format) never verifies as a link. */
const MAC_CONTEXT = 'inkoopkalender/link/v2.';
const SIGNATURE_BYTES = 32;
const MIN_KEY_BYTES = 32;
/** Far above any real token (~250 chars); stops work on junk before hashing it. */
const MAX_TOKEN_CHARS = 1024;

/** Short keys keep the URL short; the mapping is the wire format, so never reuse a key. */
const payloadSchema = z
  .object({
    v: z.literal(VERSION),
    c: z.string(),
    a: z.string(),
    x: z.string(),
    p: z.string(),
    e: z.number(),
    i: z.number(),
    r: z.number().optional(),
    n: z.string(),
  })
  .strict();

export interface IssuedToken {
  /** Goes into the email link only. Never log it, never store it. */
  token: string;
  /** SHA-256 hex of the token: names it without holding it (e.g. a question asked through it). */
  hash: string;
  claims: LinkClaims;
}

export function issueToken(key: LinkKey, input: LinkClaimsInput): IssuedToken {
  assertKey(key);
  const claims = linkClaimsSchema.parse({ ...input, nonce: randomBytes(16).toString('base64url') });
  const payload = Buffer.from(
    JSON.stringify({
      v: VERSION,
      c: claims.cycleId,
      a: claims.agb,
      x: claims.action,
      p: claims.contactId,
      e: claims.expiresAt,
      i: claims.issuedAt,
      ...(claims.version !== undefined ? { r: claims.version } : {}),
      n: claims.nonce,
    }),
  ).toString('base64url');
  const token = `${payload}.${sign(key, payload).toString('base64url')}`;
  return { token, hash: hashToken(token), claims };
}

export interface VerifyOptions {
  /** The action of the page the token arrived at; a token for another action is refused as invalid. */
  action?: LinkAction;
  /**
   * `unchecked`: the caller checks the live deadline instead of the signed one
   * (functions/links/resolve.ts: a deadline may have moved since the token was signed).
   */
  expiry?: 'signed' | 'unchecked';
}

/**
 * Checks signature, shape, action and expiry, in that order. Throws
 * `LinkInvalidError` (404) for anything forged or malformed and
 * `LinkExpiredError` (410) once `clock.now() > expiresAt`: the deadline instant
 * itself (23:59:59.999 local) is still valid.
 */
export function verifyToken(key: LinkKey, token: string, clock: Clock, options: VerifyOptions = {}): LinkClaims {
  assertKey(key);
  if (typeof token !== 'string' || token.length > MAX_TOKEN_CHARS) throw new LinkInvalidError();
  const parts = token.split('.');
  if (parts.length !== 2) throw new LinkInvalidError();
  const [payload, signature] = parts;
  if (!BASE64URL.test(payload) || !BASE64URL.test(signature)) throw new LinkInvalidError();

  const given = Buffer.from(signature, 'base64url');
  // Base64 leaves spare bits in the last character; insist on the one canonical
  // spelling so a token has exactly one string (and one hash).
  if (given.toString('base64url') !== signature) throw new LinkInvalidError();
  const expected = sign(key, payload);
  // timingSafeEqual needs equal lengths; the length of a signature is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new LinkInvalidError();

  const claims = decodePayload(payload);
  if (options.action !== undefined && claims.action !== options.action) throw new LinkInvalidError();
  if (options.expiry !== 'unchecked' && clock.now() > claims.expiresAt) throw new LinkExpiredError(claims.expiresAt);
  return claims;
}

/** SHA-256 hex: names a token where the token itself must not go (a stored question, a log). */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

function sign(key: LinkKey, payload: string): Buffer {
  const mac = createHmac('sha256', key).update(MAC_CONTEXT).update(payload).digest();
  if (mac.length !== SIGNATURE_BYTES) throw new Error('unexpected HMAC length');
  return mac;
}

function decodePayload(payload: string): LinkClaims {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new LinkInvalidError();
  }
  // Only reachable with a valid signature, i.e. a token we issued with another
  // format version; still refused rather than trusted.
  const wire = payloadSchema.safeParse(json);
  if (!wire.success) throw new LinkInvalidError();
  const { c, a, x, p, e, i, r, n } = wire.data;
  const claims = linkClaimsSchema.safeParse({ cycleId: c, agb: a, action: x, contactId: p, expiresAt: e, issuedAt: i, ...(r !== undefined ? { version: r } : {}), nonce: n });
  if (!claims.success) throw new LinkInvalidError();
  return claims.data;
}

function assertKey(key: LinkKey): void {
  if (!(key instanceof Uint8Array) || key.length < MIN_KEY_BYTES) {
    // A configuration error, not a provider's problem: surfaces as a 500.
    throw new Error(`link key must be at least ${MIN_KEY_BYTES} bytes`);
  }
}
