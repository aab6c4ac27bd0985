/**
 * An in-memory outbox with the store's semantics (functions/store/messages.ts):
 * pages by status ordered by `createdAt#key` with a positional cursor, a
 * conditional claim (queued → sending, or a claim older than the lease), a
 * batch claim conditioned on the message being as listed, marks conditional
 * on `sending`, and the application versions links are bound to (`versions`
 * by AGB code, 1 when not set). Every method yields first, so concurrent senders interleave as
 * they would against DynamoDB. It counts its calls by method in `calls`.
 */
import type { Clock } from '../../../functions/commons/clock.ts';
import { ConflictError, NotFoundError } from '../../../functions/commons/errors.ts';
import type { ClaimOutcome, ClaimRequest, Message, MessageStatus, Outbox, OutboxPage, UpdateOutcome } from '../../../functions/email/ports.ts';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sortKey = (m: Message) => `${m.createdAt}#${m.key}`;

export interface FakeOutbox extends Outbox {
  messages: Map<string, Message>;
  /** Application versions by AGB code (absent: 1; null: no application). */
  versions: Map<string, number | null>;
  /** Calls per method. */
  calls: Record<string, number>;
  /** Runs before a batch claim is evaluated (e.g. another sender claims one first). */
  beforeClaim?: (requests: readonly ClaimRequest[]) => void;
  /** Runs before a batch of sent marks is evaluated. */
  beforeMarkSent?: (keys: string[]) => void;
  add(message: Partial<Message> & Pick<Message, 'key' | 'template' | 'params'>): Message;
  get(key: string): Message;
  /** The single claim of the store (also takes over a claim older than the lease). */
  claimMessage(key: string, options?: { leaseMs?: number }): Promise<Message | undefined>;
}

export function createFakeOutbox(clock: Clock): FakeOutbox {
  const messages = new Map<string, Message>();
  const versions = new Map<string, number | null>();
  const calls: Record<string, number> = {};
  const count = (method: string): void => {
    calls[method] = (calls[method] ?? 0) + 1;
  };
  const now = () => new Date(clock.now()).toISOString();
  let seq = 0;

  function update(key: string, patch: Partial<Message>): Message {
    const next = { ...messages.get(key)!, ...patch, updatedAt: now() };
    messages.set(key, next);
    return structuredClone(next);
  }

  async function finish(key: string, patch: Partial<Message>): Promise<Message> {
    await tick();
    const current = messages.get(key);
    if (!current) throw new NotFoundError(`No message ${key}`);
    if (current.status !== 'sending') throw new ConflictError(`Message ${key} is not being sent (it is ${current.status})`);
    return update(key, patch);
  }

  const fake: FakeOutbox = {
    messages,
    versions,
    calls,
    add(partial) {
      // Distinct createdAt per message so the order is the insertion order.
      const createdAt = partial.createdAt ?? new Date(clock.now() + seq++).toISOString();
      const message: Message = {
        cycleId: 'msr-2021',
        recipients: [{ role: 'general', address: `contact-${partial.key}@zorg.example` }],
        status: 'queued',
        attempts: 0,
        createdAt,
        updatedAt: createdAt,
        ...partial,
      };
      messages.set(message.key, message);
      return message;
    },
    get(key) {
      return messages.get(key)!;
    },

    async queryMessagesByStatus(status: MessageStatus, page = {}): Promise<OutboxPage> {
      count('queryMessagesByStatus');
      await tick();
      const all = [...messages.values()]
        .filter((m) => m.status === status)
        .filter((m) => !page.cursor || sortKey(m) > page.cursor)
        .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
      const items = page.limit ? all.slice(0, page.limit) : all;
      const more = items.length < all.length;
      return { items: structuredClone(items), cursor: more ? sortKey(items[items.length - 1]) : null };
    },

    async claimMessage(key: string, options: { leaseMs?: number } = {}) {
      const seen = messages.get(key);
      await tick(); // a read-then-conditional-write: the condition is checked at write time
      const current = messages.get(key);
      if (!seen || !current) return undefined;
      const staleBefore = clock.now() - (options.leaseMs ?? 5 * 60_000);
      const claimable =
        current.status === 'queued' ||
        (current.status === 'sending' && !!current.claimedAt && Date.parse(current.claimedAt) < staleBefore);
      if (!claimable) return undefined;
      return update(key, { status: 'sending', claimedAt: now(), attempts: current.attempts + 1 });
    },

    async claimMessages(requests): Promise<ClaimOutcome[]> {
      count('claimMessages');
      await tick();
      fake.beforeClaim?.(requests);
      const at = now();
      return requests.map(({ message }): ClaimOutcome => {
        const current = messages.get(message.key);
        if (current?.status !== 'queued' || current.attempts !== message.attempts) return { status: 'taken' };
        return { status: 'claimed', message: update(message.key, { status: 'sending', claimedAt: at, attempts: current.attempts + 1 }) };
      });
    },

    async getApplications(_cycleId, agbs) {
      count('getApplications');
      await tick();
      const out = new Map<string, { version: number }>();
      for (const agb of agbs) {
        const version = fake.versions.get(agb);
        if (version !== null) out.set(agb, { version: version ?? 1 });
      }
      return out;
    },

    async markMessagesSent(sent): Promise<UpdateOutcome[]> {
      count('markMessagesSent');
      await tick();
      fake.beforeMarkSent?.(sent.map((m) => m.key));
      return sent.map(({ key, sesMessageId }): UpdateOutcome => {
        if (messages.get(key)?.status !== 'sending') return { status: 'conflict' };
        update(key, { status: 'sent', sentAt: now(), sesMessageId, error: undefined });
        return { status: 'done' };
      });
    },

    async releaseMessages(claimed): Promise<UpdateOutcome[]> {
      count('releaseMessages');
      await tick();
      return claimed.map(({ key, claimedAt }): UpdateOutcome => {
        const current = messages.get(key);
        if (current?.status !== 'sending' || current.claimedAt !== claimedAt) return { status: 'conflict' };
        update(key, { status: 'queued', attempts: current.attempts - 1 });
        return { status: 'done' };
      });
    },

    async markMessageSent(key, sesMessageId) {
      count('markMessageSent');
      return finish(key, { status: 'sent', sentAt: now(), sesMessageId, error: undefined });
    },

    async markMessageFailed(key, reason, options = {}) {
      count('markMessageFailed');
      return finish(key, { status: options.retry ? 'queued' : 'failed', error: reason });
    },
  };
  return fake;
}
