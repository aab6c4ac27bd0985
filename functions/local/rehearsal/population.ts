/**
 * The simulated provider population of a rehearsal, deterministic from the seed.
 *
 * Kinds, for a calendar of care type X and first contract year Y:
 * - `existing`: a contract for X that ended in Y−1: invited as a contract holder;
 * - `multi-year`: a contract for X that runs through Y: not invited this year;
 * - `new`: unknown to the insurer; registers through the public form in the
 *   registration window (only calendars that have one);
 * - `other-care-type`: contracted for another kind of care only: not invited.
 * Everyone but `new` is in the provider file the rehearsal imports through the
 * real import code.
 *
 * Behaviours: how each provider answers each kind of action link (early, after
 * a reminder, on the last day, late, never; with a mistake the page refuses
 * that is corrected or not), and what the purchaser decides on a new provider's
 * registration. The simulation acts them out; the tests derive their expected
 * counts from them.
 */
import type { Calendar } from '../../calendar/schema.ts';
import type { Contract } from '../../domain/model.ts';
import type { LinkAction } from '../../domain/tokens.ts';
import { simulatorAddress } from '../ses-events.ts';
import { between, pick, stream, unit } from './random.ts';

export type ProviderKind = 'existing' | 'multi-year' | 'new' | 'other-care-type';
/** When a provider acts on a link, relative to its deadline (the link's expiry). */
export type Timing = 'early' | 'after-reminder' | 'last-day' | 'late' | 'never';
/** `corrected`: the first post has an error (400), a second one fixes it; `abandoned`: no second post. */
export type Mistake = 'none' | 'corrected' | 'abandoned';
export type PurchaserDecision = 'eligible' | 'not-eligible' | 'undecided';

export interface Behaviour {
  timing: Timing;
  mistake: Mistake;
}

export interface SimulatedContact {
  name: string;
  email: string;
  role: 'signatory' | 'general';
}

export interface SimulatedProvider {
  index: number;
  kind: ProviderKind;
  agb: string;
  kvk: string;
  name: string;
  careTypes: string[];
  contacts: SimulatedContact[];
  contracts: Contract[];
  /** New providers: when they fill in the public registration form (never `never`: then they would not be here). */
  registration?: { timing: Exclude<Timing, 'never' | 'after-reminder'>; mistake: Mistake };
  /** How they answer each kind of action link. */
  responds: Record<LinkAction, Behaviour>;
  /** New providers: the purchaser's decision on their registration. */
  decision?: PurchaserDecision;
  /**
   * Nobody at this provider can be reached by email: every contact is an SES mailbox simulator address
   * that bounces (or is delivered and then complained about). Such a provider never acts; the first
   * email it is sent makes it unreachable (functions/delivery/). Only providers in the provider file.
   */
  unreachable?: 'bounces' | 'complains';
}

export interface PopulationOptions {
  /** Share (0..1) of the known providers whose every address bounces or complains (a quarter of them complain). Default 0. */
  unreachableShare?: number;
}

export interface Population {
  seed: string;
  calendarId: string;
  providers: SimulatedProvider[];
}

const KIND_WEIGHTS = [
  ['existing', 55],
  ['multi-year', 10],
  ['new', 25],
  ['other-care-type', 10],
] as const;

const TIMING_WEIGHTS: Record<LinkAction, readonly (readonly [Timing, number])[]> = {
  'submit-registration': [['early', 50], ['after-reminder', 15], ['last-day', 15], ['late', 8], ['never', 12]],
  'declare-conditions': [['early', 50], ['after-reminder', 15], ['last-day', 15], ['late', 8], ['never', 12]],
  'submit-proposal': [['early', 50], ['after-reminder', 15], ['last-day', 15], ['late', 8], ['never', 12]],
  'accept-negotiation-agreement': [['early', 65], ['after-reminder', 10], ['last-day', 10], ['late', 5], ['never', 10]],
  'sign-agreement': [['early', 60], ['after-reminder', 15], ['last-day', 15], ['late', 5], ['never', 5]],
  'ask-question': [['early', 10], ['never', 90]],
  withdraw: [['never', 1]],
};

const MISTAKE_WEIGHTS = [
  ['none', 80],
  ['corrected', 15],
  ['abandoned', 5],
] as const;

const DECISION_WEIGHTS = [
  ['eligible', 70],
  ['not-eligible', 15],
  ['undecided', 15],
] as const;

const REGISTRATION_WEIGHTS = [
  ['early', 60],
  ['last-day', 25],
  ['late', 15],
] as const;

