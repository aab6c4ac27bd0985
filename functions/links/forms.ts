import { z } from 'zod';
import { MAX_EMAIL_ADDRESS, MAX_EMAIL_LOCAL_PART, emailLengthProblem, hasControlCharacters, hasControlCharactersInText } from '../commons/text.ts';
import { formatMegabytes, type FieldErrors, type FileRule, type ParsedForm, type UploadedFile } from '../http/form.ts';
import { formatDutchLocalDate } from './dutch-dates.ts';
import { CHECKED, type FieldSpec, type FormValues } from './pages.ts';

/**
 * One zod schema per provider form, with Dutch messages a provider can act on,
 * and the field list the page renders (same names as the schema keys). Schemas
 * read the output of `formInput` (strings, string arrays, uploaded files) and
 * produce typed, normalised data: trimmed text, ISO dates, amounts in cents.
 * Forms whose rules depend on the calendar are factories.
 */

export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
const MAX_TEXT = 5000;
const MAX_LINE = 200;

// ---------------------------------------------------------------------------
// Building blocks

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const toArray = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

const ONE_LINE = 'Gebruik één regel, zonder regeleinden of andere stuurtekens.';
const NO_CONTROLS = 'Deze tekst bevat stuurtekens die wij niet kunnen verwerken. Typ de tekst opnieuw.';

/** A name or other one-line value: it reaches email subjects, titles and signatures, so no line breaks. */
const requiredLine = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .max(MAX_LINE, { error: `Gebruik hoogstens ${MAX_LINE} tekens.` })
    .refine((v) => !hasControlCharacters(v), { error: ONE_LINE });

/** Text over several lines: line breaks and tabs are fine, other control characters are not. */
const requiredText = (missing: string, max = MAX_TEXT) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .max(max, { error: `Gebruik hoogstens ${max} tekens.` })
    .refine((v) => !hasControlCharactersInText(v), { error: NO_CONTROLS });

const optionalText = (max = MAX_TEXT) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .max(max, { error: `Gebruik hoogstens ${max} tekens.` })
      .refine((v) => !hasControlCharactersInText(v), { error: NO_CONTROLS })
      .optional(),
  );

const INVALID_EMAIL = 'Vul een geldig e-mailadres in, bijvoorbeeld naam@organisatie.nl.';

/** An address SMTP can carry (RFC 5321): the domain's `emailAddress` rules, with Dutch messages. */
const emailField = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .pipe(z.email({ error: INVALID_EMAIL }))
    .superRefine((address, ctx) => {
      const problem = emailLengthProblem(address);
      if (problem === 'local-part') {
        ctx.addIssue({ code: 'custom', message: `Een e-mailadres heeft hoogstens ${MAX_EMAIL_LOCAL_PART} tekens vóór de @.` });
      } else if (problem === 'total') {
        ctx.addIssue({ code: 'custom', message: `Een e-mailadres heeft hoogstens ${MAX_EMAIL_ADDRESS} tekens.` });
      }
    });

/** AGB code, KvK number: 8 digits; spaces and dots people type are dropped. */
const eightDigits = (missing: string, wrong: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.replace(/[\s.]/g, '') : v),
    z.string({ error: missing }).min(1, { error: missing }).regex(/^\d{8}$/, { error: wrong }),
  );

/** A ticked checkbox posts "ja"; anything else is not ticked. */
const confirmed = (message: string) => z.preprocess((v) => v === CHECKED, z.literal(true, { error: message }));

const yesNo = (missing: string) =>
  z.enum(['ja', 'nee'], { error: missing }).transform((v) => v === 'ja');

