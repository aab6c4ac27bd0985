/**
 * Small builders for domain entities: sensible defaults, override what a test
 * is about. All times are fixed (no clock reads).
 */
import { calendarSchema, type Calendar, type MilestoneKind } from '../../functions/calendar/schema.ts';
import type { TimelinePhase } from '../../functions/calendar/timeline.ts';
import type { Actor, Application, Contact, Cycle, MessageInput, Provider, QuestionInput, Step, StepInput } from '../../functions/domain/model.ts';
import { contactIdFor, type ProviderContent } from '../../functions/domain/provider.ts';
import type { ApplicationState, Track } from '../../functions/domain/states.ts';
import { validCalendar } from './calendar-factory.ts';

export const T0 = '2020-06-01T10:00:00.000Z';

let counter = 0;
/** A fresh valid AGB code per call (8 digits). */
export const anAgb = (): string => String(10_000_000 + ++counter).padStart(8, '0');

export function aContact(overrides: Partial<Contact> = {}): Contact {
  const email = overrides.email ?? `contact${++counter}@aanbieder.example.nl`;
  return { id: contactIdFor(email), name: 'Anna de Vries', email, role: 'general', ...overrides };
}

export function aProviderContent(overrides: Partial<ProviderContent> = {}): ProviderContent {
  const agb = overrides.agb ?? anAgb();
  return {
    agb,
    kvk: '12345678',
    name: `Zorgaanbieder ${agb}`,
    careTypes: ['test'],
    contacts: [aContact({ role: 'signatory', email: `teken-${agb}@aanbieder.example.nl` }), aContact({ email: `info-${agb}@aanbieder.example.nl` })],
    contracts: [],
    ...overrides,
  };
}

export function aProvider(overrides: Partial<Provider> = {}): Provider {
  return { ...aProviderContent(overrides), createdAt: T0, updatedAt: T0, ...overrides };
}

export function aCalendar(overrides: Partial<Calendar> = {}): Calendar {
  return { ...calendarSchema.parse(validCalendar()), ...overrides };
}

export function aCycle(overrides: Partial<Cycle> = {}): Cycle {
  const calendar = overrides.calendar ?? aCalendar();
  return {
    id: calendar.id,
    calendarId: calendar.id,
    careType: calendar.careType,
    regime: calendar.regime,
    contract: calendar.contract,
    calendar,
    status: 'planned',
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

/** A timeline step; `localDate` defaults to the day of `at` (UTC), good enough away from midnight. */
export function aStep(kind: MilestoneKind, phase: TimelinePhase, at: string, overrides: Partial<StepInput> = {}): StepInput {
  return { stepId: `${kind}#${phase}`, milestoneId: kind, kind, phase, localDate: at.slice(0, 10), at, ...overrides };
}

/**
 * The steps guards read: a registration window 1 May – 1 July 2020 (closes 00:00 local after
 * 1 July), and optional conditions and proposal deadlines (checked at 00:00 local after the day).
 */
export function aTimeline(options: { conditionsDeadline?: string; proposalDeadline?: string; questionsDeadline?: string } = {}): StepInput[] {
  const steps = [
    aStep('policy-publication', 'notify', '2020-04-01T07:00:00.000Z'),
    aStep('registration-window', 'opens', '2020-05-01T07:00:00.000Z'),
    aStep('registration-window', 'closes', '2020-07-01T22:00:00.000Z', { localDate: '2020-07-01' }),
  ];
  const deadline = (kind: MilestoneKind, date: string) => aStep(kind, 'deadline', `${date}T22:00:00.000Z`, { localDate: date });
  if (options.questionsDeadline) steps.push(deadline('questions-deadline', options.questionsDeadline));
  if (options.conditionsDeadline) steps.push(deadline('conditions-deadline', options.conditionsDeadline));
  if (options.proposalDeadline) steps.push(deadline('proposal-deadline', options.proposalDeadline));
  steps.push(aStep('signing-deadline', 'deadline', '2020-12-31T23:00:00.000Z', { localDate: '2020-12-31' }));
  return steps;
}

export const asSteps = (cycleId: string, steps: StepInput[]): Step[] => steps.map((s) => ({ ...s, cycleId, status: 'due', attempts: 0 }));

/** States only a new provider's application passes through (registration and assessment). */
const NEW_TRACK_STATES: readonly ApplicationState[] = ['registration-started', 'registration-submitted', 'under-review', 'eligible', 'not-eligible'];
/** The track an application put straight into `state` most naturally has. */
export const trackFor = (state: ApplicationState): Track => (NEW_TRACK_STATES.includes(state) ? 'new' : 'existing');

export function anApplication(overrides: Partial<Application> & { state?: ApplicationState; track?: Track } = {}): Application {
  return {
    cycleId: 'test-2021',
    agb: overrides.agb ?? anAgb(),
    track: 'existing',
    state: 'invited',
    version: 1,
    providerName: 'Zorgaanbieder',
    createdAt: T0,
    updatedAt: T0,
    stateSince: T0,
    ...overrides,
  };
}

export const actors = {
  system: { kind: 'system' } as Actor,
  provider: (agb: string, contactId = 'c-someone'): Actor => ({ kind: 'provider', agb, contactId }),
  purchaser: { kind: 'purchaser', id: 'inkoper-1' } as Actor,
  operator: { kind: 'operator', id: 'operator-1' } as Actor,
};

export function aMessage(overrides: Partial<MessageInput> = {}): MessageInput {
  const agb = overrides.agb ?? anAgb();
  return {
    key: `test-2021#${agb}#policy-publication#notify#invitation`,
    cycleId: 'test-2021',
    agb,
    recipients: [{ role: 'signatory', address: `teken-${agb}@aanbieder.example.nl` }],
    template: 'invitation',
    params: { deadline: '2020-07-01' },
    ...overrides,
  };
}

export function aQuestion(overrides: Partial<QuestionInput> = {}): QuestionInput {
  return {
    cycleId: 'test-2021',
    id: `q-${++counter}`,
    agb: anAgb(),
    contactId: 'c-someone',
    kind: 'question',
    text: 'Geldt de norm ook voor nevenlocaties?',
    ...overrides,
  };
}
