import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ExpiredError } from '../../../functions/commons/errors.ts';
import { endOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import { LinkExpiredError, LinkInvalidError } from '../../../functions/commons/errors.ts';
import { hashToken, issueToken, verifyToken } from '../../../functions/links/token.ts';
import type { LinkClaimsInput } from '../../../functions/domain/tokens.ts';

const key = randomBytes(32);
// 1 July 2020, summer time (CEST, UTC+2): the MSR registration deadline.
const deadline = endOfDutchDay('2020-07-01');
const claims: LinkClaimsInput = {
  cycleId: 'msr-2021',
  agb: '12345678',
  action: 'submit-registration',
  contactId: 'contact-1',
  expiresAt: deadline,
  issuedAt: Date.parse('2020-05-01T07:00:00Z'),
  version: 3,
};
const before = new VirtualClock('2020-06-15T10:00:00Z');

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const unb64 = (s: string) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

describe('link tokens', () => {
  it('round-trips the claims and is compact and URL-safe', () => {
    const { token, hash, claims: issued } = issueToken(key, claims);
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect(token.length).toBeLessThan(300);
    expect(hash).toBe(hashToken(token));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyToken(key, token, before)).toEqual({ ...claims, nonce: issued.nonce });
  });

  it('makes every token unique through its nonce', () => {
    const a = issueToken(key, claims);
    const b = issueToken(key, claims);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).not.toBe(b.hash);
  });

  it('refuses a tampered payload as invalid', () => {
    const { token } = issueToken(key, claims);
    const [payload, signature] = token.split('.');
    const forged = b64({ ...unb64(payload), a: '87654321' });
    expect(() => verifyToken(key, `${forged}.${signature}`, before)).toThrow(LinkInvalidError);
    // A later deadline is the obvious thing to forge.
    const later = b64({ ...unb64(payload), e: deadline + 86_400_000 });
    expect(() => verifyToken(key, `${later}.${signature}`, before)).toThrow(LinkInvalidError);
  });

  it('refuses a tampered signature as invalid', () => {
    const { token } = issueToken(key, claims);
    const flipped = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    expect(() => verifyToken(key, flipped, before)).toThrow(LinkInvalidError);
    expect(() => verifyToken(key, token.slice(0, -1), before)).toThrow(LinkInvalidError);
    expect(() => verifyToken(key, token.split('.')[0], before)).toThrow(LinkInvalidError);
    // The last character carries 2 spare bits: another spelling of the same bytes is refused too.
    const last = token.at(-1) ?? '';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1];
    const [p, sig] = token.split('.');
    const respelled = `${p}.${sig.slice(0, -1)}${sibling}`;
    expect(Buffer.from(respelled.split('.')[1], 'base64url').equals(Buffer.from(sig, 'base64url'))).toBe(true);
    expect(() => verifyToken(key, respelled, before)).toThrow(LinkInvalidError);
  });

  it('refuses a token signed with another key', () => {
    const { token } = issueToken(randomBytes(32), claims);
    expect(() => verifyToken(key, token, before)).toThrow(LinkInvalidError);
  });

  it('refuses junk without a stack of details', () => {
    for (const junk of ['', '.', 'a.b.c', 'not base64!.x', 'x'.repeat(5000)]) {
      expect(() => verifyToken(key, junk, before)).toThrow(LinkInvalidError);
    }
    const error = (() => {
      try {
        verifyToken(key, 'abc.def', before);
      } catch (e) {
        return e as LinkInvalidError;
      }
    })();
    expect(error?.httpStatus).toBe(404);
  });

  it('refuses a token for another action', () => {
    const { token } = issueToken(key, { ...claims, action: 'submit-proposal' });
    expect(() => verifyToken(key, token, before, { action: 'sign-agreement' })).toThrow(LinkInvalidError);
    expect(verifyToken(key, token, before, { action: 'submit-proposal' }).action).toBe('submit-proposal');
  });

  it('is valid through 23:59:59.999 of the deadline day and expired the next ms (summer time)', () => {
    expect(new Date(deadline).toISOString()).toBe('2020-07-01T21:59:59.999Z');
    const { token } = issueToken(key, claims);
    expect(verifyToken(key, token, new VirtualClock(deadline)).expiresAt).toBe(deadline);
    try {
      verifyToken(key, token, new VirtualClock(deadline + 1));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(LinkExpiredError);
      expect(e).toBeInstanceOf(ExpiredError);
      expect((e as LinkExpiredError).httpStatus).toBe(410);
      expect((e as LinkExpiredError).expiresAt).toBe(deadline);
    }
  });

  it('ends the day at local midnight on the days summer time starts and ends', () => {
    // 29 March 2020: clocks go 02:00 → 03:00 (23-hour day). 25 October 2020: 03:00 → 02:00 (25 hours).
    for (const [date, utc] of [
      ['2020-03-29', '2020-03-29T21:59:59.999Z'],
      ['2020-10-25', '2020-10-25T22:59:59.999Z'],
    ] as const) {
      const expiresAt = endOfDutchDay(date);
      expect(new Date(expiresAt).toISOString()).toBe(utc);
      const { token } = issueToken(key, { ...claims, expiresAt });
      expect(() => verifyToken(key, token, new VirtualClock(expiresAt))).not.toThrow();
      expect(() => verifyToken(key, token, new VirtualClock(expiresAt + 1))).toThrow(LinkExpiredError);
    }
  });

  it('refuses to issue for the public form or with a short key', () => {
    expect(() => issueToken(key, { ...claims, action: 'request-registration' as never })).toThrow();
    expect(() => issueToken(key, { ...claims, agb: '1234' })).toThrow();
    expect(() => issueToken(randomBytes(16), claims)).toThrow(/at least 32 bytes/);
  });
});
