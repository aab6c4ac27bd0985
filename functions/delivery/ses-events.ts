/**
 * SES event records (event publishing through a configuration set), as SES
 * documents them ("Contents of event data that Amazon SES publishes"), and
 * what each says about each recipient. Through EventBridge a record is the
 * `detail` of an event with source `aws.ses`; through SNS it is the message.
 *
 * Only the fields we use are checked; the rest passes through. Open, Click and
 * Subscription are not published to us (no tracking) and are ignored.
 */
import { z } from 'zod';
import { DELIVERY_RANK, type DeliveryStatus } from '../domain/model.ts';
import { decodeTagValue, MESSAGE_KEY_TAG } from '../email/tags.ts';

const text = z.string();
const recipient = z.object({ emailAddress: text, status: text.optional(), diagnosticCode: text.optional(), action: text.optional() });

const mailSchema = z.object({
  timestamp: text,
  messageId: text,
  destination: z.array(text).default([]),
  tags: z.record(text, z.array(text)).default({}),
});

export const sesEventSchema = z.discriminatedUnion('eventType', [
  z.object({ eventType: z.literal('Send'), mail: mailSchema }),
  z.object({
    eventType: z.literal('Delivery'),
    mail: mailSchema,
    delivery: z.object({ timestamp: text, recipients: z.array(text), smtpResponse: text.optional() }),
  }),
  z.object({
    eventType: z.literal('Bounce'),
    mail: mailSchema,
    bounce: z.object({ bounceType: text, bounceSubType: text.optional(), bouncedRecipients: z.array(recipient), timestamp: text }),
  }),
  z.object({
    eventType: z.literal('Complaint'),
    mail: mailSchema,
    complaint: z.object({
      complainedRecipients: z.array(z.object({ emailAddress: text })),
      timestamp: text,
      complaintFeedbackType: text.optional(),
    }),
  }),
  z.object({ eventType: z.literal('Reject'), mail: mailSchema, reject: z.object({ reason: text.optional() }) }),
  z.object({
    eventType: z.literal('Rendering Failure'),
    mail: mailSchema,
    failure: z.object({ errorMessage: text.optional(), templateName: text.optional() }),
  }),
  z.object({
    eventType: z.literal('DeliveryDelay'),
    mail: mailSchema,
    deliveryDelay: z.object({ timestamp: text, delayType: text.optional(), delayedRecipients: z.array(recipient) }),
  }),
]);
export type SesEvent = z.infer<typeof sesEventSchema>;
export type SesEventType = SesEvent['eventType'];
export const SES_EVENT_TYPES: readonly SesEventType[] = ['Send', 'Delivery', 'Bounce', 'Complaint', 'Reject', 'Rendering Failure', 'DeliveryDelay'];

/**
 * The event types the configuration set publishes to the DeliveryEvents
 * function (infra/constructs/email.ts, the stack's rule). Not Send: it says
 * only that SES accepted the email, which the sender's `sent` mark on the
 * message says already (domain `deliveryOf` shows it as `accepted`); it was a
 * quarter of the year's DynamoDB requests. A Send that comes anyway is ignored.
 */
export const RECORDED_SES_EVENT_TYPES: readonly SesEventType[] = SES_EVENT_TYPES.filter((t) => t !== 'Send');

/** The EventBridge detail-type of each event type (SES sends them to the default bus). */
export const SES_DETAIL_TYPES: Record<SesEventType, string> = {
  Send: 'Email Sent',
  Delivery: 'Email Delivered',
  Bounce: 'Email Bounced',
  Complaint: 'Email Complaint Received',
  Reject: 'Email Rejected',
  'Rendering Failure': 'Email Rendering Failed',
  DeliveryDelay: 'Email Delivery Delayed',
};

/** What one event says about one recipient. */
export interface RecipientOutcome {
  address: string;
  status: DeliveryStatus;
  at: string;
  diagnostic?: string;
  /** A hard bounce or a complaint: the address is undeliverable. */
  permanent: boolean;
}

export interface EventOutcomes {
  eventType: SesEventType;
  /** The outbox message key, from the `message-key` tag; undefined when the email carries none we can read. */
  messageKey: string | undefined;
  sesMessageId: string;
  outcomes: RecipientOutcome[];
}

const joined = (...parts: (string | undefined)[]): string | undefined => parts.filter((p) => p).join(' ') || undefined;

/** The outcomes an event reports, per recipient. */
export function outcomesOf(event: SesEvent): EventOutcomes {
  const everyone = (status: DeliveryStatus, at: string, diagnostic?: string): RecipientOutcome[] =>
    event.mail.destination.map((address) => ({ address, status, at, diagnostic, permanent: false }));
  let outcomes: RecipientOutcome[];
  switch (event.eventType) {
    case 'Send':
      outcomes = []; // accepted: the message's sent mark says so (RECORDED_SES_EVENT_TYPES)
      break;
    case 'Delivery':
      outcomes = event.delivery.recipients.map((address) => ({
        address,
        status: 'delivered',
        at: event.delivery.timestamp,
        diagnostic: event.delivery.smtpResponse,
        permanent: false,
      }));
      break;
    case 'Bounce': {
      const b = event.bounce;
      outcomes = b.bouncedRecipients.map((r) => ({
        address: r.emailAddress,
        status: 'bounced',
        at: b.timestamp,
        diagnostic: joined(`${b.bounceType}${b.bounceSubType ? `/${b.bounceSubType}` : ''}:`, r.diagnosticCode ?? r.status),
        permanent: b.bounceType === 'Permanent',
      }));
      break;
    }
    case 'Complaint':
      outcomes = event.complaint.complainedRecipients.map((r) => ({
        address: r.emailAddress,
        status: 'complained',
        at: event.complaint.timestamp,
        diagnostic: `complaint: ${event.complaint.complaintFeedbackType ?? 'not stated'}`,
        permanent: true,
      }));
      break;
    case 'Reject':
      outcomes = everyone('rejected', event.mail.timestamp, `rejected: ${event.reject.reason ?? 'no reason given'}`);
      break;
    case 'Rendering Failure':
      outcomes = everyone('rejected', event.mail.timestamp, `rendering failure: ${event.failure.errorMessage ?? 'no message'}`);
      break;
    case 'DeliveryDelay': {
      const d = event.deliveryDelay;
      outcomes = d.delayedRecipients.map((r) => ({
        address: r.emailAddress,
        status: 'delayed',
        at: d.timestamp,
        diagnostic: joined(d.delayType ? `${d.delayType}:` : undefined, r.diagnosticCode ?? r.status),
        permanent: false,
      }));
      break;
    }
  }
  const tag = event.mail.tags[MESSAGE_KEY_TAG]?.[0];
  return { eventType: event.eventType, messageKey: tag === undefined ? undefined : decodeTagValue(tag), sesMessageId: event.mail.messageId, outcomes };
}

/** Whether a recorded status may be replaced by a new one (see DELIVERY_RANK). */
export const outranks = (next: DeliveryStatus, current: DeliveryStatus | undefined): boolean =>
  current === undefined || DELIVERY_RANK[next] > DELIVERY_RANK[current];
