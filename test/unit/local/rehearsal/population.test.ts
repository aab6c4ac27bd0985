import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../../../functions/calendar/validate.ts';
import { invitationFor } from '../../../../functions/domain/provider.ts';
import { generatePopulation, generateYearPopulation, OVERLAP_SHARE, providerFile, yearProviderFile } from '../../../../functions/local/rehearsal/population.ts';
import { parseProviders } from '../../../../functions/providers/import.ts';

const msr = await loadCalendar('msr-2021');
const zvt = await loadCalendar('zvt-2021');
const wlz = await loadCalendar('wlz-2021');
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

describe('the population of several cycles at once (the insurer\'s year)', () => {
  const calendars = [msr, zvt, wlz];

  it('is the single-calendar population for one calendar, and the same for the same seed', () => {
    expect(generateYearPopulation([msr], 200, 3).cycles['msr-2021']).toEqual(generatePopulation(msr, 200, 3));
    expect(yearProviderFile(generateYearPopulation([msr], 200, 3))).toBe(providerFile(generatePopulation(msr, 200, 3)));
    const a = generateYearPopulation(calendars, 300, 7);
    expect(generateYearPopulation(calendars, 300, '7')).toEqual(a);
    expect(generateYearPopulation(calendars, 600, 7).roles.slice(0, 300)).toEqual(a.roles);
  });

  it('puts about a quarter of the providers in a second cycle, of a care type they were not in, holding or seeking a contract there', () => {
    const year = generateYearPopulation(calendars, 2000, 1);
    const second = year.roles.filter((r) => r.second);
    expect(second.length / 2000).toBeGreaterThan(OVERLAP_SHARE - 0.05);
    expect(second.length / 2000).toBeLessThan(OVERLAP_SHARE + 0.03);
    for (const id of ['msr-2021', 'zvt-2021', 'wlz-2021']) expect(year.roles.filter((r) => r.home === id).length).toBeGreaterThan(550);
    const holds = second.filter((r) => r.second!.part === 'holds');
    const seeks = second.filter((r) => r.second!.part === 'seeks');
    expect(holds.length).toBeGreaterThan(100);
    expect(seeks.length).toBeGreaterThan(10);
    // Only a cycle with a registration window can be sought through its form.
    for (const r of seeks) expect(r.second!.calendarId).toBe('msr-2021');
    for (const r of second) {
      const i = year.roles.indexOf(r);
      const there = year.cycles[r.second!.calendarId].providers[i];
      const cal = calendars.find((c) => c.id === r.second!.calendarId)!;
      if (r.second!.part === 'holds') {
        expect(there.kind).toBe('existing');
        expect(invitationFor(there, cycleOf(cal))).toEqual({ invite: true, track: 'existing' });
      } else {
        expect(there.kind).toBe('new');
        expect(there.registration).toBeDefined();
        expect(there.careTypes).not.toContain(cal.careType.code);
      }
      // Unknown providers (new at home) take part in their home cycle only.
      expect(year.cycles[r.home].providers[i].kind).not.toBe('new');
    }
  });

  it('knows each provider the same way in every cycle (one provider table), and imports each known one once', () => {
    const year = generateYearPopulation(calendars, 500, 2);
    const [a, b, c] = calendars.map((cal) => year.cycles[cal.id].providers);
    for (let i = 0; i < 500; i++) {
      for (const other of [b[i], c[i]]) {
        expect([other.agb, other.careTypes, other.contracts, other.contacts]).toEqual([a[i].agb, a[i].careTypes, a[i].contracts, a[i].contacts]);
      }
    }
    const parsed = parseProviders(yearProviderFile(year), 'json', 'providers.json');
    const known = year.roles.filter((r, i) => year.cycles[r.home].providers[i].kind !== 'new');
    expect(parsed.map((p) => p.agb)).toEqual(known.map((r) => r.agb));
    expect(new Set(parsed.map((p) => p.agb)).size).toBe(parsed.length);
    expect(parsed.some((p) => p.careTypes.length > 1 && p.contracts.length > 1)).toBe(true);
  });
});
