/**
 * The entities, as zod schemas with their inferred types. The store parses
 * every item it reads with these, so a type here is what a caller gets.
 * Times are ISO-8601 instants (UTC); ids and codes are strings.
 */
import { z } from 'zod';
import { MAX_EMAIL_ADDRESS, MAX_EMAIL_LOCAL_PART, emailLengthProblem, hasControlCharacters } from '../commons/text.ts';
import { calendarSchema, localDate, milestoneKind, providerAction } from '../calendar/schema.ts';
import { timelinePhase, timelineStepSchema } from '../calendar/timeline.ts';
import { applicationState, track } from './states.ts';

const instant = z.iso.datetime();

export const agbCode = z.string().regex(/^\d{8}$/, 'an AGB code of 8 digits');
export const kvkNumber = z.string().regex(/^\d{8}$/, 'a KvK number of 8 digits');
/** An address as SMTP carries it (RFC 5321 limits), whoever enters it: form, import, operator API. */
export const emailAddress = z
  .email('an email address')
  .refine((a) => emailLengthProblem(a) !== 'local-part', `an email address with at most ${MAX_EMAIL_LOCAL_PART} characters before the @ (RFC 5321)`)
  .refine((a) => emailLengthProblem(a) !== 'total', `an email address of at most ${MAX_EMAIL_ADDRESS} characters (RFC 5321)`);
/** A name on one line: it reaches email subjects, page titles and signatures. */
export const oneLineText = z
  .string()
  .min(1)
  .refine((s) => !hasControlCharacters(s), 'one line of text, without line breaks or control characters');
export const careTypeCode = z.string().regex(/^[a-z0-9-]+$/, 'a care type code of lower-case letters, digits and dashes');

// ---------------------------------------------------------------- triggers and actors

export const PURCHASER_DECISIONS = ['eligible', 'not-eligible', 'not-contracted'] as const;
export const OPERATOR_ACTIONS = ['invite', 'register', 'withdraw', 'reinstate'] as const;
/** The phases of a timeline step (functions/calendar/timeline.ts): notify, opens, reminder, closes, deadline. */
export const stepPhase = timelinePhase;
export type StepPhase = z.infer<typeof stepPhase>;

/** What caused a transition. `milestone`: the milestone happened; `deadline`: it passed without the provider acting. */
export const triggerSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('milestone'), milestone: milestoneKind, phase: stepPhase.optional() }),
  z.object({ kind: z.literal('deadline'), milestone: milestoneKind }),
  z.object({ kind: z.literal('provider'), action: providerAction }),
  z.object({ kind: z.literal('purchaser'), decision: z.enum(PURCHASER_DECISIONS) }),
  z.object({ kind: z.literal('operator'), action: z.enum(OPERATOR_ACTIONS) }),
]);
export type Trigger = z.infer<typeof triggerSchema>;

/** Who caused it. A provider acts through a link of one of its contacts (never an email address here). */
export const actorSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('system') }),
  z.object({ kind: z.literal('provider'), agb: agbCode, contactId: z.string().min(1) }),
  z.object({ kind: z.literal('purchaser'), id: z.string().min(1) }),
  z.object({ kind: z.literal('operator'), id: z.string().min(1) }),
]);
export type Actor = z.infer<typeof actorSchema>;

// ---------------------------------------------------------------- provider

export const CONTACT_ROLES = ['signatory', 'general'] as const;
export const contactRole = z.enum(CONTACT_ROLES, 'a role: signatory or general');
export type ContactRole = z.infer<typeof contactRole>;

export const contactSchema = z.object({
  /** Stable id derived from the email address (see contactIdFor); link tokens and events carry it. */
  id: z.string().min(1),
  name: oneLineText,
  email: emailAddress,
  role: contactRole,
  /**
   * Set when an email to this address bounced hard or drew a complaint
   * (functions/delivery/): no email goes to it until a purchaser corrects it.
   */
  undeliverable: z.object({ at: instant, status: z.enum(['bounced', 'complained']), messageKey: z.string().min(1), diagnostic: z.string().optional() }).optional(),
  /**
   * `claimed`: named signatory by whoever filled in the public registration form. Such a signatory cannot sign
   * until a purchaser confirmed the authority from the KvK extract, with the eligibility decision
   * (`decision.signatoryConfirmed` on the application; functions/domain/provider.ts). Imported contacts are on record.
   */
  authority: z.literal('claimed').optional(),
});
export type Contact = z.infer<typeof contactSchema>;

