/**
 * The sender's batched claims, links and marks against DynamoDB Local
 * (functions/email/sender.ts, store/messages.ts claimMessages; links bound to
 * the application version): few requests per chunk, and each guarantee still holds
 * when part of a batch fails its condition.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendEmailCommand, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createEmailSender, type EmailSenderConfig } from '../../../functions/email/sender.ts';
import type { Outbox } from '../../../functions/email/ports.ts';
import { createLinkIssuer, type LinkIssuer } from '../../../functions/links/issue.ts';
import type { LinkKeyProvider } from '../../../functions/links/keys.ts';
import { resolveLink } from '../../../functions/links/resolve.ts';
import { LinkSupersededError } from '../../../functions/commons/errors.ts';
import type { MessageInput } from '../../../functions/domain/model.ts';
import { createStore, type Store } from '../../../functions/store/index.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { decodeTagValue } from '../../../functions/email/tags.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { actors, anAgb, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const KEY = new Uint8Array(32).fill(9);
const keys: LinkKeyProvider = { getKey: async () => KEY };
const DEADLINE_ISO = '2020-07-01T21:59:59.999Z';
const CONFIG: EmailSenderConfig = { from: 'inkoop@example.nl', ratePerSecond: 1000, maxAttempts: 3, batchSize: 100, concurrency: 4 };
const silent = { info() {}, warn() {}, error() {} };

let clock: VirtualClock;
let store: Store;
let issuer: LinkIssuer;
/** DynamoDB requests by operation, counted on the store's client. */
let requests: Record<string, number>;
/** What SES was asked to send: message key and text body. */
let delivered: { key: string; text: string }[];

const ses = {
  send: async (command: SendEmailCommand) => {
    const input = command.input as SendEmailCommandInput;
    const key = decodeTagValue(input.EmailTags!.find((t) => t.Name === 'message-key')!.Value!)!;
    delivered.push({ key, text: input.Content!.Simple!.Body!.Text!.Data! });
    return { MessageId: `ses-${delivered.length}` };
  },
};

beforeEach(async () => {
  clock = new VirtualClock('2020-06-17T07:00:00Z');
  const doc = DynamoDBDocumentClient.from(local.db.client, { marshallOptions: { removeUndefinedValues: true } });
  requests = {};
  doc.middlewareStack.remove('countRequests'); // the stack is the shared client's
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName).replace(/Command$/, '');
      requests[op] = (requests[op] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countRequests' },
  );
  store = createStore({ client: doc, tableName: await local.freshTable(), clock });
  await store.putSteps('msr-2021', aTimeline());
  issuer = createLinkIssuer({ keys, baseUrl: 'https://links.example.nl', clock });
  delivered = [];
});

function sender(outbox: Outbox = store, config: Partial<EmailSenderConfig> = {}) {
  return createEmailSender({ outbox, ses: ses as never, clock, sleep: async (ms) => void clock.advanceBy(ms), config: { ...CONFIG, ...config }, logger: silent, linkIssuer: issuer });
}

/** A reminder carrying a link for `action`, keyed by provider and `cause`. */
const withLink = (agb: string, cause = 'reminder', action: 'submit-registration' | 'submit-proposal' = 'submit-registration'): MessageInput => ({
  key: `msr-2021#${agb}#${cause}#reminder`,
  cycleId: 'msr-2021',
  agb,
  recipients: [{ role: 'signatory', address: `teken-${agb}@aanbieder.example.nl`, contactId: 'c-1' }],
  template: 'reminder',
  params: { providerName: 'Zorg BV', agb, careTypeName: 'MSR', contractYear: 2021, action, deadline: '2020-07-01', daysLeft: 14 },
  link: { action, contactId: 'c-1', expiresAt: DEADLINE_ISO },
});

const plain = (agb: string): MessageInput => ({
  key: `msr-2021#${agb}#contracted`,
  cycleId: 'msr-2021',
  agb,
  recipients: [{ role: 'signatory', address: `teken-${agb}@aanbieder.example.nl` }],
  template: 'contracted',
  params: { providerName: 'Zorg BV', agb, careTypeName: 'MSR', contractYear: 2021 },
});

const tokenIn = (text: string): string => /https:\/\/links\.example\.nl\/l\/([A-Za-z0-9_.-]+)/.exec(text)![1];
/** As the pages resolve a link: against the application as it is now. */
const resolve = (token: string) =>
  resolveLink(token, { key: KEY, clock, read: (claims) => store.getApplication(claims.cycleId, claims.agb), applicationOf: (app) => app });

