/**
 * The rendered emails, byte for byte, against a file captured from the
 * renderer before it was optimised (memoised dates, compiled layout): every
 * template's sample, each with its dates on the DST switches and the year end,
 * the variants the templates branch on, and the validation errors of bad
 * params. A change in wording must update the file on purpose (`vitest -u`).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/commons/errors.ts';
import { render, TEMPLATE_IDS, type TemplateId } from '../../../functions/email/templates.ts';
import { SAMPLES } from './samples.ts';

type Params = Record<string, unknown>;
const sample = (id: TemplateId, patch: Params = {}): Params => ({ ...SAMPLES[id], ...patch });

const DATE_KEYS = ['deadline', 'closes', 'decisionBy', 'qaMemoDate', 'oldDate', 'newDate'];
/** Last Sundays of March and October (2020, 2021), the days either side, and a year end. */
const DST_DATES = ['2020-03-28', '2020-03-29', '2020-10-25', '2020-10-26', '2021-03-28', '2021-10-31', '2020-12-31'];

/** Every date param of a sample set to one date (a registration window then opens a month before). */
function withDates(id: TemplateId, date: string): Params | undefined {
  const params = sample(id);
  const keys = DATE_KEYS.filter((k) => k in params);
  if (!keys.length && !('keyDates' in params)) return undefined;
  for (const k of keys) params[k] = date;
  if ('opens' in params) params.opens = '2020-02-27';
  if ('keyDates' in params) {
    params.keyDates = [
      { title: 'Op de dag zelf', date },
      { title: 'Over de jaargrens', date: '2020-12-01', until: '2021-01-15' },
      { title: 'Over de zomertijd', date: '2021-03-01', until: date < '2021-03-01' ? '2021-04-01' : date },
    ];
  }
  return params;
}

const HOSTILE = `Zorg & Co <b>"De 'Brug'"</b>`;

const VARIANTS: Array<[string, TemplateId, Params]> = [
  ['eligible', 'eligibility-decision', { ...sample('eligibility-decision'), decision: 'eligible', reason: undefined }],
  ['no proposal, no agreement link', 'agreement-available', (({ deadline: _d, actionUrl: _a, ...rest }) => ({ ...rest, proposalRequested: false }))(sample('agreement-available'))],
  ['with an agreement link', 'agreement-available', sample('agreement-available', { agreementUrl: 'https://www.example.nl/overeenkomst?a=1&b=2' })],
  ['final feedback, no link', 'feedback', sample('feedback', { stage: 'final', deadline: undefined, actionUrl: undefined })],
  ['feedback with a link but no deadline', 'feedback', sample('feedback', { deadline: undefined })],
  ['proposal missed', 'deadline-missed', sample('deadline-missed', { missed: 'proposal' })],
  ['not a deadline, no ics', 'calendar-amended', sample('calendar-amended', { isDeadline: false, ics: undefined, actionUrl: 'https://x.example.nl/k' })],
  ['no reason', 'not-contracted', sample('not-contracted', { reason: undefined })],
  ['one provider', 'contracted-list-ready', sample('contracted-list-ready', { providerCount: 1 })],
  ['one application', 'signing-escalation', sample('signing-escalation', { applications: [{ providerName: HOSTILE, agb: '11111111' }], actionUrl: 'https://x.example.nl/o' })],
  ['no question details', 'question-received', sample('question-received', { questionReference: undefined, qaMemoDate: undefined })],
  ['no decision date', 'registration-received', sample('registration-received', { decisionBy: undefined })],
  ['without quality conditions', 'negotiation-agreement-offered', sample('negotiation-agreement-offered', { includesQualityConditions: false })],
  ['no signatory', 'agreement-accepted', sample('agreement-accepted', { signatoryName: undefined })],
  ['next year without ics', 'next-year-dates', sample('next-year-dates', { ics: undefined, policyUrl: 'https://www.example.nl/beleid' })],
  ['no agb, no policy link', 'policy-published', sample('policy-published', { agb: undefined, policyUrl: undefined })],
  ['hostile text everywhere', 'not-contracted', sample('not-contracted', { providerName: HOSTILE, careTypeName: `${HOSTILE} zorg`, reason: HOSTILE })],
  ['hostile link', 'reminder', sample('reminder', { actionUrl: `https://links.example.nl/l/a?x="><img src=x>&y='1'` })],
  ['multi-year, 3 years', 'contracted', sample('contracted', { contractYear: 2024, contractTermYears: 3 })],
  ['multi-year team email', 'eligibility-escalation', sample('eligibility-escalation', { contractYear: 2024, contractTermYears: 2 })],
  ['spaces trimmed', 'conditions-confirmed', sample('conditions-confirmed', { providerName: '  Zorg Oost  ', careTypeName: ' GGZ ' })],
  ...(['request-registration', 'declare-conditions', 'submit-proposal', 'accept-negotiation-agreement', 'sign-agreement', 'ask-question', 'withdraw'] as const).map(
    (action, i): [string, TemplateId, Params] => [`reminder to ${action}`, 'reminder', sample('reminder', { action, daysLeft: i === 0 ? undefined : i })],
  ),
];