/** A contract the provider holds, e.g. a two-year contract 2024–2025 for `zg`. */
export const contractSchema = z.object({
  careType: careTypeCode,
  firstYear: z.number().int().min(2000).max(2100),
  lastYear: z.number().int().min(2000).max(2100),
});
export type Contract = z.infer<typeof contractSchema>;

export const providerSchema = z.object({
  agb: agbCode,
  kvk: kvkNumber,
  name: oneLineText,
  careTypes: z.array(careTypeCode).min(1),
  contacts: z.array(contactSchema).min(1),
  contracts: z.array(contractSchema).default([]),
  createdAt: instant,
  updatedAt: instant,
  /**
   * Counts the writes of the profile: the optimistic lock of every update
   * (`updatedAt` alone is not one: two writers on the same clock tick read the
   * same instant). Absent on profiles written before it was kept.
   */
  revision: z.number().int().nonnegative().optional(),
});
export type Provider = z.infer<typeof providerSchema>;

/**
 * Whether anyone at a provider can be reached by email. Written when its last
 * deliverable contact bounced hard or complained (with the one escalation to
 * the purchasers of that episode), resolved when a purchaser corrects an address.
 */
export const reachabilitySchema = z.object({
  agb: agbCode,
  providerName: z.string().min(1),
  status: z.enum(['unreachable', 'resolved']),
  /** Counts the episodes: each has its own escalation. */
  episode: z.number().int().positive(),
  since: instant,
  cycleId: z.string().min(1),
  failed: z.array(z.object({ contactId: z.string().min(1), address: z.string().min(1), status: z.enum(['bounced', 'complained']), diagnostic: z.string().optional(), messageKey: z.string().min(1) })),
  escalationKey: z.string().min(1),
  resolvedAt: instant.optional(),
  resolvedBy: z.string().optional(),
});
export type Reachability = z.infer<typeof reachabilitySchema>;

/** A purchaser's correction of a contact's address (the audit trail of contacts). */
export const contactCorrectionSchema = z.object({
  agb: agbCode,
  at: instant,
  by: z.string().min(1),
  reason: z.string().min(1),
  contactId: z.string().min(1),
  newContactId: z.string().min(1),
  from: z.string().min(1),
  to: emailAddress,
  /** The email of the current step sent again to the new address, if there was one to send. */
  resentKey: z.string().optional(),
});
export type ContactCorrection = z.infer<typeof contactCorrectionSchema>;

// ---------------------------------------------------------------- cycle and its milestone steps

export const CYCLE_STATUSES = ['planned', 'running', 'done', 'failed', 'cancelled'] as const;
export const cycleStatus = z.enum(CYCLE_STATUSES);
export type CycleStatus = z.infer<typeof cycleStatus>;

export const cycleSchema = z.object({
  id: z.string().min(1),
  calendarId: z.string().min(1),
  careType: z.object({ code: careTypeCode, name: z.string().min(1) }),
  regime: z.enum(['zvw', 'wlz']),
  contract: z.object({ firstYear: z.number().int(), termYears: z.number().int().min(1).max(3) }),
  /** The calendar as it was when the cycle was created or last amended. */
  calendar: calendarSchema,
  status: cycleStatus,
  createdAt: instant,
  updatedAt: instant,
  startedAt: instant.optional(),
  finishedAt: instant.optional(),
  executionArn: z.string().optional(),
  cause: z.string().optional(),
  /** How often its calendar was amended (`inkoop calendar amend`): the SEQUENCE of its agenda events. */
  amendments: z.number().int().nonnegative().optional(),
  /** When the last amendment changed its calendar. */
  amendedAt: instant.optional(),
});
export type Cycle = z.infer<typeof cycleSchema>;

export const STEP_STATUSES = ['due', 'running', 'done', 'failed'] as const;
export const stepStatus = z.enum(STEP_STATUSES);
export type StepStatus = z.infer<typeof stepStatus>;

/**
 * One step of the timeline (a moment, a window's opening or closing, a deadline, a reminder),
 * as buildTimeline makes it. Not strict: progress fields a caller passes along are dropped.
 */
export const stepInputSchema = z.object(timelineStepSchema.shape);
export type StepInput = z.infer<typeof stepInputSchema>;