/** Providers with an application in msr-2021 (links are bound to its version). */
async function applicants(n: number): Promise<string[]> {
  const agbs = Array.from({ length: n }, () => anAgb());
  for (const agb of agbs) {
    await store.createApplication({ cycleId: 'msr-2021', agb, track: 'new', providerName: 'Zorg BV', trigger: triggers.provider('request-registration'), actor: actors.provider(agb, 'c-1') });
  }
  return agbs;
}

async function statuses(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const status of ['queued', 'sending', 'sent', 'failed'] as const) {
    for (const m of (await store.queryMessagesByStatus(status)).items) out[m.key] = status;
  }
  return out;
}

describe('the sender against DynamoDB Local', () => {
  it('claims 40 messages in one transaction, reads the applications of their links in one request, and marks them sent in one', async () => {
    const agbs = await applicants(30);
    await store.enqueueMessages([...agbs.map((agb) => withLink(agb)), ...agbs.slice(0, 10).map(plain)]);
    requests = {};

    expect(await sender().sendQueued()).toEqual({ sent: 40, failed: 0, more: false, unknownOutcome: 0 });

    // 40 claims: one transaction; the 30 applications: one BatchGetItem; the marks: one more transaction. Nothing stored per link.
    expect(requests).toEqual({ Query: 2, BatchGetItem: 1, TransactWriteItems: 2 });
    expect(Object.values(await statuses()).every((s) => s === 'sent')).toBe(true);
    expect(delivered).toHaveLength(40);
    for (const d of delivered.filter((x) => x.key.endsWith('#reminder'))) {
      await expect(resolve(tokenIn(d.text))).resolves.toMatchObject({ claims: { action: 'submit-registration' } });
    }
  });

  it('a message claimed by another sender before the batch is skipped with no link; the rest are sent', async () => {
    const agbs = await applicants(3);
    await store.enqueueMessages(agbs.map((agb) => withLink(agb)));
    const stolen = withLink(agbs[1]).key;
    let stole = false;
    const outbox: Outbox = {
      ...store,
      claimMessages: async (requests) => {
        if (!stole) {
          stole = true;
          expect(await store.claimMessage(stolen)).toBeDefined(); // the other sender's claim, between our query and our claim
        }
        return store.claimMessages(requests);
      },
    };

    expect(await sender(outbox).sendQueued()).toMatchObject({ sent: 2, failed: 0 });

    expect(delivered.map((d) => d.key).sort()).toEqual([withLink(agbs[0]).key, withLink(agbs[2]).key].sort());
    expect((await statuses())[stolen]).toBe('sending'); // the other sender's
  });

  it('two messages for the same provider and action in one run: both sent, bound to the same version; once one is used, both are dead', async () => {
    const [agb, other] = await applicants(2);
    await store.enqueueMessages([withLink(agb, 'first'), withLink(agb, 'second'), withLink(other, 'other')]);

    expect(await sender().sendQueued()).toMatchObject({ sent: 3, failed: 0 });

    const text = (cause: string) => delivered.find((d) => d.key === `msr-2021#${agb}#${cause}#reminder`)!.text;
    const first = tokenIn(text('first'));
    const second = tokenIn(text('second'));
    await expect(resolve(first)).resolves.toMatchObject({ claims: { agb, action: 'submit-registration', version: 1 } });
    await expect(resolve(second)).resolves.toMatchObject({ claims: { version: 1 } });
    const app = (await store.getApplication('msr-2021', agb))!;
    await store.transition(app, { to: 'withdrawn', trigger: triggers.provider('withdraw'), actor: actors.provider(agb, 'c-1') });
    await expect(resolve(first)).rejects.toBeInstanceOf(LinkSupersededError);
    await expect(resolve(second)).rejects.toBeInstanceOf(LinkSupersededError);
    await expect(resolve(tokenIn(delivered.find((d) => d.key.includes(other))!.text))).resolves.toBeDefined();
  });

  it('sendQueued twice, and two senders at once: every email exactly once, one working link per provider', async () => {
    const agbs = await applicants(12);
    await store.enqueueMessages(agbs.map((agb) => withLink(agb)));

    const [a, b] = await Promise.all([sender(store, { batchSize: 5 }).sendQueued(), sender(store, { batchSize: 5 }).sendQueued()]);
    const again = await sender().sendQueued();

    expect(a.sent + b.sent).toBe(12);
    expect(again).toMatchObject({ sent: 0, failed: 0, more: false });
    expect(delivered).toHaveLength(12);
    expect(new Set(delivered.map((d) => d.key)).size).toBe(12);
    for (const d of delivered) await expect(resolve(tokenIn(d.text))).resolves.toBeDefined();
    expect(Object.values(await statuses()).every((s) => s === 'sent')).toBe(true);
  });

  it('SES trouble stops the run: the claims not yet sent go back to the queue with their attempt given back', async () => {
    const agbs = [anAgb(), anAgb(), anAgb()];
    await store.enqueueMessages(agbs.map(plain));
    const failing = { send: async () => Promise.reject(Object.assign(new Error('down'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } })) };
    const s = createEmailSender({ outbox: store, ses: failing as never, clock, sleep: async (ms) => void clock.advanceBy(ms), config: { ...CONFIG, concurrency: 1 }, logger: silent });

    expect(await s.sendQueued()).toMatchObject({ sent: 0, failed: 0, more: true });

    const messages = await Promise.all(agbs.map((agb) => store.getMessage(plain(agb).key)));
    expect(messages.map((m) => [m?.status, m?.attempts])).toEqual([
      ['queued', 1],
      ['queued', 0],
      ['queued', 0],
    ]);
  });
});

