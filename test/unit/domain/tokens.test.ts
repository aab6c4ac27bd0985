import { describe, expect, it } from 'vitest';
import {
  TransitionRefusedError,
  LinkExpiredError,
  LinkSupersededError,
  LinkUsedError,
  NotSignatoryError,
  RegistrationClosedError,
  RegistrationNotOpenError,
} from '../../../functions/commons/errors.ts';
import { endOfDutchDay, startOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import { assertUsable, checkUsable, usedBy } from '../../../functions/domain/tokens.ts';
import type { Application } from '../../../functions/domain/model.ts';
import { assertRegistrationOpen, assertSignatory } from '../../../functions/links/rules.ts';

const expiresAt = endOfDutchDay('2020-09-15');
const now = Date.parse('2020-09-10T12:00:00Z');
const link = { action: 'submit-proposal' as const, version: 4 };
type AppState = Pick<Application, 'version' | 'lastTransition' | 'updatedAt'>;
const app = (version: number, by?: Application['lastTransition']): AppState => ({ version, updatedAt: '2020-09-09T10:00:00.000Z', ...(by ? { lastTransition: by } : {}) });
const byProvider = (version: number, action: 'submit-proposal' | 'withdraw'): Application['lastTransition'] => ({
  version,
  from: 'invited',
  trigger: { kind: 'provider', action },
});

describe('link rules: a single-use link works while the application is at the version it carries', () => {
  it('accepts a current link up to and including its deadline', () => {
    expect(checkUsable(link, app(4), expiresAt, now)).toEqual({ ok: true });
    expect(checkUsable(link, app(4), expiresAt, expiresAt)).toEqual({ ok: true });
    expect(checkUsable(link, app(4), expiresAt, expiresAt + 1)).toEqual({ ok: false, refusal: { reason: 'expired', expiresAt } });
  });

  it('once its own action moved the application: used (with when), also after the deadline', () => {
    const after = app(5, byProvider(5, 'submit-proposal'));
    expect(usedBy(link, after)).toBe(Date.parse('2020-09-09T10:00:00.000Z'));
    expect(checkUsable(link, after, expiresAt, now)).toEqual({ ok: false, refusal: { reason: 'used', usedAt: Date.parse('2020-09-09T10:00:00.000Z') } });
    expect(() => assertUsable(link, after, expiresAt, expiresAt + 1)).toThrow(LinkUsedError);
  });

  it('once anything else moved the application (another action, a milestone, a purchaser): superseded, before expired', () => {
    expect(checkUsable(link, app(5, byProvider(5, 'withdraw')), expiresAt, now)).toEqual({ ok: false, refusal: { reason: 'superseded' } });
    expect(checkUsable(link, app(5, { version: 5, from: 'proposal-submitted', trigger: { kind: 'deadline', milestone: 'proposal-deadline' } }), expiresAt, now)).toMatchObject({ refusal: { reason: 'superseded' } });
    // Its own action, but then something else: no longer "used by this link" as the latest word.
    expect(checkUsable(link, app(6, { version: 6, from: 'proposal-submitted', trigger: { kind: 'purchaser', decision: 'eligible' } }), expiresAt, expiresAt + 1)).toMatchObject({ refusal: { reason: 'superseded' } });
    expect(() => assertUsable(link, app(3), expiresAt, now)).toThrow(LinkSupersededError);
  });

  it('a single-use link without a version, or without an application, never works', () => {
    expect(checkUsable({ action: 'withdraw' }, app(1), expiresAt, now)).toMatchObject({ ok: false, refusal: { reason: 'superseded' } });
    expect(checkUsable(link, undefined, expiresAt, now)).toMatchObject({ ok: false });
  });

  it('a question link carries no version: it works until its deadline, whatever the application does', () => {
    const ask = { action: 'ask-question' as const };
    expect(checkUsable(ask, undefined, expiresAt, now)).toEqual({ ok: true });
    expect(checkUsable(ask, app(9), expiresAt, now)).toEqual({ ok: true });
    expect(() => assertUsable(ask, app(9), expiresAt, expiresAt + 1)).toThrow(LinkExpiredError);
    expect(usedBy(ask, app(9))).toBeUndefined();
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
