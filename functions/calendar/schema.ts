import { z } from 'zod';

/**
 * A contracting calendar: one care type's procurement timeline for one
 * contract period, as published in the insurer's procurement policy.
 * The same schema validates calendar files, the CLI and the API; the rules
 * that relate fields to each other (windows, order, the Zvw dates) live in
 * ./validate.ts.
 */

export const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A Dutch calendar date (Europe/Amsterdam), `YYYY-MM-DD`. */
export const localDate = z
  .string()
  .regex(LOCAL_DATE, 'a date as YYYY-MM-DD')
  .refine((s) => {
    if (!LOCAL_DATE.test(s)) return true; // the regex above reports it
    const [y, m, d] = s.split('-').map(Number);
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }, 'an existing calendar date');

/**
 * Milestone kinds: every dated step in the five seed documents. Each kind has
 * its own behaviour in the workflow (functions/milestones), so do not add a
 * generic "event" kind.
 */
export const MILESTONE_KINDS = [
  'policy-publication', // inkoopbeleid gepubliceerd (Zvw: uiterlijk 1 april)
  'questions-deadline', // vragen en bezwaren tegen het beleid (Wlz stap 2-3)
  'qa-memo-publication', // Nota van Inlichtingen (Wlz stap 4)
  'registration-window', // nieuwe zorgaanbieders melden zich aan
  'portal-opening', // inkoopapplicatie / zorgverlenersportaal open, inlogcodes verstuurd
  'conditions-deadline', // verklaren dat aan de kwaliteitsvoorwaarden wordt voldaan
  'agreement-available', // overeenkomst beschikbaar
  'first-feedback', // terugkoppeling beoordeling (Wlz stap 6)
  'eligibility-notification', // uitslag voor nieuwe zorgaanbieders (4 september)
  'proposal-deadline', // voorstel financiele afspraak
  'negotiation-period', // inkoopgesprekken / onderhandelingen
  'negotiation-agreements', // afspraken vastgelegd in een onderhandelakkoord
  'final-feedback', // definitieve terugkoppeling inschrijving (Wlz stap 9)
  'agreements-final', // alle afspraken definitief
  'contracted-publication', // gecontracteerde zorg gepubliceerd voor klanten (Zvw: 12 november)
  'signing-deadline', // getekende overeenkomst (31 december)
  'next-year-dates-publication', // data voor het volgende contractjaar
] as const;
export const milestoneKind = z.enum(MILESTONE_KINDS);
export type MilestoneKind = z.infer<typeof milestoneKind>;

/** Kinds that span days: they take `opens` + `closes`; every other kind takes one `date`. */
export const WINDOW_KINDS: readonly MilestoneKind[] = ['registration-window', 'negotiation-period'];
/**
 * Dated kinds whose date is the last day to act ("uiterlijk"): the workflow
 * checks them once that day has passed and may remind before it. The other
 * dated kinds are moments: the workflow acts on the day itself.
 */
export const DEADLINE_KINDS: readonly MilestoneKind[] = [
  'questions-deadline',
  'conditions-deadline',
  'proposal-deadline',
  'agreements-final',
  'signing-deadline',
];
export const isWindowKind = (kind: MilestoneKind): boolean => WINDOW_KINDS.includes(kind);
export const isDeadlineKind = (kind: MilestoneKind): boolean => DEADLINE_KINDS.includes(kind);

export const AUDIENCES = [
  'all-providers', // every provider of the care type, known or not (public publications)
  'existing-contract-holders', // providers with a current agreement for the care type
  'new-applicants', // providers registering for a first agreement
  'in-negotiation', // providers in procurement talks: existing holders and admitted new applicants
  'contracted', // providers with an agreement reached for the contract year (to sign, to publish)
  'purchasers', // the insurer's zorginkopers: who must decide, who is overdue
  'customer-communication', // the team that publishes to customers
] as const;
export const audience = z.enum(AUDIENCES);
export type Audience = z.infer<typeof audience>;

/** What a milestone asks a provider to do, through an emailed link. */
export const PROVIDER_ACTIONS = [
  'request-registration', // the public contact form in the registration window
  'submit-registration', // complete (and amend) the registration with documents
  'declare-conditions', // declare the quality conditions are met
  'submit-proposal', // financial proposal
  'accept-negotiation-agreement', // onderhandelakkoord
  'sign-agreement', // only the authorised signatory
  'ask-question', // questions and objections
  'withdraw',
] as const;
export const providerAction = z.enum(PROVIDER_ACTIONS);
export type ProviderAction = z.infer<typeof providerAction>;

/** Reminder days the seed calendars use for provider deadlines: two weeks and three days before. */
export const DEFAULT_REMINDER_DAYS: readonly number[] = [14, 3];

export const REGIMES = ['zvw', 'wlz'] as const;
export type Regime = (typeof REGIMES)[number];

export const milestoneSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case id of letters, digits and dashes'),
    kind: milestoneKind,
    /** Short Dutch title as the document names it. */
    title: z.string().min(1),
    /** A single date (a deadline or a moment). Exactly one of `date` or `opens`+`closes`. */
    date: localDate.optional(),
    /** A window, both days included ("1 mei t/m 1 juli"). */
    opens: localDate.optional(),
    closes: localDate.optional(),
    audience: z.array(audience).min(1),
    action: providerAction.optional(),
    /**
     * Days before the deadline (or window close) to remind those who have not
     * acted. Absent: no reminders. Only with an `action`.
     */
    reminders: z.array(z.number().int().positive()).optional(),
    /** Where in the source document the date stands (quote or step number). */
    source: z.string().optional(),
    note: z.string().optional(),
    /** The date (or a day of the window) is an assumption, not the document's (the `note` says why): agendas say so. */
    assumed: z.boolean().optional(),
  })
  .strict();
export type Milestone = z.infer<typeof milestoneSchema>;

export const calendarSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lower-case id of letters, digits and dashes'),
    careType: z
      .object({
        code: z.string().regex(/^[a-z0-9-]+$/, 'a lower-case code of letters, digits and dashes'),
        /** Dutch name, as used in emails and pages. */
        name: z.string().min(1),
      })
      .strict(),
    /** Which transparency rule applies: Zvw (NZa, fixed 1 April / 12 November) or Wlz (no fixed dates). */
    regime: z.enum(REGIMES),
    contract: z
      .object({
        firstYear: z.number().int().min(2000).max(2100),
        termYears: z.union([z.literal(1), z.literal(2), z.literal(3)]),
      })
      .strict(),
    timeZone: z.literal('Europe/Amsterdam'),
    /** Local time at which notifications go out, HH:MM. */
    sendTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM').default('09:00'),
    /** The seed document this calendar is taken from. */
    source: z.string().optional(),
    /** Modelling decisions that hold for the whole calendar. */
    note: z.string().optional(),
    /** In chronological order of their first date. */
    milestones: z.array(milestoneSchema).min(1),
  })
  .strict();
export type Calendar = z.infer<typeof calendarSchema>;
export type CalendarInput = z.input<typeof calendarSchema>;