describe('batched writes of the outbox (store/messages.ts)', () => {
  it('enqueueMessages: a re-run whose chunk holds existing keys puts the new ones in one more transaction, not one by one', async () => {
    const agbs = Array.from({ length: 30 }, () => anAgb());
    expect(await store.enqueueMessages(agbs.map(plain))).toEqual({ created: 30, existing: 0 });
    const fresh = Array.from({ length: 5 }, () => anAgb());
    requests = {};

    // A milestone page enqueues again the emails of applications its earlier pages moved, and the same key twice.
    const again = [...agbs.slice(0, 15), ...fresh, ...agbs.slice(15), fresh[0]].map(plain);
    expect(await store.enqueueMessages(again)).toEqual({ created: 5, existing: 31 });

    expect(requests).toEqual({ TransactWriteItems: 2 });
    expect((await store.queryMessagesByStatus('queued')).items).toHaveLength(35);
  });

  it('markMessagesSent: one message no longer sending is a conflict, the rest are marked in the retried batch', async () => {
    const agbs = [anAgb(), anAgb(), anAgb()];
    await store.enqueueMessages(agbs.map(plain));
    const listed = (await store.queryMessagesByStatus('queued')).items;
    const claims = await store.claimMessages(listed.map((message) => ({ message })));
    expect(claims.map((c) => c.status)).toEqual(['claimed', 'claimed', 'claimed']);
    await store.markMessageFailed(listed[1].key, 'reported abandoned meanwhile');
    requests = {};

    const outcomes = await store.markMessagesSent(listed.map((m, i) => ({ key: m.key, sesMessageId: `ses-${i}`, createdAt: m.createdAt })));

    expect(outcomes.map((o) => o.status)).toEqual(['done', 'conflict', 'done']);
    expect(requests).toEqual({ TransactWriteItems: 2 });
    expect(await store.getMessage(listed[0].key)).toMatchObject({ status: 'sent', sesMessageId: 'ses-0' });
    expect(await store.getMessage(listed[1].key)).toMatchObject({ status: 'failed' });
    expect(await store.getMessage(listed[2].key)).toMatchObject({ status: 'sent', sesMessageId: 'ses-2' });
    expect((await store.queryMessagesByStatus('sent')).items).toHaveLength(2);
  });

  it('claimMessages: a listed message that changed meanwhile is taken; releaseMessages gives back only its own claim', async () => {
    const agbs = [anAgb(), anAgb()];
    await store.enqueueMessages(agbs.map(plain));
    const listed = (await store.queryMessagesByStatus('queued')).items;
    // The first was claimed and requeued by another sender since it was listed: its attempts moved on.
    await store.claimMessage(listed[0].key);
    await store.markMessageFailed(listed[0].key, 'Throttling', { retry: true });

    const claims = await store.claimMessages(listed.map((message) => ({ message })));
    expect(claims.map((c) => c.status)).toEqual(['taken', 'claimed']);
    const claimed = claims[1].status === 'claimed' ? claims[1].message : undefined;
    expect(claimed).toMatchObject({ status: 'sending', attempts: 1 });
    expect(await store.getMessage(listed[1].key)).toMatchObject({ status: 'sending', attempts: 1, claimedAt: claimed!.claimedAt });

    const stale = { ...claimed!, claimedAt: '2020-01-01T00:00:00.000Z' };
    expect((await store.releaseMessages([stale])).map((o) => o.status)).toEqual(['conflict']);
    expect((await store.releaseMessages([claimed!])).map((o) => o.status)).toEqual(['done']);
    expect(await store.getMessage(listed[1].key)).toMatchObject({ status: 'queued', attempts: 0 });
    expect((await store.queryMessagesByStatus('queued')).items.map((m) => m.key).sort()).toEqual(listed.map((m) => m.key).sort());
  });
});
