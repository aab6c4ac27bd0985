import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import { messageKey } from '../../../functions/domain/messages.ts';
import type { Message, MessageInput } from '../../../functions/domain/model.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aMessage, anAgb } from '../../support/factories.ts';

const local = useDynamoDbLocal();
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock('2020-04-01T07:00:00Z');
  store = await local.freshStore(clock);
});

/** The messages one run of a milestone enqueues: one per provider, keyed by cycle, provider, step and template. */
const milestoneRun = (agbs: string[]): MessageInput[] =>
  agbs.map((agb) => aMessage({ agb, key: messageKey({ cycleId: 'test-2021', agb, cause: 'policy-publication#notify', template: 'invitation' }) }));

async function all(status: Message['status']): Promise<Message[]> {
  const items: Message[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.queryMessagesByStatus(status, { limit: 7, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

describe('the outbox against DynamoDB Local', () => {
  it('a re-run milestone enqueues no second message', async () => {
    const agbs = Array.from({ length: 30 }, () => anAgb());
    expect(await store.enqueueMessages(milestoneRun(agbs))).toEqual({ created: 30, existing: 0 });
    clock.advanceBy(3_600_000); // the retry comes later
    expect(await store.enqueueMessages(milestoneRun(agbs))).toEqual({ created: 0, existing: 30 });
    expect(await store.enqueueMessages(milestoneRun([...agbs.slice(0, 5), anAgb()]))).toEqual({ created: 1, existing: 5 });
    const queued = await all('queued');
    expect(queued).toHaveLength(31);
    expect(new Set(queued.map((m) => m.key)).size).toBe(31);
    expect(queued.every((m) => m.attempts === 0)).toBe(true);
  });

  it('concurrent enqueues of one key create it once', async () => {
    const msg = aMessage();
    const results = await Promise.all(Array.from({ length: 20 }, () => store.enqueueMessage(msg)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('moves a message queued → sending → sent, and its status index with it', async () => {
    const msg = aMessage();
    await store.enqueueMessage(msg);
    const claims = await Promise.all([store.claimMessage(msg.key), store.claimMessage(msg.key)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await all('queued')).toHaveLength(0);
    expect((await all('sending')).map((m) => m.key)).toEqual([msg.key]);

    const sent = await store.markMessageSent(msg.key, 'ses-123');
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, sesMessageId: 'ses-123', sentAt: '2020-04-01T07:00:00.000Z' });
    expect((await all('sent')).map((m) => m.key)).toEqual([msg.key]);
    expect(await all('sending')).toHaveLength(0);
    await expect(store.markMessageSent(msg.key, 'again')).rejects.toBeInstanceOf(ConflictError);
    expect(await store.listMessagesOfProvider(msg.agb!)).toHaveLength(1);
  });

  it('fails or requeues, and takes over an abandoned claim after the lease', async () => {
    const msg = aMessage();
    await store.enqueueMessage(msg);
    await store.claimMessage(msg.key);
    expect(await store.markMessageFailed(msg.key, 'Throttling', { retry: true })).toMatchObject({ status: 'queued', error: 'Throttling' });
    await store.claimMessage(msg.key);
    expect(await store.claimMessage(msg.key)).toBeUndefined(); // still leased
    clock.advanceBy(6 * 60_000);
    expect(await store.claimMessage(msg.key)).toMatchObject({ status: 'sending', attempts: 3 });
    expect(await store.markMessageFailed(msg.key, 'MessageRejected')).toMatchObject({ status: 'failed' });
    expect((await all('failed')).map((m) => m.key)).toEqual([msg.key]);
  });
});