const OTHER_CARE_TYPES = ['ggz', 'wijkverpleging', 'geboortezorg', 'farmacie', 'msr', 'zg', 'wlz', 'diagnostics'];

const ORG_KINDS = ['Revalidatiecentrum', 'Zorggroep', 'Stichting', 'Kliniek', 'Zorgcentrum', 'Medisch Centrum', 'Behandelcentrum', 'Zorgcoöperatie'];
const ORG_NAMES = [
  'De Hoogstraat', 'Het Roessingh', 'De Vogellanden', 'Heliomare', 'Klimmendaal', 'Tolbrug', 'Adelante', 'Merem', 'Basalt',
  'De Trappenberg', 'Libra', 'Rijndam', 'Vitalis', 'Sonnevanck', 'Het Baken', 'De Linde', 'Amaris', 'Zonnehuis', 'Careyn',
  'Laurens', 'Cordaan', 'Vivium', 'Sensire', 'Azora', 'Tragel', 'Pluryn', 'Ipse', 'Kentalis', 'Visio', 'Bartiméus',
];
const PLACES = [
  'Utrecht', 'Enschede', 'Zwolle', 'Amsterdam', 'Arnhem', 'Rotterdam', 'Groningen', 'Maastricht', 'Eindhoven', 'Nijmegen',
  'Leiden', 'Haarlem', 'Breda', 'Tilburg', 'Apeldoorn', 'Deventer', 'Leeuwarden', 'Assen', 'Delft', 'Gouda', 'Venlo',
  'Almere', 'Amersfoort', 'Den Bosch', 'Hengelo', 'Alkmaar', 'Emmen', 'Helmond', 'Zeist', 'Ede',
];
const FIRST_NAMES = ['Anna', 'Daan', 'Sanne', 'Joris', 'Fleur', 'Bram', 'Lotte', 'Sem', 'Eva', 'Lucas', 'Noor', 'Thijs', 'Femke', 'Ruben', 'Iris', 'Pieter', 'Marloes', 'Kees', 'Ingrid', 'Wouter'];
const LAST_NAMES = ['de Vries', 'Jansen', 'van den Berg', 'Bakker', 'Visser', 'Smit', 'Meijer', 'de Boer', 'Mulder', 'de Groot', 'Bos', 'Vos', 'Peters', 'Hendriks', 'van Dijk', 'Dekker', 'Brouwer', 'de Wit', 'Dijkstra', 'Kok'];

const slug = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A bijection of [0, 9·10^7) (the multiplier is coprime to the modulus), so codes never collide. */
const code8 = (index: number, multiplier: number, offset: number): string =>
  String(10_000_000 + ((index * multiplier + offset) % 90_000_000));

export function hasRegistrationWindow(calendar: Calendar): boolean {
  return calendar.milestones.some((m) => m.kind === 'registration-window');
}

