import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../../../functions/calendar/validate.ts';
import { invitationFor } from '../../../../functions/domain/provider.ts';
import { generatePopulation, providerFile } from '../../../../functions/local/rehearsal/population.ts';
import { parseProviders } from '../../../../functions/providers/import.ts';

const msr = await loadCalendar('msr-2021');
const zvt = await loadCalendar('zvt-2021');
const cycleOf = (c: typeof msr) => ({ careType: c.careType, contract: c.contract });

describe('the simulated population', () => {
  it('is the same for the same seed, and provider n does not depend on the population size', () => {
    const a = generatePopulation(msr, 200, 7);
    expect(generatePopulation(msr, 200, '7')).toEqual(a);
    expect(generatePopulation(msr, 1000, 7).providers.slice(0, 200)).toEqual(a.providers);
    expect(generatePopulation(msr, 200, 8).providers).not.toEqual(a.providers);
  });

  it('has valid, unique 8-digit AGB codes and KvK numbers, and exactly one signatory each', () => {
    const { providers } = generatePopulation(msr, 2000, 'x');
    expect(new Set(providers.map((p) => p.agb)).size).toBe(providers.length);
    expect(new Set(providers.map((p) => p.kvk)).size).toBe(providers.length);
    for (const p of providers) {
      expect(p.agb).toMatch(/^\d{8}$/);
      expect(p.kvk).toMatch(/^\d{8}$/);
      expect(p.contacts.filter((c) => c.role === 'signatory')).toHaveLength(1);
      expect(new Set(p.contacts.map((c) => c.email)).size).toBe(p.contacts.length);
    }
  });

  it('mixes existing contract holders, multi-year contracts, new providers and other care types, as the domain rules see them', () => {
    const { providers } = generatePopulation(msr, 1000, 1);
    const kinds: Partial<Record<(typeof providers)[number]['kind'], typeof providers>> = {};
    for (const p of providers) kinds[p.kind] = [...(kinds[p.kind] ?? []), p];
    for (const kind of ['existing', 'multi-year', 'new', 'other-care-type'] as const) expect(kinds[kind]?.length ?? 0).toBeGreaterThan(50);
    for (const p of kinds.existing!) expect(invitationFor(p, cycleOf(msr))).toEqual({ invite: true, track: 'existing' });
    for (const p of kinds['multi-year']!) expect(invitationFor(p, cycleOf(msr))).toEqual({ invite: false, reason: 'contract-runs' });
    for (const p of kinds['other-care-type']!) expect(invitationFor(p, cycleOf(msr))).toEqual({ invite: false, reason: 'other-care-type' });
    for (const p of kinds.new!) {
      expect(p.registration).toBeDefined();
      expect(p.decision).toBeDefined();
      expect(p.contacts).toHaveLength(1);
    }
    // Every behaviour occurs.
    const timings = new Set(providers.map((p) => p.responds['submit-proposal'].timing));
    expect([...timings].sort()).toEqual(['after-reminder', 'early', 'last-day', 'late', 'never']);
    expect(new Set(providers.map((p) => p.responds['sign-agreement'].mistake))).toEqual(new Set(['none', 'corrected', 'abandoned']));
  });

  it('has no new providers for a calendar without a registration window', () => {
    expect(generatePopulation(zvt, 300, 1).providers.filter((p) => p.kind === 'new')).toEqual([]);
  });

  it('writes the known providers as a file the real import accepts', () => {
    const population = generatePopulation(msr, 300, 1);
    const parsed = parseProviders(providerFile(population), 'json', 'providers.json');
    const known = population.providers.filter((p) => p.kind !== 'new');
    expect(parsed.map((p) => p.agb)).toEqual(known.map((p) => p.agb));
    expect(parsed[0].contracts).toEqual(known[0].contracts);
  });
});
