import { describe, expect, it } from 'vitest';
import type { ParsedForm, UploadedFile } from '../../../functions/http/form.ts';
import {
  askQuestionFields,
  askQuestionSchema,
  declareConditionsFields,
  declareConditionsSchema,
  parseDutchDate,
  parseEuroAmount,
  requestRegistrationFields,
  requestRegistrationSchema,
  signAgreementFields,
  signAgreementSchema,
  submitProposalFields,
  submitProposalSchema,
  submitRegistrationFields,
  submitRegistrationSchema,
  validateForm,
  withdrawFields,
  withdrawSchema,
  acceptNegotiationAgreementFields,
  acceptNegotiationAgreementSchema,
} from '../../../functions/links/forms.ts';

const pdf = (name = 'doc.pdf', size = 1000): UploadedFile => {
  const bytes = Buffer.alloc(size, 0x20);
  bytes.write('%PDF-1.7');
  return { name, type: 'application/pdf', size, bytes };
};

const form = (fields: Record<string, string | string[]>, files: Record<string, UploadedFile> = {}): ParsedForm => ({
  fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])),
  files: Object.fromEntries(Object.entries(files).map(([k, f]) => [k, [f]])),
  errors: {},
});

describe('request-registration', () => {
  const schema = requestRegistrationSchema(['msr', 'zg']);
  const valid = {
    organisationName: ' Revalidatie Noord ',
    agb: '1234 5678',
    kvk: '87.654.321',
    contactName: 'A. de Vries',
    contactEmail: 'a.devries@example.nl',
    careTypes: 'msr',
  };

  it('normalises valid input', () => {
    const result = validateForm(schema, form(valid));
    expect(result).toEqual({
      ok: true,
      data: {
        organisationName: 'Revalidatie Noord',
        agb: '12345678',
        kvk: '87654321',
        contactName: 'A. de Vries',
        contactEmail: 'a.devries@example.nl',
        careTypes: ['msr'],
      },
    });
  });

  it('explains every problem in Dutch and keeps the entered values', () => {
    const result = validateForm(schema, form({ agb: '1234', contactEmail: 'geen-mail', careTypes: ['xx'] }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      organisationName: 'Vul de naam van uw organisatie in.',
      agb: 'Een AGB-code bestaat uit 8 cijfers.',
      kvk: 'Vul het KvK-nummer in.',
      contactName: 'Vul de naam van de contactpersoon in.',
      contactEmail: 'Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.',
      careTypes: 'Kies een soort zorg uit de lijst.',
    });
    expect(result.values).toMatchObject({ agb: '1234', contactEmail: 'geen-mail', careTypes: 'xx' });
  });

  it('refuses line breaks and control characters in names, in Dutch', () => {
    for (const bad of ['Kliniek\r\nBcc: evil@example.com', 'Kliniek\nNoord', 'Kliniek\u0000', 'Kliniek\u2028Noord', 'A\u0085B']) {
      const result = validateForm(schema, form({ ...valid, organisationName: bad, contactName: bad }));
      expect(result.ok || result.errors).toEqual({
        organisationName: 'Gebruik één regel, zonder regeleinden of andere stuurtekens.',
        contactName: 'Gebruik één regel, zonder regeleinden of andere stuurtekens.',
      });
    }
  });

  it('holds email addresses to RFC 5321: 64 characters before the @, 254 in all', () => {
    const at = (local: string, domain = 'example.nl') => validateForm(schema, form({ ...valid, contactEmail: `${local}@${domain}` }));
    expect(at('a'.repeat(64)).ok).toBe(true);
    const local = at('a'.repeat(65));
    expect(local.ok || local.errors).toEqual({ contactEmail: 'Een e-mailadres heeft hoogstens 64 tekens vóór de @.' });
    expect(at('a'.repeat(487)).ok).toBe(false);
    // 60 + 1 + 4 labels of 60 + 3 dots + ".nl" = 307 > 254
    const long = at('a'.repeat(60), `${Array.from({ length: 4 }, () => 'b'.repeat(60)).join('.')}.nl`);
    expect(long.ok || long.errors).toEqual({ contactEmail: 'Een e-mailadres heeft hoogstens 254 tekens.' });
  });
});

