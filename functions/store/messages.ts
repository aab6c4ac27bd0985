/**
 * The email outbox. A message's key is its idempotency key and it is created
 * with a conditional put, so a retried milestone never enqueues twice. The
 * sender claims a message (queued → sending) before it calls SES and then marks
 * it sent or failed; it claims and marks many at once, in transactions whose
 * items each keep their own condition. Addresses stay in
 * the item, never in logs or errors.
 */
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { isoNow } from '../commons/clock.ts';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { redact } from '../commons/logger.ts';
import { deliveryKey, unreportedDeliveries } from '../domain/messages.ts';
import { DELIVERY_RANK, messageInputSchema, messageSchema, type Delivery, type Message, type MessageInput, type MessageStatus } from '../domain/model.ts';
import { cancellationCodes, clean, errorName, isConditionFailed, mapLimit, queryAll, queryPage, type Page, type PageOptions, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';
import { INDEXES } from './table.ts';

const parseMessage = (item: Record<string, unknown>): Message => messageSchema.parse(withoutKeys(item));

/** Messages per TransactWriteItems when enqueueing a page (a transaction holds at most 100 writes and 4 MB). */
export const ENQUEUE_CHUNK = 50;

/** A claim older than this is considered abandoned (the sender died between claim and mark). */
export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

/** Rounds of a batched enqueue or update before what is left is written one by one. */
const BATCH_ROUNDS = 3;
const MAX_TRANSACT_ITEMS = 100;

/** A queued message (as the queue listed it) to claim. */
export interface ClaimRequest {
  message: Message;
}

export type ClaimOutcome =
  | { status: 'claimed'; message: Message }
  /** No longer queued as listed: another sender claimed it (or it changed meanwhile). Nothing written. */
  | { status: 'taken' }
  /** The store failed; nothing written as far as we know. */
  | { status: 'error'; error: unknown };

/** A message that SES accepted. */
export interface SentMark {
  key: string;
  sesMessageId: string;
  createdAt: string;
}

/** What an SES event says about one recipient, by address. */
export interface DeliveryOutcome {
  address: string;
  delivery: Delivery;
}

/** Per outcome: written, outranked by what is recorded (or a repeat), or about an address the message was not sent to. */
export type DeliveryResult = 'recorded' | 'unchanged' | 'not-recipient' | 'no-message';

export interface DeliveryRecord {
  /** The message after the update (or as it was, when nothing was written); undefined when there is none. */
  message: Message | undefined;
  results: DeliveryResult[];
}

/** Rounds of a delivery update refused for some of its recipients before it gives up (see recordDeliveries). */
const DELIVERY_ROUNDS = 3;

/** Per update of a batch: written, refused by its condition, or failed otherwise. */
export type UpdateOutcome = { status: 'done' } | { status: 'conflict' } | { status: 'error'; error: unknown };

const messageItem = (m: Message): Record<string, unknown> =>
  clean({
    ...m,
    ...keys.message(m.key),
    ...indexKeys.messageStatus(m.status, m.createdAt, m.key),
    ...(m.agb ? indexKeys.messageOfProvider(m.agb, m.createdAt, m.key) : {}),
  });

// With an entry per recipient: an SES event then records its outcome with one conditional update and no read (recordDeliveries).
function newMessage(input: MessageInput, at: string): Message {
  const parsed = messageInputSchema.parse(input);
  return { ...parsed, status: 'queued', attempts: 0, createdAt: at, updatedAt: at, deliveries: unreportedDeliveries(parsed.recipients) };
}

/**
 * The conditional put of `enqueueMessage`, for a caller's transaction: an email
 * that must be enqueued if and only if a state change is written (e.g. the
 * confirmation of a provider's action).
 */
export const enqueueMessageItem = (tableName: string, input: MessageInput, at: string): TransactItem => ({
  Put: { TableName: tableName, Item: messageItem(newMessage(input, at)), ConditionExpression: 'attribute_not_exists(pk)' },
});

export function messageRepository(deps: StoreDeps) {
  const { doc, tableName: TableName, clock } = deps;

  async function getMessage(key: string): Promise<Message | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.message(key), ConsistentRead: true }));
    return out.Item ? parseMessage(out.Item) : undefined;
  }

  async function enqueueMessage(input: MessageInput): Promise<{ created: boolean }> {
    const at = isoNow(clock);
    const message = newMessage(input, at);
    try {
      await doc.send(new PutCommand({ TableName, Item: messageItem(message), ConditionExpression: 'attribute_not_exists(pk)' }));
      return { created: true };
    } catch (error) {
      if (isConditionFailed(error)) return { created: false };
      throw error;
    }
  }

  /** The conditional update that moves a message out of `sending`; the status index key moves with it. */
  function finishUpdate(
    key: string,
    createdAt: string,
    status: MessageStatus,
    sets: string[],
    values: Record<string, unknown>,
    removes: string[] = [],
  ): UpdateCommandInput & { ConditionExpression: string } {
    const index = indexKeys.messageStatus(status, createdAt, key);
    return {
      TableName,
      Key: keys.message(key),
      UpdateExpression: `SET #status = :status, updatedAt = :at, gsi3pk = :g3pk, gsi3sk = :g3sk, ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
      ConditionExpression: '#status = :sending',
      ExpressionAttributeNames: { '#status': 'status', ...([...sets, ...removes].some((x) => x.includes('#error')) ? { '#error': 'error' } : {}) },
      ExpressionAttributeValues: { ':status': status, ':at': isoNow(clock), ':g3pk': index.gsi3pk, ':g3sk': index.gsi3sk, ':sending': 'sending', ...values },
    };
  }

  /**
   * Moves a message out of `sending`. `createdAt` (part of the index key), when
   * the caller has it, saves reading the message first.
   */
  async function finish(
    key: string,
    status: MessageStatus,
    sets: string[],
    values: Record<string, unknown>,
    removes: string[] = [],
    known: { createdAt?: string } = {},
  ): Promise<Message> {
    const createdAt = known.createdAt ?? (await getMessage(key))?.createdAt;
    if (!createdAt) throw new NotFoundError(`No message ${key}`);
    try {
      const out = await doc.send(new UpdateCommand({ ...finishUpdate(key, createdAt, status, sets, values, removes), ReturnValues: 'ALL_NEW' }));
      return parseMessage(out.Attributes ?? {});
    } catch (error) {
      if (isConditionFailed(error)) {
        const current = await getMessage(key);
        if (!current) throw new NotFoundError(`No message ${key}`);
        throw new ConflictError(`Message ${key} is not being sent (it is ${current.status})`, { key });
      }
      throw error;
    }
  }

  /**
   * Conditional updates of different messages, up to 100 per TransactWriteItems.
   * A cancelled transaction names the updates whose condition failed (conflicts,
   * not written); the others are tried again together, and after a few rounds
   * one by one, so each update's outcome is its own.
   */
  async function updateEach(updates: readonly UpdateCommandInput[]): Promise<UpdateOutcome[]> {
    const outcomes: UpdateOutcome[] = updates.map(() => ({ status: 'error', error: new Error('not attempted') }));
    const chunks: number[][] = [];
    for (let i = 0; i < updates.length; i += MAX_TRANSACT_ITEMS) chunks.push(updates.slice(i, i + MAX_TRANSACT_ITEMS).map((_, j) => i + j));
    await mapLimit(chunks, 4, async (chunk) => {
      let pending = chunk;
      for (let round = 1; pending.length > 1 && round <= BATCH_ROUNDS; round++) {
        try {
          // The token makes the SDK's own retry idempotent: a write whose answer was lost is not refused by its own conditions.
          const TransactItems = pending.map((i) => ({ Update: updates[i] as NonNullable<TransactItem['Update']> }));
          await doc.send(new TransactWriteCommand({ TransactItems, ClientRequestToken: randomUUID() }));
          for (const i of pending) outcomes[i] = { status: 'done' };
          return;
        } catch (error) {
          const codes = cancellationCodes(error);
          if (!codes) break;
          pending = pending.filter((i, at) => {
            if (codes[at] !== 'ConditionalCheckFailed') return true;
            outcomes[i] = { status: 'conflict' };
            return false;
          });
        }
      }
      await mapLimit(pending, 8, async (i) => {
        try {
          await doc.send(new UpdateCommand(updates[i]));
          outcomes[i] = { status: 'done' };
        } catch (error) {
          outcomes[i] = isConditionFailed(error) ? { status: 'conflict' } : { status: 'error', error };
        }
      });
    });
    return outcomes;
  }

  return {
    getMessage,

    /** Conditional put by idempotency key: `created: false` when it was enqueued before. */
    enqueueMessage,

    /**
     * Enqueues a page of messages, each still conditional on its own key.
     * Chunks of up to ENQUEUE_CHUNK go as one TransactWriteItems of conditional
     * puts: a step's first run costs one request per chunk. A re-run (a milestone
     * page enqueues the emails of every application its step moved, also those
     * of earlier pages) finds keys that exist: the cancelled transaction names
     * them, and the new ones go again without them. The same key twice in one
     * call is put once. What stays refused for other reasons (conflicts) after a
     * few rounds is put one by one, 16 in flight.
     */
    async enqueueMessages(inputs: readonly MessageInput[]): Promise<{ created: number; existing: number }> {
      const seen = new Set<string>();
      const unique = inputs.filter((m) => !seen.has(m.key) && !!seen.add(m.key));
      const chunks: MessageInput[][] = [];
      for (let i = 0; i < unique.length; i += ENQUEUE_CHUNK) chunks.push(unique.slice(i, i + ENQUEUE_CHUNK));
      const counts = await mapLimit(chunks, 4, async (chunk) => {
        let pending = chunk;
        for (let round = 1; pending.length && round <= BATCH_ROUNDS; round++) {
          const at = isoNow(clock);
          try {
            await doc.send(new TransactWriteCommand({ TransactItems: pending.map((m) => enqueueMessageItem(TableName, m, at)) }));
            return pending.length;
          } catch (error) {
            const codes = cancellationCodes(error);
            if (!codes && errorName(error) !== 'ValidationException') throw error;
            if (!codes) break;
            pending = pending.filter((_, i) => codes[i] !== 'ConditionalCheckFailed');
          }
        }
        const results = await mapLimit(pending, 16, (m) => enqueueMessage(m));
        return results.filter((r) => r.created).length;
      });
      const created = counts.reduce((n, c) => n + c, 0);
      return { created, existing: inputs.length - created };
    },

    /**
     * queued → sending, counting the attempt. Also takes over a claim older than the
     * lease. Returns undefined when the message is not (or no longer) claimable.
     */
    async claimMessage(key: string, options: { leaseMs?: number; createdAt?: string } = {}): Promise<Message | undefined> {
      // The sender has the queued message (and its createdAt, part of the index key) from its query.
      const createdAt = options.createdAt ?? (await getMessage(key))?.createdAt;
      if (!createdAt) return undefined;
      const at = isoNow(clock);
      const staleBefore = new Date(clock.now() - (options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS)).toISOString();
      const index = indexKeys.messageStatus('sending', createdAt, key);
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName,
            Key: keys.message(key),
            UpdateExpression: 'SET #status = :sending, claimedAt = :at, updatedAt = :at, attempts = attempts + :one, gsi3pk = :g3pk, gsi3sk = :g3sk',
            ConditionExpression: '#status = :queued OR (#status = :sending AND claimedAt < :stale)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':sending': 'sending',
              ':queued': 'queued',
              ':at': at,
              ':stale': staleBefore,
              ':one': 1,
              ':g3pk': index.gsi3pk,
              ':g3sk': index.gsi3sk,
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return parseMessage(out.Attributes ?? {});
      } catch (error) {
        if (isConditionFailed(error)) return undefined;
        throw error;
      }
    },

    /**
     * Claims queued messages (queued → sending, counting the attempt), many in
     * one transaction, each conditioned on the message being as listed (queued,
     * same attempts), so the claimed message is the listed one plus the claim;
     * a message claimed meanwhile by another sender is `taken`.
     */
    async claimMessages(requests: readonly ClaimRequest[]): Promise<ClaimOutcome[]> {
      const at = isoNow(clock);
      const seen = new Set<string>();
      const claimable = requests.map((r) => r.message.status === 'queued' && !seen.has(r.message.key) && !!seen.add(r.message.key));
      const claims = requests.flatMap(({ message }, i): UpdateCommandInput[] => {
        if (!claimable[i]) return [];
        const index = indexKeys.messageStatus('sending', message.createdAt, message.key);
        return [
          {
            TableName,
            Key: keys.message(message.key),
            UpdateExpression: 'SET #status = :sending, claimedAt = :at, updatedAt = :at, attempts = :next, gsi3pk = :g3pk, gsi3sk = :g3sk',
            ConditionExpression: '#status = :queued AND attempts = :attempts',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':sending': 'sending',
              ':queued': 'queued',
              ':at': at,
              ':attempts': message.attempts,
              ':next': message.attempts + 1,
              ':g3pk': index.gsi3pk,
              ':g3sk': index.gsi3sk,
            },
          },
        ];
      });
      const outcomes = await updateEach(claims);
      let next = 0;
      return requests.map(({ message }, i): ClaimOutcome => {
        if (!claimable[i]) return { status: 'taken' };
        const outcome = outcomes[next++];
        switch (outcome.status) {
          case 'done':
            return { status: 'claimed', message: { ...message, status: 'sending', claimedAt: at, updatedAt: at, attempts: message.attempts + 1 } };
          case 'conflict':
            return { status: 'taken' };
          default:
            return outcome;
        }
      });
    },

    /** sending → sent for many messages (a transaction per 100); each outcome is its own (`conflict`: not in `sending`). */
    async markMessagesSent(sent: readonly SentMark[]): Promise<UpdateOutcome[]> {
      return updateEach(
        sent.map((m) => finishUpdate(m.key, m.createdAt, 'sent', ['sentAt = :at', 'sesMessageId = :ses'], { ':ses': m.sesMessageId }, ['#error'])),
      );
    },

    /**
     * Gives claimed messages that were not sent back to the queue, uncounted:
     * sending → queued, the attempt taken back. Only the claim given (its
     * `claimedAt`) is released; a message finished or claimed anew is a conflict.
     */
    async releaseMessages(claimed: readonly Pick<Message, 'key' | 'createdAt' | 'claimedAt'>[]): Promise<UpdateOutcome[]> {
      return updateEach(
        claimed.map((m) => {
          const update = finishUpdate(m.key, m.createdAt, 'queued', ['attempts = attempts - :one'], { ':one': 1, ':claimedAt': m.claimedAt ?? '' });
          return { ...update, ConditionExpression: `${update.ConditionExpression} AND claimedAt = :claimedAt` };
        }),
      );
    },

    /** sending → sent. */
    async markMessageSent(key: string, sesMessageId: string, known: { createdAt?: string } = {}): Promise<Message> {
      return finish(key, 'sent', ['sentAt = :at', 'sesMessageId = :ses'], { ':ses': sesMessageId }, ['#error'], known);
    },

    /** sending → failed, or back to queued with `retry`. The reason is stored with email addresses redacted. */
    async markMessageFailed(key: string, reason: string, options: { retry?: boolean } = {}): Promise<Message> {
      return finish(key, options.retry ? 'queued' : 'failed', ['#error = :error'], { ':error': String(redact(reason)) });
    },

    /** Messages in one status, oldest first, a page at a time (gsi3). */
    async queryMessagesByStatus(status: MessageStatus, page: PageOptions = {}): Promise<Page<Message>> {
      return queryPage(
        deps,
        {
          IndexName: INDEXES.byMessageStatus.name,
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': indexKeys.messageStatus(status, '', '').gsi3pk },
        },
        parseMessage,
        page,
      );
    },

    /**
     * Records what SES reported for recipients of a message (by address), each
     * if it outranks what is recorded (DELIVERY_RANK). One conditional
     * UpdateItem for all of them and no read first: every recipient's entry
     * exists from the enqueue on (unreportedDeliveries), so the condition
     * `deliveries.<key>.rank < :rank` proves the address is a recipient and keeps
     * a repeated or older event from changing anything. When it is refused, the
     * item as it was (ReturnValuesOnConditionCheckFailure) says which outcomes
     * are outranked or not a recipient's, and the rest go again. The message
     * comes back either way (ALL_NEW or the refused one), for what the caller
     * does next. Diagnostics are stored with email addresses redacted (the
     * recipient is in the message already).
     */
    async recordDeliveries(key: string, outcomes: readonly DeliveryOutcome[]): Promise<DeliveryRecord> {
      const results: DeliveryResult[] = outcomes.map(() => 'unchanged');
      // One entry per recipient: the highest-ranked outcome an event gives an address (SES lists each once).
      const byEntry = new Map<string, number>();
      outcomes.forEach((o, i) => {
        const entry = deliveryKey(o.address);
        const other = byEntry.get(entry);
        if (other === undefined || DELIVERY_RANK[o.delivery.status] > DELIVERY_RANK[outcomes[other].delivery.status]) byEntry.set(entry, i);
      });
      let pending = [...byEntry.entries()];
      let message: Message | undefined;
      for (let round = 0; pending.length && round < DELIVERY_ROUNDS; round++) {
        const names: Record<string, string> = { '#rank': 'rank' };
        const values: Record<string, unknown> = {};
        const sets: string[] = [];
        const conditions: string[] = [];
        pending.forEach(([entry, i], n) => {
          const d = outcomes[i].delivery;
          const value = clean({ ...d, ...(d.diagnostic ? { diagnostic: String(redact(d.diagnostic)) } : {}), rank: DELIVERY_RANK[d.status] });
          names[`#e${n}`] = entry;
          values[`:d${n}`] = value;
          values[`:r${n}`] = value.rank;
          sets.push(`deliveries.#e${n} = :d${n}`);
          conditions.push(`deliveries.#e${n}.#rank < :r${n}`);
        });
        try {
          const out = await doc.send(
            new UpdateCommand({
              TableName,
              Key: keys.message(key),
              UpdateExpression: `SET ${sets.join(', ')}`,
              ConditionExpression: conditions.join(' AND '),
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          for (const [, i] of pending) results[i] = 'recorded';
          return { message: parseMessage(out.Attributes ?? {}), results };
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
          const item = (error as { Item?: Record<string, AttributeValue> }).Item;
          if (!item) return { message: undefined, results: outcomes.map(() => 'no-message') };
          message = parseMessage(unmarshall(item));
          const recorded = message.deliveries ?? {};
          pending = pending.filter(([entry, i]) => {
            const current = recorded[entry];
            if (current && current.rank < DELIVERY_RANK[outcomes[i].delivery.status]) return true; // refused for another's sake, or changed meanwhile
            if (!current) for (let j = 0; j < outcomes.length; j++) if (deliveryKey(outcomes[j].address) === entry) results[j] = 'not-recipient';
            return false;
          });
        }
      }
      // Still refused after rounds of concurrent changes: fail, so the event is delivered again (every write here is conditional).
      if (pending.length) throw new ConflictError(`Deliveries of message ${key} kept changing`, { key });
      return { message, results };
    },

    /** What was queued for one provider from `since` (ISO instant) on, oldest first (gsi2): one Query. */
    async listMessagesOfProviderSince(agb: string, since: string): Promise<Message[]> {
      return queryAll(
        deps,
        {
          IndexName: INDEXES.byProvider.name,
          // createdAt is an ISO instant: '~' sorts after every character it uses.
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':pk': indexKeys.providerHistory(agb).gsi2pk, ':from': `${prefixes.messageOfProvider}${since}`, ':to': `${prefixes.messageOfProvider}~` },
        },
        parseMessage,
      );
    },

    /** Everything sent (or to be sent) to one provider, oldest first (gsi2). */
    async listMessagesOfProvider(agb: string): Promise<Message[]> {
      return queryAll(
        deps,
        {
          IndexName: INDEXES.byProvider.name,
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: { ':pk': indexKeys.providerHistory(agb).gsi2pk, ':prefix': prefixes.messageOfProvider },
        },
        parseMessage,
      );
    },
  };
}