/** "2020-07-01" (date input) or "1-7-2020", "01/07/2020", "1.7.2020" (typed) → "2020-07-01". */
export function parseDutchDate(input: string): string | undefined {
  const s = input.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const dmy = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(s);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : [];
  if (!y || !m || !d) return undefined;
  const [yy, mm, dd] = [Number(y), Number(m), Number(d)];
  const date = new Date(Date.UTC(yy, mm - 1, dd));
  if (date.getUTCFullYear() !== yy || date.getUTCMonth() !== mm - 1 || date.getUTCDate() !== dd) return undefined;
  return `${y}-${String(mm).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}

const dateField = (missing: string) =>
  z
    .string({ error: missing })
    .trim()
    .min(1, { error: missing })
    .transform((v, ctx) => {
      const iso = parseDutchDate(v);
      if (!iso) {
        ctx.addIssue({ code: 'custom', message: 'Vul een bestaande datum in, bijvoorbeeld 1-7-2020.' });
        return z.NEVER;
      }
      return iso;
    });

/**
 * Euros as Dutch people write them → cents. "125000", "125.000", "125.000,50",
 * "125000,5", "1.250,-", "€ 99,95"; also "1234.50" (a point before 1 or 2 final
 * digits is a decimal point; before 3 it separates thousands).
 */
export function parseEuroAmount(input: string): number | undefined {
  const s = input.replace(/€|\s/g, '').replace(/,-$/, '');
  let euros: string;
  let cents = '';
  if (/^\d+$/.test(s) || /^\d{1,3}(\.\d{3})+$/.test(s)) euros = s;
  else if (/^(\d+|\d{1,3}(\.\d{3})+),\d{1,2}$/.test(s)) [euros, cents] = s.split(',');
  else if (/^\d+\.\d{1,2}$/.test(s)) [euros, cents] = s.split('.');
  else return undefined;
  const value = Number(euros.replace(/\./g, '')) * 100 + Number(cents.padEnd(2, '0') || '0');
  return Number.isSafeInteger(value) ? value : undefined;
}

const isUploadedFile = (v: unknown): v is UploadedFile =>
  typeof v === 'object' && v !== null && typeof (v as UploadedFile).name === 'string' && (v as UploadedFile).bytes instanceof Uint8Array;

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');

/**
 * The parser (http/form.ts) already refused wrong types and sizes; this states
 * the rule for the form itself. One transform with one message per problem: a
 * `z.custom` would abort the object and hide the cross-field checks.
 */
const pdfDocument = (missing: string, maxBytes: number) =>
  z.unknown().transform((v, ctx): UploadedFile => {
    const problem = !isUploadedFile(v)
      ? missing
      : v.type !== 'application/pdf' || !Buffer.from(v.bytes.subarray(0, 5)).equals(PDF_MAGIC)
        ? 'Kies een PDF-bestand.'
        : v.size > maxBytes
          ? `Het bestand is te groot. Het mag hoogstens ${formatMegabytes(maxBytes)} zijn.`
          : undefined;
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return v as UploadedFile;
  });

/** What `parseForm` should accept for a form with these PDF fields. */
export const pdfUploadRules = (names: readonly string[], maxBytes = MAX_DOCUMENT_BYTES): Record<string, FileRule> =>
  Object.fromEntries(names.map((name) => [name, { types: ['application/pdf'], maxBytes }]));

// ---------------------------------------------------------------------------
// request-registration: the public contact form in the registration window

export interface CareTypeOption {
  code: string;
  name: string;
}

export function requestRegistrationSchema(careTypeCodes: readonly string[]) {
  const known = new Set(careTypeCodes);
  return z
    .object({
      organisationName: requiredLine('Vul de naam van uw organisatie in.'),
      agb: eightDigits('Vul de AGB-code in.', 'Een AGB-code bestaat uit 8 cijfers.'),
      kvk: eightDigits('Vul het KvK-nummer in.', 'Een KvK-nummer bestaat uit 8 cijfers.'),
      contactName: requiredLine('Vul de naam van de contactpersoon in.'),
      contactEmail: emailField('Vul het e-mailadres in.'),
      careTypes: z.preprocess(
        toArray,
        z
          .array(z.string().refine((code) => known.has(code), { error: 'Kies een soort zorg uit de lijst.' }))
          .min(1, { error: 'Kies ten minste één soort zorg.' }),
      ),
    })
    .strip();
}
export type RequestRegistrationForm = z.infer<ReturnType<typeof requestRegistrationSchema>>;

export const requestRegistrationFields = (careTypes: readonly CareTypeOption[]): FieldSpec[] => [
  { kind: 'text', name: 'organisationName', label: 'Naam van uw organisatie', autocomplete: 'organization' },
  { kind: 'text', name: 'agb', label: 'AGB-code van uw organisatie', hint: '8 cijfers.', inputmode: 'numeric' },
  {
    kind: 'text',
    name: 'kvk',
    label: 'KvK-nummer',
    hint: '8 cijfers. Het staat op uw uittreksel van de Kamer van Koophandel.',
    inputmode: 'numeric',
  },
  { kind: 'text', name: 'contactName', label: 'Naam van de contactpersoon', autocomplete: 'name' },
  {
    kind: 'email',
    name: 'contactEmail',
    label: 'E-mailadres van de contactpersoon',
    hint: 'Naar dit adres sturen wij de link waarmee u uw aanmelding afmaakt.',
    autocomplete: 'email',
  },
  {
    kind: 'checkboxes',
    name: 'careTypes',
    label: 'Voor welke zorg meldt u zich aan?',
    hint: 'Kies één of meer.',
    options: careTypes.map((c) => ({ value: c.code, label: c.name })),
  },
];

// ---------------------------------------------------------------------------
// submit-registration: complete the registration with documents

export interface SubmitRegistrationRules {
  /** The chamber-of-commerce extract may not be older than this date (YYYY-MM-DD), e.g. 1 January of the policy year. */
  kvkExtractNotBefore: string;
  /** Today in Europe/Amsterdam (YYYY-MM-DD); dates after it are refused. From the clock, never `new Date()`. */
  today: string;
  maxFileBytes?: number;
}

export const SUBMIT_REGISTRATION_DOCUMENTS = ['kvkExtract', 'vog', 'businessPlan'] as const;

export function submitRegistrationSchema(rules: SubmitRegistrationRules) {
  const max = rules.maxFileBytes ?? MAX_DOCUMENT_BYTES;
  const notBefore = formatDutchLocalDate(rules.kvkExtractNotBefore);
  return z
    .object({
      careDescription: requiredText('Beschrijf welke zorg u wilt laten contracteren.', MAX_TEXT),
      startedOn: dateField('Vul de datum in waarop uw instelling begon.').refine((d) => d <= rules.today, {
        error: 'Deze datum ligt in de toekomst. Vul de datum in waarop uw instelling begon.',
      }),
      extraLocations: yesNo('Kies ja of nee.'),
      extraLocationsDescription: optionalText(),
      kvkExtract: pdfDocument('Voeg het uittreksel van de KvK toe.', max),
      kvkExtractDate: dateField('Vul de datum van het uittreksel in.')
        .refine((d) => d >= rules.kvkExtractNotBefore, {
          error: `Het uittreksel mag niet ouder zijn dan ${notBefore}. Vraag een nieuw uittreksel aan bij de KvK.`,
        })
        .refine((d) => d <= rules.today, { error: 'Deze datum ligt in de toekomst.' }),
      vog: pdfDocument('Voeg de VOG RP toe.', max),
      businessPlan: pdfDocument('Voeg het ondernemingsplan toe.', max),
    })
    .strip()
    .refine((form) => !(form.extraLocations === true && !form.extraLocationsDescription), {
      path: ['extraLocationsDescription'],
      error: 'Beschrijf de extra locaties.',
      // Also when other fields failed, so the provider sees every problem at once.
      when: (payload) => typeof payload.value === 'object' && payload.value !== null,
    });
}
export type SubmitRegistrationForm = z.infer<ReturnType<typeof submitRegistrationSchema>>;

export const submitRegistrationUploads = (maxBytes = MAX_DOCUMENT_BYTES) =>
  pdfUploadRules(SUBMIT_REGISTRATION_DOCUMENTS, maxBytes);

export function submitRegistrationFields(rules: Pick<SubmitRegistrationRules, 'kvkExtractNotBefore' | 'maxFileBytes'>): FieldSpec[] {
  const pdf = `PDF, hoogstens ${formatMegabytes(rules.maxFileBytes ?? MAX_DOCUMENT_BYTES)}.`;
  return [
    {
      kind: 'textarea',
      name: 'careDescription',
      label: 'Welke zorg wilt u door ons laten contracteren?',
      hint: 'Beschrijf de zorg en voor welke cliënten die is.',
    },
    { kind: 'date', name: 'startedOn', label: 'Sinds wanneer bestaat uw instelling?' },
    {
      kind: 'radios',
      name: 'extraLocations',
      label: 'Bent u van plan extra locaties te openen?',
      options: [
        { value: 'ja', label: 'Ja' },
        { value: 'nee', label: 'Nee' },
      ],
    },
    {
      kind: 'textarea',
      name: 'extraLocationsDescription',
      label: 'Welke extra locaties, en wanneer?',
      hint: 'Alleen invullen als u ja koos.',
      required: false,
      rows: 3,
    },
    {
      kind: 'file',
      name: 'kvkExtract',
      label: 'Uittreksel uit het Handelsregister van de KvK, met de statuten',
      hint: `${pdf} Niet ouder dan ${formatDutchLocalDate(rules.kvkExtractNotBefore)}.`,
      accept: 'application/pdf,.pdf',
    },
    { kind: 'date', name: 'kvkExtractDate', label: 'Datum van het uittreksel' },
    {
      kind: 'file',
      name: 'vog',
      label: 'Verklaring Omtrent het Gedrag voor rechtspersonen (VOG RP)',
      hint: pdf,
      accept: 'application/pdf,.pdf',
    },
    {
      kind: 'file',
      name: 'businessPlan',
      label: 'Ondernemingsplan',
      hint: `${pdf} Laat zien hoe u aan de kwaliteitsvoorwaarden voldoet, wat uw vernieuwende aanbod is en hoe uw financiële continuïteit is geregeld.`,
      accept: 'application/pdf,.pdf',
    },
  ];
}

// ---------------------------------------------------------------------------
// declare-conditions: one checkbox per quality condition, all required

export interface QualityCondition {
  /** Lower-case letters, digits and dashes; becomes part of the field name. */
  id: string;
  /** The condition as the policy states it, in Dutch. */
  label: string;
}

export const conditionField = (id: string) => `condition-${id}`;

export function declareConditionsSchema(conditions: readonly QualityCondition[]) {
  if (conditions.length === 0) throw new Error('declare-conditions needs at least one condition');
  for (const c of conditions) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(c.id)) throw new Error(`condition id must be lower-case letters, digits and dashes: ${c.id}`);
  }
  const shape = Object.fromEntries(
    conditions.map((c) => [conditionField(c.id), confirmed('Vink aan dat u aan deze voorwaarde voldoet.')]),
  );
  return z
    .object(shape)
    .strip()
    .transform(() => ({ confirmed: conditions.map((c) => c.id) }));
}
export type DeclareConditionsForm = z.infer<ReturnType<typeof declareConditionsSchema>>;

export const declareConditionsFields = (conditions: readonly QualityCondition[]): FieldSpec[] =>
  conditions.map((c) => ({ kind: 'checkbox', name: conditionField(c.id), label: c.label }));

// ---------------------------------------------------------------------------
// submit-proposal: financial proposal

export const submitProposalSchema = z
  .object({
    amount: z
      .string({ error: 'Vul het bedrag in.' })
      .trim()
      .min(1, { error: 'Vul het bedrag in.' })
      .transform((v, ctx) => {
        const cents = parseEuroAmount(v);
        if (cents === undefined) {
          ctx.addIssue({ code: 'custom', message: "Vul een bedrag in euro's in, bijvoorbeeld 125.000,00." });
          return z.NEVER;
        }
        return cents;
      })
      .refine((cents) => cents > 0, { error: 'Het bedrag moet groter zijn dan 0.' }),
    volume: z.preprocess(
      (v) => (typeof v === 'string' ? v.replace(/[\s.]/g, '') : v),
      z
        .string({ error: 'Vul het volume in.' })
        .min(1, { error: 'Vul het volume in.' })
        .regex(/^\d{1,9}$/, { error: 'Vul een heel getal in, bijvoorbeeld 250.' })
        .transform(Number)
        .refine((n) => n > 0, { error: 'Het volume moet groter zijn dan 0.' }),
    ),
    note: optionalText(),
  })
  .strip()
  .transform(({ amount, volume, note }) => ({ amountCents: amount, volume, note }));
export type SubmitProposalForm = z.infer<typeof submitProposalSchema>;

export const submitProposalFields: FieldSpec[] = [
  { kind: 'text', name: 'amount', label: "Bedrag in euro's", hint: 'Bijvoorbeeld 125.000,00.', inputmode: 'decimal' },
  {
    kind: 'text',
    name: 'volume',
    label: 'Volume',
    hint: 'Het aantal behandelingen of cliënten waarop uw voorstel is gebaseerd.',
    inputmode: 'numeric',
  },
  { kind: 'textarea', name: 'note', label: 'Toelichting', required: false },
];

// ---------------------------------------------------------------------------
// accept-negotiation-agreement

export const acceptNegotiationAgreementSchema = z
  .object({ confirm: confirmed('Vink aan dat u akkoord gaat met het onderhandelakkoord.') })
  .strip();
export type AcceptNegotiationAgreementForm = z.infer<typeof acceptNegotiationAgreementSchema>;

export const acceptNegotiationAgreementFields: FieldSpec[] = [
  {
    kind: 'checkbox',
    name: 'confirm',
    label: 'Ik ga akkoord met het onderhandelakkoord. Daarmee onderteken ik ook alle kwaliteitsvoorwaarden.',
  },
];

// ---------------------------------------------------------------------------
// sign-agreement: only the signatory's link gets here (rules.ts)

export const signAgreementSchema = z
  .object({
    signatoryName: requiredLine('Vul uw naam in.'),
    confirm: confirmed('Vink aan dat u de overeenkomst ondertekent.'),
  })
  .strip();
export type SignAgreementForm = z.infer<typeof signAgreementSchema>;

export const signAgreementFields: FieldSpec[] = [
  {
    kind: 'text',
    name: 'signatoryName',
    label: 'Uw naam',
    hint: 'U bent de tekenbevoegde persoon van uw organisatie.',
    autocomplete: 'name',
  },
  { kind: 'checkbox', name: 'confirm', label: 'Ik onderteken de overeenkomst namens mijn organisatie.' },
];

// ---------------------------------------------------------------------------
// withdraw

export const withdrawSchema = z.object({ reason: requiredText('Vul in waarom u zich terugtrekt.', MAX_TEXT) }).strip();
export type WithdrawForm = z.infer<typeof withdrawSchema>;

export const withdrawFields: FieldSpec[] = [{ kind: 'textarea', name: 'reason', label: 'Waarom trekt u zich terug?' }];

// ---------------------------------------------------------------------------
// ask-question: a question about, or an objection to, the policy

export const QUESTION_KINDS = ['question', 'objection'] as const;

export const askQuestionSchema = z
  .object({
    kind: z.enum(QUESTION_KINDS, { error: 'Kies of u een vraag of een bezwaar indient.' }),
    text: requiredText('Schrijf uw vraag of bezwaar op.', MAX_TEXT),
  })
  .strip();
export type AskQuestionForm = z.infer<typeof askQuestionSchema>;

export const askQuestionFields: FieldSpec[] = [
  {
    kind: 'radios',
    name: 'kind',
    label: 'Wat dient u in?',
    options: [
      { value: 'question', label: 'Een vraag over het inkoopbeleid' },
      { value: 'objection', label: 'Een bezwaar tegen het inkoopbeleid' },
    ],
  },
  {
    kind: 'textarea',
    name: 'text',
    label: 'Uw vraag of bezwaar',
    hint: 'Noem zo mogelijk het hoofdstuk of de paragraaf van het inkoopbeleid.',
  },
];

// ---------------------------------------------------------------------------
// From a parsed post to typed data or errors for the page

/** Single values as strings, repeated ones as arrays, files as `UploadedFile`. */
export function formInput(form: ParsedForm): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(form.fields)) input[name] = values.length === 1 ? values[0] : values;
  for (const [name, files] of Object.entries(form.files)) input[name] = files.length === 1 ? files[0] : files;
  return input;
}

/** What goes back into the form: the text entered, and for files the name chosen. */
export function formValues(form: ParsedForm): FormValues {
  const values: Record<string, string | string[]> = {};
  for (const [name, v] of Object.entries(form.fields)) values[name] = v.length === 1 ? v[0] : v;
  for (const [name, files] of Object.entries(form.files)) values[name] = files.map((f) => f.name).join(', ');
  return values;
}

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: FormValues };

/** Parser errors (file too large, wrong type) first, then the schema's; one message per field. */
export function validateForm<S extends z.ZodType>(schema: S, form: ParsedForm): FormResult<z.output<S>> {
  const result = schema.safeParse(formInput(form));
  const errors: FieldErrors = { ...form.errors };
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = issue.path.length > 0 ? String(issue.path[0]) : 'form';
      errors[field] ??= issue.message;
    }
  }
  if (result.success && Object.keys(errors).length === 0) return { ok: true, data: result.data };
  return { ok: false, errors, values: formValues(form) };
}