describe('submit-registration', () => {
  const rules = { kvkExtractNotBefore: '2023-01-01', today: '2023-05-20' };
  const schema = submitRegistrationSchema(rules);
  const fields = {
    careDescription: 'Zorg voor doven en slechthorenden',
    startedOn: '1-3-2015',
    extraLocations: 'nee',
    kvkExtractDate: '2023-02-14',
  };
  const files = { kvkExtract: pdf('kvk.pdf'), vog: pdf('vog.pdf'), businessPlan: pdf('plan.pdf') };

  it('accepts a complete registration', () => {
    const result = validateForm(schema, form(fields, files));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.data).toMatchObject({ startedOn: '2015-03-01', extraLocations: false, kvkExtractDate: '2023-02-14' });
    expect(result.data.vog.name).toBe('vog.pdf');
  });

  it('refuses an old chamber-of-commerce extract, missing documents and a non-PDF', () => {
    const fake: UploadedFile = { name: 'plan.pdf', type: 'application/pdf', size: 4, bytes: Buffer.from('MZ..') };
    const result = validateForm(
      schema,
      form({ ...fields, kvkExtractDate: '31-12-2022', extraLocations: 'ja' }, { kvkExtract: pdf(), businessPlan: fake }),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual({
      kvkExtractDate: 'Het uittreksel mag niet ouder zijn dan 1 januari 2023. Vraag een nieuw uittreksel aan bij de KvK.',
      vog: 'Voeg de VOG RP toe.',
      businessPlan: 'Kies een PDF-bestand.',
      extraLocationsDescription: 'Beschrijf de extra locaties.',
    });
    expect(result.values.kvkExtract).toBe('doc.pdf');
  });

  it('keeps the parser\'s message for a file it refused', () => {
    const parsed = form(fields, { kvkExtract: pdf(), businessPlan: pdf() });
    parsed.errors.vog = 'Het bestand is te groot. Het mag hoogstens 10 MB zijn.';
    const result = validateForm(schema, parsed);
    expect(result.ok || result.errors.vog).toBe('Het bestand is te groot. Het mag hoogstens 10 MB zijn.');
  });

  it('refuses dates in the future and impossible dates', () => {
    const result = validateForm(schema, form({ ...fields, startedOn: '2024-01-01', kvkExtractDate: '30-2-2023' }, files));
    expect(result.ok || result.errors).toEqual({
      startedOn: 'Deze datum ligt in de toekomst. Vul de datum in waarop uw instelling begon.',
      kvkExtractDate: 'Vul een bestaande datum in, bijvoorbeeld 1-7-2020.',
    });
  });
});

describe('declare-conditions', () => {
  const conditions = [
    { id: 'wtzi', label: 'Wij hebben een toelating (WTZi).' },
    { id: 'no-orders', label: 'Er loopt geen aanwijzing van de inspectie.' },
  ];
  const schema = declareConditionsSchema(conditions);

  it('needs every condition ticked', () => {
    expect(validateForm(schema, form({ 'condition-wtzi': 'ja', 'condition-no-orders': 'ja' }))).toEqual({
      ok: true,
      data: { confirmed: ['wtzi', 'no-orders'] },
    });
    const result = validateForm(schema, form({ 'condition-wtzi': 'ja' }));
    expect(result.ok || result.errors).toEqual({ 'condition-no-orders': 'Vink aan dat u aan deze voorwaarde voldoet.' });
  });
});

describe('submit-proposal', () => {
  it('reads Dutch amounts into cents', () => {
    expect(parseEuroAmount('125.000,50')).toBe(12_500_050);
    expect(parseEuroAmount('€ 1.250,-')).toBe(125_000);
    expect(parseEuroAmount('125000')).toBe(12_500_000);
    expect(parseEuroAmount('125.000')).toBe(12_500_000);
    expect(parseEuroAmount('1234.5')).toBe(123_450);
    expect(parseEuroAmount('12,345')).toBeUndefined();
    expect(parseEuroAmount('1.23.4')).toBeUndefined();
    const ok = validateForm(submitProposalSchema, form({ amount: '99.999,99', volume: '1.200', note: '' }));
    expect(ok).toEqual({ ok: true, data: { amountCents: 9_999_999, volume: 1200, note: undefined } });
    const bad = validateForm(submitProposalSchema, form({ amount: 'veel', volume: '2,5' }));
    expect(bad.ok || bad.errors).toEqual({
      amount: "Vul een bedrag in euro's in, bijvoorbeeld 125.000,00.",
      volume: 'Vul een heel getal in, bijvoorbeeld 250.',
    });
  });
});