const INVALID: Array<[string, string, unknown]> = [
  ...TEMPLATE_IDS.map((id): [string, string, unknown] => [`${id}: no params`, id, {}]),
  ['unknown template', 'no-such-template', {}],
  ['params not an object', 'contracted', null],
  ['bad agb and year', 'contracted', sample('contracted', { agb: '123', contractYear: 1999.5 })],
  ['bad term', 'contracted', sample('contracted', { contractTermYears: 4 })],
  ['not a calendar date', 'reminder', sample('reminder', { deadline: '2020-02-30' })],
  ['not a date', 'reminder', sample('reminder', { deadline: '1 juli 2020', daysLeft: 0 })],
  ['javascript link', 'reminder', sample('reminder', { actionUrl: 'javascript:alert(1)' })],
  ['unknown action', 'reminder', sample('reminder', { action: 'dance' })],
  ['window closes before it opens', 'registration-invitation', sample('registration-invitation', { closes: '2020-04-30' })],
  ['no applications', 'signing-escalation', sample('signing-escalation', { applications: [] })],
  ['bad application', 'signing-escalation', sample('signing-escalation', { applications: [{ providerName: ' ', agb: 'x' }] })],
  ['bad ics', 'policy-published', sample('policy-published', { ics: 'not a calendar' })],
  ['key date window backwards', 'next-year-dates', sample('next-year-dates', { keyDates: [{ title: 'x', date: '2020-05-01', until: '2020-04-01' }] })],
  ['no discriminator', 'eligibility-decision', sample('eligibility-decision', { decision: undefined })],
  ['not eligible without reason', 'eligibility-decision', sample('eligibility-decision', { reason: '  ' })],
  ['proposal without deadline', 'agreement-available', sample('agreement-available', { deadline: undefined })],
  ['wrong types', 'feedback', sample('feedback', { stage: 'middle', summary: 42, deadline: 20200701 })],
];

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function outcome(id: string, params: unknown): unknown {
  try {
    render(id, params);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { error: error.message, issues: error.issues };
  }
  throw new Error(`expected ${id} to refuse its params`);
}

describe('rendered emails', () => {
  it('are byte-identical to the captured output, for every template', async () => {
    const samples = Object.fromEntries(TEMPLATE_IDS.map((id) => [id, render(id, SAMPLES[id])]));
    const onDstDates = Object.fromEntries(
      TEMPLATE_IDS.flatMap((id) =>
        DST_DATES.flatMap((date) => {
          const params = withDates(id, date);
          if (!params) return [];
          const email = render(id, params);
          return [[`${id} @ ${date}`, { subject: email.subject, text: email.text, htmlSha256: sha256(email.html) }]];
        }),
      ),
    );
    const variants = Object.fromEntries(VARIANTS.map(([name, id, params]) => [`${id}: ${name}`, render(id, params)]));
    const invalid = Object.fromEntries(INVALID.map(([name, id, params]) => [name, outcome(id, params)]));
    await expect(`${JSON.stringify({ samples, onDstDates, variants, invalid }, null, 2)}\n`).toMatchFileSnapshot(
      './__snapshots__/render-output.json',
    );
  });

  it('put every template with a date on the DST switches', () => {
    const undated = TEMPLATE_IDS.filter((id) => !withDates(id, DST_DATES[0]));
    expect(undated.sort()).toEqual(
      [
        'agreement-signed',
        'agreements-final',
        'conditions-confirmed',
        'contracted',
        'eligibility-decision',
        'not-contracted',
        'proposal-received',
        'qa-memo-published',
        'question-answered',
        'withdrawal-confirmed',
        'unreachable-escalation',
      ].sort(),
    );
  });
});
