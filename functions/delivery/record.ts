/**
 * Delivery events: records what SES reports about each email on its outbox
 * message, per recipient, and hands hard bounces and complaints on (the
 * contact becomes undeliverable, ./reachability.ts).
 *
 * The message is found by the `message-key` tag every email carries; the
 * recipient's entry by a hash of its address (domain `deliveryKey`), so an
 * event is one conditional update and no read (store/messages.ts
 * `recordDeliveries`), which gives the message back for what follows. Every
 * write is conditional (there, and ./reachability.ts), so the same event twice,
 * or events out of order, leave the same state: a failed invocation can be
 * retried whole.
 */
import type { Message } from '../domain/model.ts';
import type { SenderLogger } from '../email/sender.ts';
import type { DeliveryOutcome, DeliveryRecord } from '../store/messages.ts';
import { outcomesOf, RECORDED_SES_EVENT_TYPES, sesEventSchema, type RecipientOutcome } from './ses-events.ts';

export interface DeliveryStore {
  recordDeliveries(key: string, outcomes: readonly DeliveryOutcome[]): Promise<DeliveryRecord>;
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

  /** One SES event record (the `detail` of an EventBridge event). */
  async function handleRecord(record: unknown): Promise<DeliveryEventResult> {
    const type = (record as { eventType?: unknown } | null)?.eventType;
    const parsed = sesEventSchema.safeParse(record);
    if (!parsed.success) {
      // Open, Click, Subscription, or a shape we do not know: nothing to record, and retrying will not help.
      logger.warn('SES event ignored', { eventType: typeof type === 'string' ? type : 'unknown', issues: parsed.error.issues.length });
      return { outcome: 'ignored', reason: `not a delivery event we record (${String(type)})` };
    }
    if (!RECORDED_SES_EVENT_TYPES.includes(parsed.data.eventType)) {
      // Send: not published to us (the sender's sent mark says it); one that comes anyway changes nothing.
      return { outcome: 'ignored', reason: `${parsed.data.eventType} is not recorded (the message's sent mark says it)` };
    }
    const event = outcomesOf(parsed.data);
    if (!event.messageKey) {
      logger.warn('SES event without a message key', { eventType: event.eventType, sesMessageId: event.sesMessageId });
      return { outcome: 'unmatched', eventType: event.eventType, reason: 'no message-key tag' };
    }
    const messageKey = event.messageKey;
    const { message, results } = await store.recordDeliveries(
      messageKey,
      event.outcomes.map((o) => ({
        address: o.address,
        delivery: { status: o.status, at: o.at, ...(o.diagnostic ? { diagnostic: o.diagnostic } : {}), ...(o.permanent ? { permanent: true } : {}) },
      })),
    );
    if (event.outcomes.length && !message) {
      logger.warn('SES event for an unknown message', { eventType: event.eventType, messageKey });
      return { outcome: 'unmatched', eventType: event.eventType, reason: 'no such message' };
    }
    let undeliverable = 0;
    for (const [i, outcome] of event.outcomes.entries()) {
      if (results[i] === 'not-recipient') {
        logger.warn('delivery event for an address the message was not sent to', { messageKey, eventType: event.eventType });
        continue;
      }
      // Also when unchanged: a retried event finishes what a failed invocation started (each step is idempotent).
      const recipient = message?.recipients.find((r) => sameAddress(r.address, outcome.address));
      if (outcome.permanent && message?.agb && recipient?.contactId && deps.undeliverable) {
        await deps.undeliverable.markUndeliverable({ agb: message.agb, contactId: recipient.contactId, address: recipient.address, message, outcome });
        undeliverable++;
      }
    }
    const recorded = results.filter((r) => r === 'recorded').length;
    const unchanged = results.filter((r) => r === 'unchanged').length;
    logger.info('delivery event', { messageKey, eventType: event.eventType, recorded, unchanged, undeliverable });
    return { outcome: 'done', eventType: event.eventType, messageKey, recorded, unchanged, undeliverable };
  }

  return { handleRecord };
}

export type DeliveryEvents = ReturnType<typeof createDeliveryEvents>;