describe('the other forms', () => {
  it('accept-negotiation-agreement needs the box ticked', () => {
    expect(validateForm(acceptNegotiationAgreementSchema, form({ confirm: 'ja' })).ok).toBe(true);
    expect(validateForm(acceptNegotiationAgreementSchema, form({})).ok).toBe(false);
  });

  it('sign-agreement needs a name and the box ticked', () => {
    expect(validateForm(signAgreementSchema, form({ signatoryName: 'J. Jansen', confirm: 'ja' }))).toEqual({
      ok: true,
      data: { signatoryName: 'J. Jansen', confirm: true },
    });
    const twoLines = validateForm(signAgreementSchema, form({ signatoryName: 'J. Jansen\r\nBcc: x@example.com', confirm: 'ja' }));
    expect(twoLines.ok || twoLines.errors).toEqual({ signatoryName: 'Gebruik één regel, zonder regeleinden of andere stuurtekens.' });
    const result = validateForm(signAgreementSchema, form({ signatoryName: '  ' }));
    expect(result.ok || result.errors).toEqual({
      signatoryName: 'Vul uw naam in.',
      confirm: 'Vink aan dat u de overeenkomst ondertekent.',
    });
  });

  it('withdraw needs a reason; ask-question a kind and a text', () => {
    expect(validateForm(withdrawSchema, form({ reason: '' })).ok).toBe(false);
    expect(validateForm(askQuestionSchema, form({ kind: 'objection', text: 'Paragraaf 3 is onredelijk.' }))).toEqual({
      ok: true,
      data: { kind: 'objection', text: 'Paragraaf 3 is onredelijk.' },
    });
    // Several lines are fine in a question; other control characters are not.
    expect(validateForm(askQuestionSchema, form({ kind: 'question', text: 'Regel 1\r\nRegel 2\tmet tab' })).ok).toBe(true);
    const nul = validateForm(askQuestionSchema, form({ kind: 'question', text: 'Vraag\u0000\u001b[31m' }));
    expect(nul.ok || nul.errors).toEqual({ text: 'Deze tekst bevat stuurtekens die wij niet kunnen verwerken. Typ de tekst opnieuw.' });
    const result = validateForm(askQuestionSchema, form({ kind: 'klacht', text: 'x'.repeat(5001) }));
    expect(result.ok || result.errors).toEqual({
      kind: 'Kies of u een vraag of een bezwaar indient.',
      text: 'Gebruik hoogstens 5000 tekens.',
    });
  });

  it('renders the same field names as the schemas read', () => {
    const pairs = [
      [requestRegistrationFields([{ code: 'msr', name: 'MSR' }]), requestRegistrationSchema(['msr'])],
      [submitRegistrationFields({ kvkExtractNotBefore: '2023-01-01' }), submitRegistrationSchema({ kvkExtractNotBefore: '2023-01-01', today: '2023-05-01' })],
      [declareConditionsFields([{ id: 'a', label: 'A' }]), declareConditionsSchema([{ id: 'a', label: 'A' }])],
      [submitProposalFields, submitProposalSchema],
      [acceptNegotiationAgreementFields, acceptNegotiationAgreementSchema],
      [signAgreementFields, signAgreementSchema],
      [withdrawFields, withdrawSchema],
      [askQuestionFields, askQuestionSchema],
    ] as const;
    for (const [fields, schema] of pairs) {
      const result = validateForm(schema, form({}));
      const names = fields.map((f) => f.name).sort();
      const required = fields.filter((f) => f.required !== false).map((f) => f.name).sort();
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      // Every required field is reported under its own name, and nothing else is.
      expect(Object.keys(result.errors).sort()).toEqual(required);
      for (const key of Object.keys(result.errors)) expect(names).toContain(key);
    }
  });

  it('parses dates as typed or picked', () => {
    expect(parseDutchDate('2020-07-01')).toBe('2020-07-01');
    expect(parseDutchDate('1-7-2020')).toBe('2020-07-01');
    expect(parseDutchDate('01/07/2020')).toBe('2020-07-01');
    expect(parseDutchDate('29-2-2021')).toBeUndefined();
    expect(parseDutchDate('juli')).toBeUndefined();
  });
});
