/**
 * What each provider link does: its page (title, what happens, the form), its
 * transition and patch, and the confirmation email it enqueues. The HTTP flow
 * around it (resolve the token, validate, one transaction) is in app.ts; the
 * forms and their zod schemas are in forms.ts.
 */
import type { z } from 'zod';
import { agreementIncludesQualityConditions } from '../calendar/agreement.ts';
import type { ApplicationPatch, Application, Contact, Cycle, MessageInput, Provider, Recipient, Step } from '../domain/model.ts';
import { recipientOf, signatoryOf } from '../domain/provider.ts';
import type { ApplicationState } from '../domain/states.ts';
import { dutchLocalDate, endOfDutchDay, formatDutchDate } from './dutch-dates.ts';
import {
  acceptNegotiationAgreementFields,
  acceptNegotiationAgreementSchema,
  askQuestionFields,
  askQuestionSchema,
  declareConditionsFields,
  declareConditionsSchema,
  signAgreementFields,
  signAgreementSchema,
  submitProposalFields,
  submitProposalSchema,
  submitRegistrationFields,
  submitRegistrationSchema,
  withdrawFields,
  withdrawSchema,
  type QualityCondition,
} from './forms.ts';
import type { FieldSpec, FormValues } from './pages.ts';
import { actionLastDay, kvkExtractNotBefore, linkExpiry, momentDay, registrationWindow, signingLastDay } from './schedule.ts';
import type { LinkAction, LinkClaims } from '../domain/tokens.ts';

/** Everything a page or a POST knows about the link it serves. */
export interface LinkContext {
  claims: LinkClaims;
  /** SHA-256 of the token: names it where the token must not go (a question's id). */
  tokenHash: string;
  cycle: Cycle;
  /** The timeline, possibly cached in process: current dates, but a stale `status` (not read by pages). */
  steps: readonly Step[];
  provider: Provider;
  /** Absent only for ask-question (any provider may ask, applicant or not). */
  application?: Application;
  /** The contact the link was sent to, if still on the provider's record. */
  contact?: Contact;
  /** The link's last valid instant (epoch ms): the live deadline of its action (./schedule.ts liveLinkExpiry). */
  expiresAt: number;
  now: number;
  qualityConditions: readonly QualityCondition[];
  maxDocumentBytes: number;
}

export interface Confirmation {
  template: string;
  params: Record<string, unknown>;
  recipients: Recipient[];
  link?: NonNullable<MessageInput['link']>;
}

export interface ActionDefinition<T = unknown> {
  action: LinkAction;
  title: string;
  /** What sending the form does, in Dutch. */
  whatHappens(ctx: LinkContext): string;
  submitLabel: string;
  fields(ctx: LinkContext): FieldSpec[];
  schema(ctx: LinkContext): z.ZodType<T>;
  /** The form's starting values (an amendment starts from what was submitted). */
  initialValues?(ctx: LinkContext): FormValues;
  /** What the receipt page says after a successful POST. */
  receipt: string;
}

export interface TransitionDefinition<T = unknown> extends ActionDefinition<T> {
  kind: 'transition';
  /** The state the action moves to; omitted where the transition table's guards decide (sign-agreement). */
  to?: ApplicationState;
  patch(data: T, ctx: LinkContext): ApplicationPatch | undefined;
  reason?(data: T): string | undefined;
  /** The confirmation email, from the application as the move left it (written in the same transaction). */
  confirmation(ctx: LinkContext, next: Application, data: T): Confirmation;
}

export interface QuestionDefinition<T = unknown> extends ActionDefinition<T> {
  kind: 'question';
}

// ---------------------------------------------------------------------------
// Shared pieces

/** The params every provider email needs (functions/email/params.ts providerParams). */
export function providerParams(ctx: Pick<LinkContext, 'cycle' | 'provider'>): Record<string, unknown> {
  return {
    providerName: ctx.provider.name,
    agb: ctx.provider.agb,
    careTypeName: ctx.cycle.careType.name,
    contractYear: ctx.cycle.contract.firstYear,
    contractTermYears: ctx.cycle.contract.termYears,
  };
}


/** The confirmation goes to whoever acted; if that contact left the record, to the provider's signatory. */
export function actingRecipients(ctx: Pick<LinkContext, 'contact' | 'provider'>): Recipient[] {
  const to = ctx.contact ?? signatoryOf(ctx.provider) ?? ctx.provider.contacts[0];
  return [recipientOf(to)];
}

