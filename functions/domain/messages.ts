/** Outbox rules: the idempotency key of a message, and where what SES reported per recipient is kept. */
import { UNREPORTED_RANK, type Delivery, type DeliveryEntry, type Message, type Recipient } from './model.ts';
import { contactIdFor } from './provider.ts';

/**
 * One key per (cycle, provider, cause, template). `cause` is the milestone step id
 * or the provider action (with the application version when an action may repeat,
 * e.g. `submit-registration@v3`). A retried milestone builds the same key, and the
 * store's conditional put then refuses the second message.
 */
export function messageKey(parts: { cycleId: string; agb?: string; cause: string; template: string }): string {
  return [parts.cycleId, parts.agb ?? '-', parts.cause, parts.template].join('#');
}

/** The cause a key was made with (the step id or action), or the whole key if it was not made by `messageKey`. */
export function causeOf(message: { key: string; cycleId: string; agb?: string; template: string }): string {
  const prefix = `${message.cycleId}#${message.agb ?? '-'}#`;
  const suffix = `#${message.template}`;
  return message.key.startsWith(prefix) && message.key.endsWith(suffix) && message.key.length > prefix.length + suffix.length
    ? message.key.slice(prefix.length, -suffix.length)
    : message.key;
}

/**
 * The key of a recipient's entry in a message's `deliveries`: the hash of the
 * normalised address that contact ids are made of, so an SES event's address
 * finds its entry without reading the message, and no address is in an
 * attribute name.
 */
export const deliveryKey = (address: string): string => contactIdFor(address);

/** The entries a new message starts with: one per recipient, nothing reported yet (see deliveryEntrySchema). */
export const unreportedDeliveries = (recipients: readonly Pick<Recipient, 'address'>[]): Record<string, DeliveryEntry> =>
  Object.fromEntries(recipients.map((r) => [deliveryKey(r.address), { rank: UNREPORTED_RANK }]));

/**
 * What SES reported last for one recipient of a message: its events' status,
 * else `accepted` at the sender's sent mark (SES took the email: no Send event is
 * recorded, the mark says it); undefined when nothing was sent or reported.
 */
export function deliveryOf(message: Pick<Message, 'deliveries' | 'status' | 'sentAt'>, address: string): Delivery | undefined {
  const entry = message.deliveries?.[deliveryKey(address)];
  if (!entry?.status || !entry.at) return message.status === 'sent' && message.sentAt ? { status: 'accepted', at: message.sentAt } : undefined;
  return { status: entry.status, at: entry.at, ...(entry.diagnostic ? { diagnostic: entry.diagnostic } : {}), ...(entry.permanent ? { permanent: true } : {}) };
}