export function generateProvider(calendar: Calendar, seed: string, index: number, options: PopulationOptions = {}): SimulatedProvider {
  const r = stream(seed, calendar.id, 'provider', index);
  const code = calendar.careType.code;
  const year = calendar.contract.firstYear;
  let kind = pick(r(), KIND_WEIGHTS);
  if (kind === 'new' && !hasRegistrationWindow(calendar)) kind = 'existing';

  const agb = code8(index, 7_919_321, Math.floor(unit(seed, 'agb') * 90_000_000));
  const kvk = code8(index, 6_543_217, Math.floor(unit(seed, 'kvk') * 90_000_000));
  const name = `${ORG_KINDS[between(r(), 0, ORG_KINDS.length - 1)]} ${ORG_NAMES[between(r(), 0, ORG_NAMES.length - 1)]} ${PLACES[between(r(), 0, PLACES.length - 1)]}`;
  const domain = `${slug(name)}-${agb}.example`;

  const contactCount = kind === 'new' ? 1 : between(r(), 1, 3);
  const contacts: SimulatedContact[] = [];
  for (let i = 0; i < contactCount; i++) {
    const first = FIRST_NAMES[between(r(), 0, FIRST_NAMES.length - 1)];
    const last = LAST_NAMES[between(r(), 0, LAST_NAMES.length - 1)];
    contacts.push({
      name: `${first} ${last}`,
      email: `${slug(first)}.${slug(last)}${i ? `.${i}` : ''}@${domain}`,
      role: i === 0 ? 'signatory' : 'general',
    });
  }

  const others = OTHER_CARE_TYPES.filter((c) => c !== code);
  const other = others[between(r(), 0, others.length - 1)];
  const term = calendar.contract.termYears;
  let careTypes: string[];
  let contracts: Contract[];
  switch (kind) {
    case 'existing':
      careTypes = r() < 0.2 ? [code, other] : [code];
      contracts = [{ careType: code, firstYear: year - term, lastYear: year - 1 }];
      break;
    case 'multi-year':
      careTypes = [code];
      contracts = [{ careType: code, firstYear: year - 1, lastYear: year + 1 }];
      break;
    case 'new':
      careTypes = [code];
      contracts = [];
      break;
    case 'other-care-type':
      careTypes = [other];
      contracts = [{ careType: other, firstYear: year - 1, lastYear: year }];
      break;
  }

  const responds = Object.fromEntries(
    Object.entries(TIMING_WEIGHTS).map(([action, weights]) => [action, { timing: pick(r(), weights), mistake: pick(r(), MISTAKE_WEIGHTS) }]),
  ) as Record<LinkAction, Behaviour>;

  // Its own stream: a share of 0 leaves every other draw (and so every other rehearsal count) as it was.
  const share = options.unreachableShare ?? 0;
  const reach = share > 0 && kind !== 'new' ? unit(seed, calendar.id, 'unreachable', index) : 1;
  const unreachable = reach < share * 0.75 ? 'bounces' : reach < share ? 'complains' : undefined;
  if (unreachable) {
    contacts.forEach((c, i) => {
      c.email = simulatorAddress(unreachable === 'bounces' ? 'bounce' : 'complaint', `${agb}-${i}`);
    });
  }

  return {
    index,
    kind,
    agb,
    kvk,
    name,
    careTypes,
    contacts,
    contracts,
    ...(kind === 'new'
      ? { registration: { timing: pick(r(), REGISTRATION_WEIGHTS), mistake: pick(r(), MISTAKE_WEIGHTS) }, decision: pick(r(), DECISION_WEIGHTS) }
      : {}),
    responds,
    ...(unreachable ? { unreachable } : {}),
  };
}

export function generatePopulation(calendar: Calendar, count: number, seed: string | number, options: PopulationOptions = {}): Population {
  const s = String(seed);
  return { seed: s, calendarId: calendar.id, providers: Array.from({ length: count }, (_, i) => generateProvider(calendar, s, i, options)) };
}

/** The providers the insurer knows before the cycle (everyone but `new`), as the JSON provider file `inkoop providers import` reads. */
export function providerFile(population: Population): string {
  const known = population.providers
    .filter((p) => p.kind !== 'new')
    .map((p) => ({ agb: p.agb, kvk: p.kvk, name: p.name, careTypes: p.careTypes, contacts: p.contacts, contracts: p.contracts }));
  return `${JSON.stringify(known, null, 1)}\n`;
}

// ---------------------------------------------------------------- several cycles at once

/**
 * Share of the providers of a rehearsal of several calendars that take part in a second cycle besides their
 * own: an insurer contracts many providers for more than one kind of care (a revalidation centre that also
 * does telemonitoring, a care group in the Wlz and in ZVT). A quarter is a middle guess; it gives every
 * cycle of a 600-provider year dozens of providers shared with another.
 */
export const OVERLAP_SHARE = 0.25;
/** Of those with a second cycle that has a registration window: the share that seeks a first contract there (the public form) rather than holding one. */
export const SEEK_SHARE = 0.3;

/**
 * One provider population for the cycles of several calendars (an insurer's year). Each provider has a
 * home calendar (drawn from the seed) whose single-calendar provider it is (its kind, name, contacts);
 * `OVERLAP_SHARE` of them take part in a second cycle, of a care type they are not in yet:
 * - `holds`: a contract for that care type ending the year before (its care types and contracts grow): invited there;
 * - `seeks`: known to the insurer, it asks for a first contract through that cycle's public registration form
 *   (only a calendar with a registration window).
 * A provider unknown to the insurer (`new` at home) takes part in its home cycle only.
 *
 * `cycles` holds one `Population` per calendar: the same providers, each with what is known of it in the
 * provider table (care types, contracts, contacts: shared by all cycles) and its part in that cycle (`kind`,
 * its behaviours, drawn per calendar). The simulation of each cycle and the model of its year read it as for
 * a single calendar. One calendar: `cycles` is exactly `generatePopulation`'s population.
 */