const by = (ctx: LinkContext) => ({ at: new Date(ctx.now).toISOString(), contactId: ctx.claims.contactId });

// ---------------------------------------------------------------------------
// The actions

export interface RegistrationDocumentRef {
  name: string;
  type: string;
  size: number;
  key: string;
  storedAt: string;
}

type SubmitRegistration = z.output<ReturnType<typeof submitRegistrationSchema>>;

/** Document references replace the uploaded files before the patch is built (app.ts). */
export type SubmitRegistrationData = Omit<SubmitRegistration, 'kvkExtract' | 'vog' | 'businessPlan'> & {
  documents: Record<'kvkExtract' | 'vog' | 'businessPlan', RegistrationDocumentRef>;
};

const registrationRules = (ctx: LinkContext) => ({
  kvkExtractNotBefore: kvkExtractNotBefore(registrationWindow(ctx.steps), ctx.cycle),
  maxFileBytes: ctx.maxDocumentBytes,
});

export const submitRegistration: TransitionDefinition<SubmitRegistrationData> = {
  kind: 'transition',
  action: 'submit-registration',
  title: 'Aanmelding afronden',
  whatHappens: (ctx) => {
    const closes = registrationWindow(ctx.steps)?.closes;
    return (
      'Als u dit formulier verstuurt, ontvangen wij uw aanmelding met de documenten. U krijgt een bevestiging per e-mail' +
      (closes ? `, met een link waarmee u uw aanmelding tot en met ${formatDutchDate(closes)} nog kunt wijzigen.` : '.')
    );
  },
  submitLabel: 'Aanmelding versturen',
  fields: (ctx) => submitRegistrationFields(registrationRules(ctx)),
  // The app validates with the real schema (with files); this type is what it hands on.
  schema: (ctx) => submitRegistrationSchema({ ...registrationRules(ctx), today: todayOf(ctx) }) as unknown as z.ZodType<SubmitRegistrationData>,
  initialValues: (ctx) => {
    const r = ctx.application?.registration as Partial<SubmitRegistrationData> | undefined;
    if (!r) return {};
    return {
      careDescription: r.careDescription,
      startedOn: r.startedOn,
      extraLocations: r.extraLocations === undefined ? undefined : r.extraLocations ? 'ja' : 'nee',
      extraLocationsDescription: r.extraLocationsDescription,
      kvkExtractDate: r.kvkExtractDate,
    };
  },
  receipt: 'Wij hebben uw aanmelding ontvangen. U krijgt een bevestiging per e-mail.',
  to: 'registration-submitted',
  patch: (data, ctx) => ({ registration: { ...data, submitted: by(ctx) } }),
  confirmation: (ctx, _next) => {
    const window = registrationWindow(ctx.steps);
    const deadline = window?.closes ?? actionLastDay(ctx.cycle, ctx.steps, 'submit-registration')!;
    const decisionBy = momentDay(ctx.steps, 'eligibility-notification');
    return {
      template: 'registration-received',
      params: { ...providerParams(ctx), deadline, ...(decisionBy ? { decisionBy } : {}) },
      recipients: actingRecipients(ctx),
      // A fresh link to amend the registration until the window closes.
      link: { action: 'submit-registration', contactId: ctx.claims.contactId, expiresAt: linkExpiry(deadline) },
    };
  },
};

export const declareConditions: TransitionDefinition<{ confirmed: string[] }> = {
  kind: 'transition',
  action: 'declare-conditions',
  title: 'Kwaliteitsvoorwaarden verklaren',
  whatHappens: () =>
    'Als u dit formulier verstuurt, verklaart u namens uw organisatie dat u aan alle kwaliteitsvoorwaarden hieronder voldoet. U krijgt een bevestiging per e-mail.',
  submitLabel: 'Verklaring versturen',
  fields: (ctx) => declareConditionsFields(ctx.qualityConditions),
  schema: (ctx) => declareConditionsSchema(ctx.qualityConditions),
  receipt: 'Wij hebben uw verklaring ontvangen. U krijgt een bevestiging per e-mail.',
  to: 'conditions-confirmed',
  patch: (data, ctx) => ({ conditions: { confirmed: data.confirmed, declared: by(ctx) } }),
  confirmation: (ctx) => ({ template: 'conditions-confirmed', params: providerParams(ctx), recipients: actingRecipients(ctx) }),
};

type Proposal = z.output<typeof submitProposalSchema>;

