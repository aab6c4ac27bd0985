import { describe, expect, it } from 'vitest';
import { TransitionRefusedError } from '../../../functions/commons/errors.ts';
import {
  LinkExpiredError,
  LinkSupersededError,
  LinkUsedError,
  NotSignatoryError,
  RegistrationClosedError,
  RegistrationNotOpenError,
} from '../../../functions/commons/errors.ts';
import { endOfDutchDay, startOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import {
  assertUsable,
  checkUsable,
  markUsed,
  newTokenRecord,
  supersede,
  tokenRecordSchema,
  type TokenRecord,
} from '../../../functions/domain/tokens.ts';
import { assertRegistrationOpen, assertSignatory } from '../../../functions/links/rules.ts';

const expiresAt = endOfDutchDay('2020-09-15');
const issuedAt = Date.parse('2020-09-01T07:00:00Z');
const now = Date.parse('2020-09-10T12:00:00Z');

const record = (over: Partial<TokenRecord> = {}): TokenRecord =>
  tokenRecordSchema.parse({
    hash: 'a'.repeat(64),
    cycleId: 'msr-2021',
    agb: '12345678',
    action: 'submit-proposal',
    contactId: 'c-1',
    expiresAt,
    issuedAt,
    ...over,
  });

describe('token record rules', () => {
  it('builds a record from issued claims', () => {
    const r = newTokenRecord('b'.repeat(64), { ...record(), nonce: 'x'.repeat(22) }, issuedAt);
    expect(r).toMatchObject({ hash: 'b'.repeat(64), action: 'submit-proposal', expiresAt, issuedAt });
    expect(r).not.toHaveProperty('usedAt');
  });

  it('accepts an unused, current record up to and including its deadline', () => {
    expect(checkUsable(record(), now)).toEqual({ ok: true });
    expect(checkUsable(record(), expiresAt)).toEqual({ ok: true });
    expect(checkUsable(record(), expiresAt + 1)).toEqual({ ok: false, refusal: { reason: 'expired', expiresAt } });
  });

  it('uses a state-changing link once', () => {
    const used = markUsed(record(), now);
    expect(used.usedAt).toBe(now);
    expect(checkUsable(used, now + 1)).toEqual({ ok: false, refusal: { reason: 'used', usedAt: now } });
    expect(() => markUsed(used, now + 1)).toThrow(LinkUsedError);
    expect(() => assertUsable(used, now + 1)).toThrow(expect.objectContaining({ httpStatus: 410, usedAt: now }));
  });

  it('lets a question link be used again until its deadline', () => {
    const asked = markUsed(record({ action: 'ask-question' }), now);
    expect(asked.usedAt).toBe(now);
    expect(checkUsable(asked, now + 1000)).toEqual({ ok: true });
    expect(markUsed(asked, now + 1000).usedAt).toBe(now);
    expect(() => assertUsable(asked, expiresAt + 1)).toThrow(LinkExpiredError);
  });

  it('lets a newer link for the same action supersede the older one', () => {
    const older = record();
    const newer = record({ hash: 'c'.repeat(64), issuedAt: issuedAt + 1000, contactId: 'c-2' });
    const superseded = supersede(older, newer);
    expect(superseded.supersededBy).toBe(newer.hash);
    expect(checkUsable(superseded, now)).toEqual({ ok: false, refusal: { reason: 'superseded', supersededBy: newer.hash } });
    expect(() => assertUsable(superseded, now)).toThrow(LinkSupersededError);
    expect(checkUsable(newer, now)).toEqual({ ok: true });
  });

  it('supersedes only within the same cycle, provider and action, and never backwards', () => {
    const older = record();
    expect(() => supersede(older, record({ hash: 'c'.repeat(64), action: 'withdraw' }))).toThrow();
    expect(() => supersede(older, record({ hash: 'c'.repeat(64), agb: '87654321' }))).toThrow();
    expect(() => supersede(older, older)).toThrow();
    expect(() => supersede(record({ issuedAt: issuedAt + 5 }), record({ hash: 'c'.repeat(64) }))).toThrow();
  });

  it('says "used" before "superseded" before "expired"', () => {
    const all = record({ usedAt: now, supersededBy: 'c'.repeat(64) });
    expect(checkUsable(all, expiresAt + 1)).toMatchObject({ ok: false, refusal: { reason: 'used' } });
    const supersededAndLate = record({ supersededBy: 'c'.repeat(64) });
    expect(checkUsable(supersededAndLate, expiresAt + 1)).toMatchObject({ ok: false, refusal: { reason: 'superseded' } });
  });

  it('rejects malformed records', () => {
    expect(tokenRecordSchema.safeParse({ ...record(), hash: 'not-a-hash' }).success).toBe(false);
    expect(tokenRecordSchema.safeParse({ ...record(), action: 'request-registration' }).success).toBe(false);
    expect(tokenRecordSchema.safeParse({ ...record(), token: 'x' }).success).toBe(false);
  });
});

describe('access rules', () => {
  it('lets only the signatory sign', () => {
    expect(() => assertSignatory({ contactId: 'c-1' }, 'c-1')).not.toThrow();
    expect(() => assertSignatory({ contactId: 'c-2' }, 'c-1')).toThrow(NotSignatoryError);
    expect(() => assertSignatory({ contactId: 'c-2' }, undefined)).toThrow(NotSignatoryError);
  });

  it('opens the registration form for the whole window, both days included', () => {
    const window = { opensAt: startOfDutchDay('2020-05-01'), closesAt: endOfDutchDay('2020-07-01') };
    expect(() => assertRegistrationOpen(window, window.opensAt - 1)).toThrow(RegistrationNotOpenError);
    expect(() => assertRegistrationOpen(window, window.opensAt)).not.toThrow();
    expect(() => assertRegistrationOpen(window, window.closesAt)).not.toThrow();
    expect(() => assertRegistrationOpen(window, window.closesAt + 1)).toThrow(RegistrationClosedError);
  });

  it('keeps "not allowed in this state" the domain\'s 409', () => {
    expect(new TransitionRefusedError('x').httpStatus).toBe(409);
  });
});