export interface YearPopulation {
  seed: string;
  calendarIds: string[];
  /** Per provider index: its home calendar and the second cycle it takes part in (if any). */
  roles: { agb: string; home: string; second?: { calendarId: string; part: 'holds' | 'seeks' } }[];
  cycles: Record<string, Population>;
}

export function generateYearPopulation(
  calendars: readonly Calendar[],
  count: number,
  seed: string | number,
  options: PopulationOptions & { overlapShare?: number } = {},
): YearPopulation {
  const s = String(seed);
  const ids = calendars.map((c) => c.id);
  if (calendars.length === 1) {
    const population = generatePopulation(calendars[0], count, s, options);
    return { seed: s, calendarIds: ids, roles: population.providers.map((p) => ({ agb: p.agb, home: ids[0] })), cycles: { [ids[0]]: population } };
  }
  const share = options.overlapShare ?? OVERLAP_SHARE;
  const cycles: Record<string, Population> = Object.fromEntries(ids.map((id) => [id, { seed: s, calendarId: id, providers: [] as SimulatedProvider[] }]));
  const roles: YearPopulation['roles'] = [];
  for (let index = 0; index < count; index++) {
    const home = calendars[Math.floor(unit(s, 'year', 'home', index) * calendars.length)];
    const base = generateProvider(home, s, index, options);
    const careTypes = [...base.careTypes];
    const contracts = base.contracts.map((c) => ({ ...c }));
    const kinds = new Map<string, ProviderKind>([[home.id, base.kind]]);
    let second: YearPopulation['roles'][number]['second'];
    if (unit(s, 'year', 'overlap', index) < share) {
      // A care type the provider is not in yet. A provider unknown to the insurer takes part in its own cycle only:
      // which form it filled in first would decide the care type it is known by.
      const candidates = base.kind === 'new' ? [] : calendars.filter((c) => c !== home && !careTypes.includes(c.careType.code));
      const other = candidates[Math.floor(unit(s, 'year', 'second', index) * candidates.length)];
      if (other) {
        const seeks = hasRegistrationWindow(other) && unit(s, 'year', 'seeks', index) < SEEK_SHARE;
        second = { calendarId: other.id, part: seeks ? 'seeks' : 'holds' };
        kinds.set(other.id, seeks ? 'new' : 'existing');
        if (!seeks) {
          careTypes.push(other.careType.code);
          contracts.push({ careType: other.careType.code, firstYear: other.contract.firstYear - other.contract.termYears, lastYear: other.contract.firstYear - 1 });
        }
      }
    }
    roles.push({ agb: base.agb, home: home.id, ...(second ? { second } : {}) });
    for (const calendar of calendars) {
      // Its behaviours in this cycle: the single-calendar provider of this calendar and index (same AGB code).
      const own = calendar === home ? base : generateProvider(calendar, s, index, options);
      const code = calendar.careType.code;
      const year = calendar.contract.firstYear;
      const kind: ProviderKind =
        kinds.get(calendar.id) ??
        (contracts.some((c) => c.careType === code && c.firstYear <= year && year <= c.lastYear)
          ? 'multi-year'
          : contracts.some((c) => c.careType === code && c.lastYear === year - 1) && careTypes.includes(code)
            ? 'existing'
            : 'other-care-type');
      const r = stream(s, calendar.id, 'year', 'seeks', index);
      const seeking = kind === 'new' && !own.registration;
      cycles[calendar.id].providers.push({
        index,
        kind,
        agb: base.agb,
        kvk: base.kvk,
        name: base.name,
        careTypes,
        contacts: base.contacts,
        contracts,
        ...(kind === 'new'
          ? seeking
            ? { registration: { timing: pick(r(), REGISTRATION_WEIGHTS), mistake: pick(r(), MISTAKE_WEIGHTS) }, decision: pick(r(), DECISION_WEIGHTS) }
            : { registration: own.registration, decision: own.decision }
          : {}),
        responds: own.responds,
        ...(base.unreachable ? { unreachable: base.unreachable } : {}),
      });
    }
  }
  return { seed: s, calendarIds: ids, roles, cycles };
}

/** The providers the insurer knows before the year, once each (their care types and contracts across all cycles). */
export function yearProviderFile(year: YearPopulation): string {
  const known = year.roles.flatMap((role, i) => {
    const p = year.cycles[role.home].providers[i];
    return p.kind === 'new' ? [] : [p];
  });
  return providerFile({ seed: year.seed, calendarId: year.calendarIds.join(','), providers: known });
}