export const submitProposal: TransitionDefinition<Proposal> = {
  kind: 'transition',
  action: 'submit-proposal',
  title: 'Voorstel voor een financiële afspraak',
  whatHappens: (ctx) => {
    const deadline = actionLastDay(ctx.cycle, ctx.steps, 'submit-proposal');
    return (
      'Als u dit formulier verstuurt, ontvangt uw zorginkoper uw voorstel. U krijgt een bevestiging per e-mail' +
      (deadline ? `, met een link waarmee u uw voorstel tot en met ${formatDutchDate(deadline)} nog kunt wijzigen.` : '.') +
      ' Daarna neemt de zorginkoper contact met u op.'
    );
  },
  submitLabel: 'Voorstel versturen',
  fields: () => submitProposalFields,
  schema: () => submitProposalSchema,
  initialValues: (ctx) => {
    const p = ctx.application?.proposal as Partial<Proposal> | undefined;
    if (!p?.amountCents) return {};
    return { amount: (p.amountCents / 100).toLocaleString('nl-NL', { minimumFractionDigits: 2 }), volume: String(p.volume ?? ''), note: p.note };
  },
  receipt: 'Wij hebben uw voorstel ontvangen. U krijgt een bevestiging per e-mail.',
  to: 'proposal-submitted',
  patch: (data, ctx) => ({ proposal: { ...data, submitted: by(ctx) } }),
  confirmation: (ctx) => {
    // Amendable until the proposal deadline (the table's proposal-submitted → proposal-submitted): a fresh link to do so.
    const deadline = actionLastDay(ctx.cycle, ctx.steps, 'submit-proposal');
    const amendable = deadline !== undefined && ctx.now <= endOfDutchDay(deadline);
    return {
      template: 'proposal-received',
      params: { ...providerParams(ctx), ...(amendable ? { deadline } : {}) },
      recipients: actingRecipients(ctx),
      ...(amendable ? { link: { action: 'submit-proposal' as const, contactId: ctx.claims.contactId, expiresAt: linkExpiry(deadline) } } : {}),
    };
  },
};

export const acceptNegotiationAgreement: TransitionDefinition<{ confirm: true }> = {
  kind: 'transition',
  action: 'accept-negotiation-agreement',
  title: 'Onderhandelakkoord accepteren',
  whatHappens: (ctx) => {
    const signatory = signatoryOf(ctx.provider);
    return (
      'Als u dit formulier verstuurt, gaat uw organisatie akkoord met het onderhandelakkoord. ' +
      (agreementIncludesQualityConditions(ctx.cycle.calendar) ? 'Daarmee ondertekent u ook alle kwaliteitsvoorwaarden. ' : '') +
      `Daarna ontvangt de tekenbevoegde persoon${signatory ? ` (${signatory.name})` : ''} per e-mail een link om de overeenkomst te ondertekenen.`
    );
  },
  submitLabel: 'Akkoord geven',
  fields: () => acceptNegotiationAgreementFields,
  schema: () => acceptNegotiationAgreementSchema,
  receipt: 'Wij hebben uw akkoord ontvangen. De tekenbevoegde persoon krijgt per e-mail een link om de overeenkomst te ondertekenen.',
  to: 'agreement-reached',
  patch: (_data, ctx) => ({ agreement: { accepted: by(ctx) } }),
  confirmation: (ctx) => {
    const signatory = signatoryOf(ctx.provider);
    const deadline = signingLastDay(ctx.cycle);
    const recipients = signatory ? [recipientOf(signatory)] : actingRecipients(ctx);
    return {
      template: 'agreement-accepted',
      params: { ...providerParams(ctx), deadline, ...(signatory ? { signatoryName: signatory.name } : {}) },
      recipients,
      // The signatory's own link: only that one can sign (functions/links/rules.ts).
      link: { action: 'sign-agreement', contactId: signatory?.id ?? ctx.claims.contactId, expiresAt: linkExpiry(deadline) },
    };
  },
};

type Sign = z.output<typeof signAgreementSchema>;

