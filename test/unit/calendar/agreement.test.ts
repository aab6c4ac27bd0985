import { describe, expect, it } from 'vitest';
import { agreementIncludesQualityConditions } from '../../../functions/calendar/agreement.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { acceptNegotiationAgreement, type LinkContext } from '../../../functions/links/actions.ts';
import { aCycle, aProvider, anApplication } from '../../support/factories.ts';

describe('whether accepting the negotiation agreement signs the quality conditions', () => {
  it.each([
    ['msr-2021', true], // no conditions declaration of its own: the agreement carries them
    ['diagnostics-2020', false], // declared separately, before the conditions deadline
    ['wlz-2021', false], // the Wlz policy ties no conditions to the agreement
  ])('%s: %s', async (id, expected) => {
    expect(agreementIncludesQualityConditions(await loadCalendar(id))).toBe(expected);
  });

  it('the accept page says what the offer email said', async () => {
    const pageFor = async (id: string) => {
      const calendar = await loadCalendar(id);
      const ctx = { cycle: aCycle({ calendar }), provider: aProvider(), application: anApplication({ state: 'proposal-submitted' }) } as unknown as LinkContext;
      return acceptNegotiationAgreement.whatHappens(ctx);
    };
    expect(await pageFor('msr-2021')).toContain('Daarmee ondertekent u ook alle kwaliteitsvoorwaarden.');
    expect(await pageFor('wlz-2021')).not.toContain('kwaliteitsvoorwaarden');
    expect(await pageFor('wlz-2021')).toContain('gaat uw organisatie akkoord met het onderhandelakkoord.');
  });
});
