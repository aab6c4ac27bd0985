/**
 * Reaching providers by email.
 *
 * - A hard bounce or a complaint marks that contact undeliverable: the
 *   milestones' next emails go to the provider's other contacts
 *   (milestones/messages.ts leaves marked contacts out).
 * - When none is left, the purchasers get ONE escalation for the provider (an
 *   episode of unreachability, opened with its email in one transaction) and
 *   the provider is in the dashboard's "Niet bereikbaar" queue until a
 *   purchaser corrects an address.
 * - A correction replaces the address (a new contact id: ids derive from the
 *   address), is recorded with who and why, closes the episode, and queues the
 *   newest email that reached none of the provider's contacts again, to the new
 *   address only, once (its key is derived from the original and the new contact).
 */
import type { Clock } from '../commons/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../commons/errors.ts';
import { causeOf, deliveryOf, messageKey } from '../domain/messages.ts';
import { contactIdFor, recipientOf } from '../domain/provider.ts';
import { emailAddress, type Contact, type ContactCorrection, type Cycle, type Message, type MessageInput, type Provider, type Reachability } from '../domain/model.ts';
import type { SenderLogger } from '../email/sender.ts';
import { enqueueMessageItem } from '../store/messages.ts';
import type { TransactItem } from '../store/dynamo.ts';
import type { RecipientOutcome } from './ses-events.ts';

export const UNREACHABLE_TEMPLATE = 'unreachable-escalation';

export interface ReachabilityStore {
  tableName: string;
  getProvider(agb: string): Promise<Provider | undefined>;
  getCycle(cycleId: string): Promise<Cycle | undefined>;
  getReachability(agb: string): Promise<Reachability | undefined>;
  putContacts(previous: Provider, contacts: Contact[]): Promise<Provider>;
  openUnreachable(reachability: Reachability, previousEpisode: number | undefined, escalation: TransactItem): Promise<boolean>;
  listMessagesOfProvider(agb: string): Promise<Message[]>;
  correctContact(input: {
    previous: Provider;
    contacts: Contact[];
    correction: Omit<ContactCorrection, 'at'>;
    reachability?: Reachability;
    resend?: TransactItem;
  }): Promise<{ provider: Provider; correction: ContactCorrection }>;
}

export interface ReachabilityDeps {
  store: ReachabilityStore;
  clock: Clock;
  /** Where escalations go; only the event handler escalates (an address correction needs none). */
  purchasersEmail?: string;
  logger: SenderLogger;
  /** Where the escalation links to (the dashboard's queue), when known. */
  dashboardUrl?: string;
}

export interface CorrectionInput {
  agb: string;
  contactId: string;
  email: string;
  reason: string;
  by: string;
}

export interface CorrectionResult {
  agb: string;
  contactId: string;
  newContactId: string;
  /** The key of the email queued again to the new address; null when none was pending (or its deadline passed). */
  resent: string | null;
  resolvedEpisode: number | null;
}

const CONFLICT_ROUNDS = 5;
const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
const FAILED: ReadonlySet<string> = new Set(['bounced', 'complained', 'rejected']);

/** Whether a message reached none of its recipients: each has a failure and none a delivery. */
function reachedNobody(message: Message): boolean {
  const statuses = message.recipients.map((r) => deliveryOf(message, r.address)?.status);
  return statuses.some((s) => s !== undefined && FAILED.has(s)) && !statuses.some((s) => s === 'delivered');
}

