import { describe, expect, it } from 'vitest';
import { contactIdFor, invitationFor, sameContent, signatoryOf, signingAuthorityConfirmed } from '../../../functions/domain/provider.ts';
import { aCycle, aProvider, aProviderContent } from '../../support/factories.ts';

describe('providers', () => {
  const cycle = aCycle(); // care type `test`, contract year 2021

  it('invites a holder whose contract ended the year before, on the existing track', () => {
    expect(invitationFor(aProvider({ contracts: [{ careType: 'test', firstYear: 2020, lastYear: 2020 }] }), cycle)).toEqual({ invite: true, track: 'existing' });
  });

  it('skips a provider whose multi-year contract still runs in the contract year', () => {
    expect(invitationFor(aProvider({ contracts: [{ careType: 'test', firstYear: 2020, lastYear: 2022 }] }), cycle)).toEqual({ invite: false, reason: 'contract-runs' });
  });

  it('does not invite providers of other care types or without a contract (they register themselves)', () => {
    expect(invitationFor(aProvider({ careTypes: ['zg'] }), cycle)).toMatchObject({ invite: false, reason: 'other-care-type' });
    expect(invitationFor(aProvider({ contracts: [{ careType: 'zg', firstYear: 2020, lastYear: 2020 }] }), cycle)).toMatchObject({ reason: 'no-contract' });
    expect(invitationFor(aProvider({ contracts: [{ careType: 'test', firstYear: 2018, lastYear: 2019 }] }), cycle)).toMatchObject({ reason: 'no-contract' });
  });

  it('derives a stable contact id that does not reveal the address', () => {
    const id = contactIdFor('Anna@Oost.example.nl ');
    expect(id).toBe(contactIdFor('anna@oost.example.nl'));
    expect(id).toMatch(/^c-[0-9a-f]{16}$/);
  });

  it('finds the signatory and compares content without timestamps', () => {
    const content = aProviderContent();
    expect(signatoryOf(content)?.role).toBe('signatory');
    expect(sameContent(content, aProvider({ ...content, updatedAt: '2030-01-01T00:00:00.000Z' }))).toBe(true);
    expect(sameContent(content, { ...content, name: 'Anders' })).toBe(false);
  });
});

describe('signing authority', () => {
  const claimed = { id: 'c-1', authority: 'claimed' as const };
  it('a signatory on record may sign; one claimed on the public form only once the eligibility decision confirmed it', () => {
    expect(signingAuthorityConfirmed({ id: 'c-1' }, undefined)).toBe(true);
    expect(signingAuthorityConfirmed(claimed, { decision: { decision: 'eligible' } })).toBe(false);
    expect(signingAuthorityConfirmed(claimed, { decision: { decision: 'eligible', signatoryConfirmed: { contactId: 'c-2' } } })).toBe(false);
    expect(signingAuthorityConfirmed(claimed, { decision: { decision: 'eligible', signatoryConfirmed: { contactId: 'c-1' } } })).toBe(true);
  });
});
