/**
 * The email outbox. A message's key is its idempotency key and it is created
 * with a conditional put, so a retried milestone never enqueues twice. The
 * sender claims a message (queued → sending) before it calls SES and then marks
 * it sent or failed. Addresses stay in the item, never in logs or errors.
 */
import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { redact } from '../commons/logger.ts';
import { messageInputSchema, messageSchema, type Message, type MessageInput, type MessageStatus } from '../domain/model.ts';
import { cancellationCodes, clean, errorName, isConditionFailed, mapLimit, nowIso, queryAll, queryPage, type Page, type PageOptions, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';

const parseMessage = (item: Record<string, unknown>): Message => messageSchema.parse(withoutKeys(item));

/** Messages per TransactWriteItems when enqueueing a page (a transaction holds at most 100 writes and 4 MB). */
export const ENQUEUE_CHUNK = 50;

/** A claim older than this is considered abandoned (the sender died between claim and mark). */
export const DEFAULT_CLAIM_LEASE_MS = 5 * 60_000;

const messageItem = (m: Message): Record<string, unknown> =>
  clean({
    ...m,
    ...keys.message(m.key),
    ...indexKeys.messageStatus(m.status, m.createdAt, m.key),
    ...(m.agb ? indexKeys.messageOfProvider(m.agb, m.createdAt, m.key) : {}),
  });

const newMessage = (input: MessageInput, at: string): Message => ({ ...messageInputSchema.parse(input), status: 'queued', attempts: 0, createdAt: at, updatedAt: at });

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
    const at = nowIso(clock);
    const message = newMessage(input, at);
    try {
      await doc.send(new PutCommand({ TableName, Item: messageItem(message), ConditionExpression: 'attribute_not_exists(pk)' }));
      return { created: true };
    } catch (error) {
      if (isConditionFailed(error)) return { created: false };
      throw error;
    }
  }

  /**
   * Moves a message out of `sending`; the status index key moves with it. `createdAt`
   * (part of that key), when the caller has it, saves reading the message first.
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
    const at = nowIso(clock);
    const index = indexKeys.messageStatus(status, createdAt, key);
    try {
      const out = await doc.send(
        new UpdateCommand({
          TableName,
          Key: keys.message(key),
          UpdateExpression: `SET #status = :status, updatedAt = :at, gsi3pk = :g3pk, gsi3sk = :g3sk, ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: '#status = :sending',
          ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':g3pk': index.gsi3pk, ':g3sk': index.gsi3sk, ':sending': 'sending', ...values },
          ReturnValues: 'ALL_NEW',
        }),
      );
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

  return {
    getMessage,

    /** Conditional put by idempotency key: `created: false` when it was enqueued before. */
    enqueueMessage,

    /**
     * Enqueues a page of messages, each still conditional on its own key.
     * Chunks of up to ENQUEUE_CHUNK go as one TransactWriteItems of conditional
     * puts: the usual case (a step's first run) costs one request per chunk.
     * A chunk that is refused (a key exists already: a re-run that got halfway;
     * a conflict; the same key twice) is done again as individual conditional
     * puts, 16 in flight, so each message is created exactly when its key is new.
     */
    async enqueueMessages(inputs: readonly MessageInput[]): Promise<{ created: number; existing: number }> {
      const chunks: MessageInput[][] = [];
      for (let i = 0; i < inputs.length; i += ENQUEUE_CHUNK) chunks.push(inputs.slice(i, i + ENQUEUE_CHUNK));
      const counts = await mapLimit(chunks, 4, async (chunk) => {
        const at = nowIso(clock);
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: chunk.map((m) => enqueueMessageItem(TableName, m, at)) }));
          return chunk.length;
        } catch (error) {
          if (!cancellationCodes(error) && errorName(error) !== 'ValidationException') throw error;
          const results = await mapLimit(chunk, 16, (m) => enqueueMessage(m));
          return results.filter((r) => r.created).length;
        }
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
      const at = nowIso(clock);
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
          IndexName: 'gsi3',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': indexKeys.messageStatus(status, '', '').gsi3pk },
        },
        parseMessage,
        page,
      );
    },

    /** Everything sent (or to be sent) to one provider, oldest first (gsi2). */
    async listMessagesOfProvider(agb: string): Promise<Message[]> {
      return queryAll(
        deps,
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
          ExpressionAttributeValues: { ':pk': `PROVIDER#${agb}`, ':prefix': prefixes.messageOfProvider },
        },
        parseMessage,
      );
    },
  };
}