/** A timeline step with its progress. */
export const stepSchema = z.object({
  ...timelineStepSchema.shape,
  cycleId: z.string().min(1),
  updatedAt: instant.optional(),
  status: stepStatus,
  attempts: z.number().int().nonnegative(),
  startedAt: instant.optional(),
  finishedAt: instant.optional(),
  cause: z.string().optional(),
  /** Only in a rehearsal: why the step did not run (it needs next year's cycle); it counts as done. */
  skipped: z.string().optional(),
});
export type Step = z.infer<typeof stepSchema>;

/**
 * What operators did to a cycle as a whole, numbered per cycle from 1: calendar
 * amendments (the regulator wants changes after publication justified) and
 * milestone retries and resumes (the number names the retry's or resume's execution).
 */
const auditBase = { cycleId: z.string().min(1), seq: z.number().int().positive(), at: instant, actor: actorSchema };
export const cycleAuditSchema = z.discriminatedUnion('kind', [
  z.object({
    ...auditBase,
    kind: z.literal('amendment'),
    milestoneId: z.string().min(1),
    reason: z.string().min(1),
    changes: z.array(z.object({ field: z.enum(['date', 'opens', 'closes']), from: localDate, to: localDate })).min(1),
  }),
  z.object({ ...auditBase, kind: z.literal('retry'), stepIds: z.array(z.string().min(1)), executionName: z.string().min(1) }),
  /** A stalled cycle resumed: the steps put back to due (left running or failed) and the execution that resumes it. */
  z.object({ ...auditBase, kind: z.literal('resume'), stepIds: z.array(z.string().min(1)), executionName: z.string().min(1) }),
]);
export type CycleAudit = z.infer<typeof cycleAuditSchema>;
/** An audit entry as a caller records it: the store numbers and stamps it. */
export type CycleAuditInput = CycleAudit extends infer A ? (A extends CycleAudit ? Omit<A, 'seq' | 'at' | 'cycleId'> : never) : never;

// ---------------------------------------------------------------- application and its audit trail

/** What the provider and purchaser filled in along the way; free-form per action (the link pages define the fields). */
const details = z.record(z.string(), z.unknown());
export const applicationPatchSchema = z
  .object({
    registration: details,
    conditions: details,
    proposal: details,
    agreement: details,
    decision: details,
  })
  .partial()
  .strict();
export type ApplicationPatch = z.infer<typeof applicationPatchSchema>;

export const applicationSchema = z.object({
  cycleId: z.string().min(1),
  agb: agbCode,
  track,
  state: applicationState,
  /** Starts at 1 (creation); every transition adds one. The event of a transition has this version. */
  version: z.number().int().positive(),
  providerName: z.string().min(1),
  createdAt: instant,
  updatedAt: instant,
  stateSince: instant,
  /**
   * The transition that produced this version, as its event records it, written in the
   * same transaction: a milestone tells what it moved without reading the events.
   * Absent on items written before it was kept (read the events for those).
   */
  lastTransition: z
    .object({ version: z.number().int().positive(), from: applicationState.nullable(), trigger: triggerSchema })
    .optional(),
  ...applicationPatchSchema.shape,
});
export type Application = z.infer<typeof applicationSchema>;

export const eventSchema = z.object({
  cycleId: z.string().min(1),
  agb: agbCode,
  version: z.number().int().positive(),
  /** null for the event that created the application. */
  from: applicationState.nullable(),
  to: applicationState,
  trigger: triggerSchema,
  actor: actorSchema,
  reason: z.string().optional(),
  at: instant,
});
export type Event = z.infer<typeof eventSchema>;

// ---------------------------------------------------------------- outbox

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed'] as const;
export const messageStatus = z.enum(MESSAGE_STATUSES);
export type MessageStatus = z.infer<typeof messageStatus>;

export const RECIPIENT_ROLES = ['signatory', 'general', 'purchaser', 'customer-communication', 'operator'] as const;
export const recipientSchema = z.object({
  role: z.enum(RECIPIENT_ROLES),
  address: emailAddress,
  name: z.string().optional(),
  contactId: z.string().optional(),
});
export type Recipient = z.infer<typeof recipientSchema>;