export const signAgreement: TransitionDefinition<Sign> = {
  kind: 'transition',
  action: 'sign-agreement',
  title: 'Overeenkomst ondertekenen',
  whatHappens: (ctx) =>
    `Als u dit formulier verstuurt, ondertekent u als tekenbevoegde de overeenkomst voor het ${periodWords(ctx.cycle)} namens uw organisatie. U krijgt een bevestiging per e-mail.`,
  submitLabel: 'Overeenkomst ondertekenen',
  fields: () => signAgreementFields,
  schema: () => signAgreementSchema,
  initialValues: (ctx) => ({ signatoryName: ctx.contact?.name }),
  receipt: 'U hebt de overeenkomst ondertekend. U krijgt een bevestiging per e-mail.',
  // No `to`: signed, or contracted at once when the talks closed the year (ZG), as the table's guards decide.
  patch: (data, ctx) => ({ agreement: { ...ctx.application?.agreement, signed: { ...by(ctx), signatoryName: data.signatoryName } } }),
  confirmation: (ctx, next) => ({
    template: next.state === 'contracted' ? 'contracted' : 'agreement-signed',
    params: providerParams(ctx),
    recipients: actingRecipients(ctx),
  }),
};

type Withdraw = z.output<typeof withdrawSchema>;

export const withdraw: TransitionDefinition<Withdraw> = {
  kind: 'transition',
  action: 'withdraw',
  title: 'Terugtrekken',
  whatHappens: (ctx) =>
    `Als u dit formulier verstuurt, trekt uw organisatie zich terug uit de zorginkoop voor het ${periodWords(ctx.cycle)}. Dat kunt u niet zelf ongedaan maken. U krijgt een bevestiging per e-mail.`,
  submitLabel: 'Terugtrekken',
  fields: () => withdrawFields,
  schema: () => withdrawSchema,
  receipt: 'U hebt zich teruggetrokken. U krijgt een bevestiging per e-mail.',
  to: 'withdrawn',
  patch: () => undefined,
  reason: (data) => data.reason,
  confirmation: (ctx) => ({ template: 'withdrawal-confirmed', params: providerParams(ctx), recipients: actingRecipients(ctx) }),
};

export const askQuestion: QuestionDefinition<{ kind: 'question' | 'objection'; text: string }> = {
  kind: 'question',
  action: 'ask-question',
  title: 'Vraag of bezwaar indienen',
  whatHappens: () =>
    'Als u dit formulier verstuurt, ontvangen wij uw vraag of bezwaar. U krijgt een bevestiging per e-mail. Antwoorden die voor iedereen van belang zijn, publiceren wij zonder uw naam in de Nota van Inlichtingen. Met deze link kunt u tot de termijn verloopt meer vragen stellen.',
  submitLabel: 'Versturen',
  fields: () => askQuestionFields,
  schema: () => askQuestionSchemaTyped,
  receipt: 'Wij hebben uw vraag of bezwaar ontvangen. U krijgt een bevestiging per e-mail.',
};

const askQuestionSchemaTyped = askQuestionSchema as z.ZodType<{ kind: 'question' | 'objection'; text: string }>;

export const ACTIONS: Record<LinkAction, TransitionDefinition<never> | QuestionDefinition<never>> = {
  'submit-registration': submitRegistration as TransitionDefinition<never>,
  'declare-conditions': declareConditions as TransitionDefinition<never>,
  'submit-proposal': submitProposal as TransitionDefinition<never>,
  'accept-negotiation-agreement': acceptNegotiationAgreement as TransitionDefinition<never>,
  'sign-agreement': signAgreement as TransitionDefinition<never>,
  withdraw: withdraw as TransitionDefinition<never>,
  'ask-question': askQuestion as QuestionDefinition<never>,
};

function periodWords(cycle: Cycle): string {
  const { firstYear, termYears } = cycle.contract;
  return termYears === 1 ? `contractjaar ${firstYear}` : `contractperiode ${firstYear}–${firstYear + termYears - 1}`;
}

const todayOf = (ctx: LinkContext): string => dutchLocalDate(ctx.now);

/**
 * The quality conditions providers declare when the calendar names none
 * (medical specialist rehabilitation, seed 000: entry conditions and annex 3).
 */
export const DEFAULT_QUALITY_CONDITIONS: readonly QualityCondition[] = [
  { id: 'kvk', label: 'Onze organisatie staat ingeschreven in het Handelsregister van de Kamer van Koophandel.' },
  { id: 'toelating', label: 'Onze instelling heeft een toelating om de zorg te leveren (WTZi).' },
  { id: 'normen', label: 'Wij voldoen aan de minimumnormen van de beroepsverenigingen.' },
  { id: 'inspectie', label: 'Er loopt geen aanwijzing of bevel van de Inspectie Gezondheidszorg en Jeugd tegen ons.' },
  { id: 'stand', label: 'Wij leveren zorg volgens de stand van de wetenschap en praktijk.' },
];
