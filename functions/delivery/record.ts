/**
 * Delivery events: records what SES reports about each email on its outbox
 * message, per recipient, and hands hard bounces and complaints on (the
 * contact becomes undeliverable, ./reachability.ts).
 *
 * The message is found by the `message-key` tag every email carries; the
 * recipient by its address among the message's recipients. Every write is
 * conditional (store/messages.ts `recordDelivery`, ./reachability.ts), so the
 * same event twice, or events out of order, leave the same state: a failed
 * invocation can be retried whole.
 */
import type { Message } from '../domain/model.ts';
import type { SenderLogger } from '../email/sender.ts';
import { outcomesOf, sesEventSchema, type EventOutcomes, type RecipientOutcome } from './ses-events.ts';

export interface DeliveryStore {
  getMessage(key: string): Promise<Message | undefined>;
  recordDelivery(key: string, recipient: number, delivery: { status: RecipientOutcome['status']; at: string; diagnostic?: string; permanent?: boolean }): Promise<'recorded' | 'unchanged' | 'no-message'>;
}

/** What happens to a provider's contact whose address bounced hard or complained. */
export interface UndeliverablePort {
  markUndeliverable(input: { agb: string; contactId: string; address: string; message: Message; outcome: RecipientOutcome }): Promise<unknown>;
}

export interface DeliveryEventsDeps {
  store: DeliveryStore;
  logger: SenderLogger;
  undeliverable?: UndeliverablePort;
}

export type DeliveryEventResult =
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'unmatched'; eventType: string; reason: string }
  | { outcome: 'done'; eventType: string; messageKey: string; recorded: number; unchanged: number; undeliverable: number };

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

export function createDeliveryEvents(deps: DeliveryEventsDeps) {
  const { store, logger } = deps;

  async function recordOutcomes(event: EventOutcomes & { messageKey: string }, message: Message): Promise<DeliveryEventResult> {
    let recorded = 0;
    let unchanged = 0;
    let undeliverable = 0;
    for (const outcome of event.outcomes) {
      const index = message.recipients.findIndex((r) => sameAddress(r.address, outcome.address));
      if (index < 0) {
        logger.warn('delivery event for an address the message was not sent to', { messageKey: message.key, eventType: event.eventType });
        continue;
      }
      const written = await store.recordDelivery(message.key, index, {
        status: outcome.status,
        at: outcome.at,
        ...(outcome.diagnostic ? { diagnostic: outcome.diagnostic } : {}),
        ...(outcome.permanent ? { permanent: true } : {}),
      });
      if (written === 'recorded') recorded++;
      else unchanged++;
      // Also when unchanged: a retried event finishes what a failed invocation started (each step is idempotent).
      const recipient = message.recipients[index];
      if (outcome.permanent && message.agb && recipient.contactId && deps.undeliverable) {
        await deps.undeliverable.markUndeliverable({ agb: message.agb, contactId: recipient.contactId, address: recipient.address, message, outcome });
        undeliverable++;
      }
    }
    logger.info('delivery event', { messageKey: message.key, eventType: event.eventType, recorded, unchanged, undeliverable });
    return { outcome: 'done', eventType: event.eventType, messageKey: message.key, recorded, unchanged, undeliverable };
  }

  /** One SES event record (the `detail` of an EventBridge event). */
  async function handleRecord(record: unknown): Promise<DeliveryEventResult> {
    const type = (record as { eventType?: unknown } | null)?.eventType;
    const parsed = sesEventSchema.safeParse(record);
    if (!parsed.success) {
      // Open, Click, Subscription, or a shape we do not know: nothing to record, and retrying will not help.
      logger.warn('SES event ignored', { eventType: typeof type === 'string' ? type : 'unknown', issues: parsed.error.issues.length });
      return { outcome: 'ignored', reason: `not a delivery event we record (${String(type)})` };
    }
    const event = outcomesOf(parsed.data);
    if (!event.messageKey) {
      logger.warn('SES event without a message key', { eventType: event.eventType, sesMessageId: event.sesMessageId });
      return { outcome: 'unmatched', eventType: event.eventType, reason: 'no message-key tag' };
    }
    const message = await store.getMessage(event.messageKey);
    if (!message) {
      logger.warn('SES event for an unknown message', { eventType: event.eventType, messageKey: event.messageKey });
      return { outcome: 'unmatched', eventType: event.eventType, reason: 'no such message' };
    }
    return recordOutcomes({ ...event, messageKey: event.messageKey }, message);
  }

  return { handleRecord };
}

export type DeliveryEvents = ReturnType<typeof createDeliveryEvents>;
