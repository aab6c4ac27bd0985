/** Valid params for every template (the type makes a new template without a sample a compile error). */
import type { TemplateId, TemplateParams } from '../../../functions/email/templates.ts';

export const PROVIDER = 'Revalidatiecentrum De Hoogstraat';
export const CARE_TYPE = 'Medisch specialistische revalidatie';
export const LINK = 'https://links.example.nl/l/tok-123';
export const ICS = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//inkoopkalender//NL\r\nEND:VCALENDAR\r\n';

const provider = { providerName: PROVIDER, agb: '12345678', careTypeName: CARE_TYPE, contractYear: 2021 };
const team = { careTypeName: CARE_TYPE, contractYear: 2021 };
const applications = [
  { providerName: PROVIDER, agb: '12345678' },
  { providerName: 'Zorggroep Noord', agb: '87654321' },
];
const keyDates = [
  { title: 'Inkoopbeleid gepubliceerd', date: '2020-04-01' },
  { title: 'Aanmelden nieuwe zorgaanbieders', date: '2020-05-01', until: '2020-07-01' },
];

/** Deadline 2020-07-01 reads "uiterlijk woensdag 1 juli 2020, 23:59". */
export const DEADLINE = '2020-07-01';
export const DEADLINE_TEXT = 'uiterlijk woensdag 1 juli 2020, 23:59';

export const SAMPLES: { [T in TemplateId]: TemplateParams<T> } = {
  'policy-published': { ...provider, keyDates, ics: ICS, policyUrl: 'https://www.example.nl/inkoopbeleid' },
  'registration-invitation': { ...provider, opens: '2020-05-01', closes: DEADLINE, actionUrl: LINK },
  'registration-link': { ...provider, deadline: DEADLINE, actionUrl: LINK },
  'registration-received': { ...provider, deadline: DEADLINE, actionUrl: LINK, decisionBy: '2020-09-04' },
  'registration-lapsed': { ...provider, deadline: DEADLINE },
  reminder: { ...provider, action: 'submit-registration', deadline: DEADLINE, actionUrl: LINK, daysLeft: 14 },
  'conditions-request': { ...provider, deadline: DEADLINE, actionUrl: LINK },
  'conditions-confirmed': { ...provider },
  'deadline-missed': { ...provider, missed: 'conditions', deadline: DEADLINE },
  'eligibility-decision': { ...provider, decision: 'not-eligible', reason: 'De KvK-inschrijving ontbreekt.' },
  'eligibility-escalation': { ...team, deadline: DEADLINE, applications, actionUrl: LINK },
  'agreement-available': { ...provider, proposalRequested: true, deadline: DEADLINE, actionUrl: LINK },
  'proposal-received': { ...provider },
  'negotiation-agreement-offered': { ...provider, deadline: DEADLINE, actionUrl: LINK, includesQualityConditions: true },
  'agreement-accepted': { ...provider, deadline: DEADLINE, actionUrl: LINK, signatoryName: 'J. de Vries' },
  'agreement-signed': { ...provider },
  'signing-escalation': { ...team, deadline: DEADLINE, applications },
  contracted: { ...provider },
  'not-contracted': { ...provider, reason: 'Er is geen overeenstemming bereikt over de prijs.' },
  'questions-deadline-reminder': { ...provider, deadline: DEADLINE, actionUrl: LINK },
  'question-received': { ...provider, questionReference: 'V-2020-017', qaMemoDate: DEADLINE },
  'question-answered': {
    ...provider,
    questionReference: 'q-3f9a1c2b7d4e5f60',
    kind: 'question',
    question: 'Telt een nevenlocatie mee voor de minimumnorm?',
    answer: 'Ja, elke locatie telt mee.\n\nLever per locatie een overzicht in.',
  },
  'qa-memo-published': { ...provider, actionUrl: LINK },
  feedback: { ...provider, stage: 'first', summary: 'Uw inschrijving is compleet.\n\nWij missen nog het bedrijfsplan.', deadline: DEADLINE, actionUrl: LINK },
  'contracted-list-ready': { ...team, listUrl: LINK, providerCount: 42, deadline: DEADLINE },
  'calendar-amended': {
    ...provider,
    milestoneTitle: 'Voorstel financiële afspraak',
    oldDate: '2020-06-15',
    newDate: DEADLINE,
    reason: 'De overeenkomst komt later beschikbaar.',
    isDeadline: true,
    ics: ICS,
  },
  'withdrawal-confirmed': { ...provider },
  'agreements-final': { ...provider },
  'next-year-dates': { ...provider, nextContractYear: 2022, keyDates },
  'unreachable-escalation': {
    ...team,
    providerName: PROVIDER,
    agb: '12345678',
    failed: [{ address: 'info@zorg-en-co.example', status: 'bounced', diagnostic: 'Permanent/General: smtp; 550 5.1.1 user unknown' }],
    actionUrl: LINK,
  },
};

/** Templates that act through a link: without `actionUrl` their params are invalid. */
export const LINK_REQUIRED: TemplateId[] = [
  'registration-invitation',
  'registration-link',
  'registration-received',
  'reminder',
  'conditions-request',
  'agreement-available', // when a proposal is requested
  'negotiation-agreement-offered',
  'agreement-accepted',
  'questions-deadline-reminder',
  'qa-memo-published',
];

/** Templates with a dated deadline in their params. */
export const WITH_DEADLINE = (Object.keys(SAMPLES) as TemplateId[]).filter(
  (id) => 'deadline' in SAMPLES[id] || 'closes' in SAMPLES[id],
);

/** Templates to the insurer's teams (no single provider). */
export const TEAM_TEMPLATES: TemplateId[] = ['eligibility-escalation', 'signing-escalation', 'contracted-list-ready', 'unreachable-escalation'];