export const messageInputSchema = z.object({
  /** The idempotency key (see messageKey): the same cause never enqueues twice. */
  key: z.string().min(1),
  cycleId: z.string().min(1),
  agb: agbCode.optional(),
  recipients: z.array(recipientSchema).min(1),
  template: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  /**
   * The action link the email carries. The token is issued by the sender at send
   * time (functions/links/issue.ts) and put in `params.actionUrl`, so a re-run
   * milestone that finds its message already queued never issues a second link,
   * and the newest email's link supersedes older ones for the same action.
   */
  link: z
    .object({
      action: providerAction,
      contactId: z.string().min(1),
      /** The action's deadline: end of that local day, as an ISO instant. */
      expiresAt: instant,
      /**
       * The application version a single-use link is bound to, set by whoever
       * enqueues the email from the application it read or wrote (a move and its
       * emails are one transaction: the version the move wrote), so the sender
       * reads nothing. If the application moves before the email goes out, the
       * link is dead on arrival, as an older email's would be. Absent: the sender
       * reads the application's version when it claims the message.
       */
      version: z.number().int().positive().optional(),
    })
    .optional(),
});
export type MessageInput = z.input<typeof messageInputSchema>;

/**
 * What SES reported for one recipient of a sent message, from its events
 * (functions/delivery/). `accepted`: SES took the email (the message's sent
 * mark; no Send event is recorded); the others as SES names them. A later event replaces an earlier one only if it ranks higher
 * (DELIVERY_RANK), so a repeated or late event changes nothing.
 */
export const DELIVERY_STATUSES = ['accepted', 'delayed', 'delivered', 'bounced', 'rejected', 'complained'] as const;
export const deliveryStatus = z.enum(DELIVERY_STATUSES);
export type DeliveryStatus = z.infer<typeof deliveryStatus>;

/**
 * Precedence of delivery statuses. A delay is followed by a delivery or a
 * bounce; a bounce or rejection is final; a complaint comes after a delivery
 * and weighs most. Equal ranks keep the first event.
 */
export const DELIVERY_RANK: Record<DeliveryStatus, number> = { accepted: 0, delayed: 1, delivered: 2, bounced: 3, rejected: 3, complained: 4 };

/** The rank of a recipient's entry before any event: below every status, so any first event outranks it. */
export const UNREPORTED_RANK = -1;

export const deliverySchema = z.object({
  status: deliveryStatus,
  /** When SES says it happened (the event's own timestamp). */
  at: z.string().min(1),
  /** SES's diagnostic: SMTP response, bounce type and code, delay type, reject reason. */
  diagnostic: z.string().optional(),
  /** A permanent bounce or a complaint: the address must not be written to again. */
  permanent: z.boolean().optional(),
});
export type Delivery = z.infer<typeof deliverySchema>;

/**
 * A recipient's entry in a message's `deliveries`, keyed by `deliveryKey(address)`
 * (./messages.ts). Every recipient has one from the enqueue on, at
 * UNREPORTED_RANK with no status: an event's conditional update on it proves the
 * address is a recipient and outranks what is recorded, with no read first.
 * Messages written before (entries by recipient index, December 2026, never in
 * production) are not migrated: their events are refused as not a recipient's.
 */
export const deliveryEntrySchema = deliverySchema.partial({ status: true, at: true }).extend({ rank: z.number().int() });
export type DeliveryEntry = z.infer<typeof deliveryEntrySchema>;

export const messageSchema = messageInputSchema.extend({
  status: messageStatus,
  attempts: z.number().int().nonnegative(),
  createdAt: instant,
  updatedAt: instant,
  claimedAt: instant.optional(),
  sentAt: instant.optional(),
  sesMessageId: z.string().optional(),
  error: z.string().optional(),
  /** Per recipient, by `deliveryKey` of its address: what SES reported last (see DELIVERY_RANK); read with `deliveryOf`. */
  deliveries: z.record(z.string(), deliveryEntrySchema).optional(),
});
export type Message = z.infer<typeof messageSchema>;

// ---------------------------------------------------------------- questions and objections

export const questionInputSchema = z.object({
  cycleId: z.string().min(1),
  id: z.string().min(1),
  agb: agbCode,
  contactId: z.string().min(1),
  kind: z.enum(['question', 'objection']),
  text: z.string().min(1).max(10_000),
});
export type QuestionInput = z.infer<typeof questionInputSchema>;

export const questionSchema = questionInputSchema.extend({
  askedAt: instant,
  status: z.enum(['open', 'answered']),
  /** Public answers go into the Q&A memo (Nota van Inlichtingen); private ones only to the asker. */
  public: z.boolean(),
  answer: z.object({ text: z.string().min(1), by: z.string().min(1), at: instant }).optional(),
});
export type Question = z.infer<typeof questionSchema>;