export function createReachability(deps: ReachabilityDeps) {
  const { store, clock, logger } = deps;
  const now = () => new Date(clock.now()).toISOString();

  async function escalate(provider: Provider, message: Message): Promise<void> {
    const previous = await store.getReachability(provider.agb);
    if (previous?.status === 'unreachable') return; // this episode has its escalation
    if (!deps.purchasersEmail) throw new Error('no purchasers address to escalate to');
    const cycle = await store.getCycle(message.cycleId);
    if (!cycle) throw new NotFoundError(`No cycle ${message.cycleId}`);
    const episode = (previous?.episode ?? 0) + 1;
    const failed = provider.contacts.map((c) => ({
      contactId: c.id,
      address: c.email,
      status: c.undeliverable?.status ?? 'bounced',
      ...(c.undeliverable?.diagnostic ? { diagnostic: c.undeliverable.diagnostic } : {}),
      messageKey: c.undeliverable?.messageKey ?? message.key,
    }));
    const escalation: MessageInput = {
      key: messageKey({ cycleId: cycle.id, agb: provider.agb, cause: `unreachable-${episode}`, template: UNREACHABLE_TEMPLATE }),
      cycleId: cycle.id,
      agb: provider.agb,
      recipients: [{ role: 'purchaser', address: deps.purchasersEmail }],
      template: UNREACHABLE_TEMPLATE,
      params: {
        careTypeName: cycle.careType.name,
        contractYear: cycle.contract.firstYear,
        contractTermYears: cycle.contract.termYears,
        providerName: provider.name,
        agb: provider.agb,
        failed: failed.map(({ address, status, diagnostic }) => ({ address, status, ...(diagnostic ? { diagnostic } : {}) })),
        ...(deps.dashboardUrl ? { actionUrl: deps.dashboardUrl } : {}),
      },
    };
    const opened = await store.openUnreachable(
      { agb: provider.agb, providerName: provider.name, status: 'unreachable', episode, since: now(), cycleId: cycle.id, failed, escalationKey: escalation.key },
      previous?.episode,
      enqueueMessageItem(store.tableName, escalation, now()),
    );
    if (opened) logger.info('provider unreachable by email; purchasers told', { agb: provider.agb, messageKey: escalation.key, episode });
  }

  /**
   * Marks a contact undeliverable (if its address is still the one that failed)
   * and escalates when it was the provider's last. Idempotent: a repeat finds
   * the mark, and the open episode.
   */
  async function markUndeliverable(input: { agb: string; contactId: string; address: string; message: Message; outcome: RecipientOutcome }): Promise<void> {
    for (let round = 1; round <= CONFLICT_ROUNDS; round++) {
      let provider = await store.getProvider(input.agb);
      const contact = provider?.contacts.find((c) => c.id === input.contactId);
      // Corrected or removed since: the event is about an address we no longer use.
      if (!provider || !contact || !sameAddress(contact.email, input.address)) return;
      if (!contact.undeliverable) {
        const mark: NonNullable<Contact['undeliverable']> = {
          at: input.outcome.at,
          status: input.outcome.status === 'complained' ? 'complained' : 'bounced',
          messageKey: input.message.key,
          ...(input.outcome.diagnostic ? { diagnostic: input.outcome.diagnostic } : {}),
        };
        try {
          provider = await store.putContacts(provider, provider.contacts.map((c) => (c.id === contact.id ? { ...c, undeliverable: mark } : c)));
        } catch (error) {
          if (error instanceof ConflictError && round < CONFLICT_ROUNDS) continue;
          throw error;
        }
        logger.info('contact undeliverable', { agb: input.agb, contactId: contact.id, messageKey: input.message.key, status: mark.status });
      }
      if (provider.contacts.every((c) => c.undeliverable)) await escalate(provider, input.message);
      return;
    }
  }

  /** The newest email to this contact that reached none of the provider's contacts. */
  async function pendingFor(agb: string, contactId: string): Promise<Message | undefined> {
    const messages = await store.listMessagesOfProvider(agb);
    return messages.filter((m) => m.template !== UNREACHABLE_TEMPLATE && m.recipients.some((r) => r.contactId === contactId) && reachedNobody(m)).at(-1);
  }

  function resendOf(message: Message, contact: Contact): MessageInput | undefined {
    if (message.link && Date.parse(message.link.expiresAt) <= clock.now()) return undefined; // its deadline has passed
    return {
      key: messageKey({ cycleId: message.cycleId, agb: message.agb, cause: `${causeOf(message)}~resend-${contact.id}`, template: message.template }),
      cycleId: message.cycleId,
      ...(message.agb ? { agb: message.agb } : {}),
      recipients: [recipientOf(contact)],
      template: message.template,
      params: message.params,
      ...(message.link ? { link: { ...message.link, contactId: contact.id } } : {}),
    };
  }

  /** A purchaser corrects a contact's address (see the module comment). */
  async function correctAddress(input: CorrectionInput): Promise<CorrectionResult> {
    const email = emailAddress.safeParse(input.email.trim());
    if (!email.success) throw new ValidationError('Not a usable email address', [{ path: 'email', message: email.error.issues[0]?.message ?? 'an email address' }]);
    if (!input.reason.trim()) throw new ValidationError('A reason is required', [{ path: 'reason', message: 'why the address changes' }]);
    for (let round = 1; ; round++) {
      const provider = await store.getProvider(input.agb);
      if (!provider) throw new NotFoundError(`No provider ${input.agb}`);
      const old = provider.contacts.find((c) => c.id === input.contactId);
      if (!old) throw new NotFoundError(`Provider ${input.agb} has no contact ${input.contactId}`);
      const newId = contactIdFor(email.data);
      if (provider.contacts.some((c) => c.id !== old.id && c.id === newId)) {
        throw new ValidationError(`Provider ${input.agb} already has a contact with that address`, [{ path: 'email', message: 'another contact has this address' }]);
      }
      const contact: Contact = { id: newId, name: old.name, email: email.data, role: old.role };
      const contacts = provider.contacts.map((c) => (c.id === old.id ? contact : c));
      const reachability = await store.getReachability(input.agb);
      const pending = await pendingFor(input.agb, old.id);
      const resend = pending ? resendOf(pending, contact) : undefined;
      try {
        await store.correctContact({
          previous: provider,
          contacts,
          correction: {
            agb: input.agb,
            by: input.by,
            reason: input.reason.trim(),
            contactId: old.id,
            newContactId: newId,
            from: old.email,
            to: email.data,
            ...(resend ? { resentKey: resend.key } : {}),
          },
          reachability,
          // Conditional on the key: a correction repeated to the same address sends nothing twice.
          resend: resend ? enqueueMessageItem(store.tableName, resend, now()) : undefined,
        });
      } catch (error) {
        if (error instanceof ConflictError && round < CONFLICT_ROUNDS) continue;
        throw error;
      }
      logger.info('contact address corrected', { agb: input.agb, contactId: old.id, newContactId: newId, messageKey: resend?.key ?? null });
      return {
        agb: input.agb,
        contactId: old.id,
        newContactId: newId,
        resent: resend?.key ?? null,
        resolvedEpisode: reachability?.status === 'unreachable' ? reachability.episode : null,
      };
    }
  }

  return { markUndeliverable, correctAddress };
}

export type ReachabilityService = ReturnType<typeof createReachability>;
