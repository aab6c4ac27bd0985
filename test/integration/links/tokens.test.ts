import { beforeEach, describe, expect, it } from 'vitest';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createLinkIssuer } from '../../../functions/links/issue.ts';
import type { LinkKeyProvider } from '../../../functions/links/keys.ts';
import { resolveLink } from '../../../functions/links/resolve.ts';
import { hashToken } from '../../../functions/links/token.ts';
import { LinkSupersededError, LinkUsedError } from '../../../functions/commons/errors.ts';
import { consumeTokenItem, type Store } from '../../../functions/store/index.ts';
import { documentClient } from '../../../functions/store/dynamo.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { actors, anAgb, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const KEY = new Uint8Array(32).fill(7);
const keys: LinkKeyProvider = { getKey: async () => KEY };
const DEADLINE = Date.parse('2020-07-01T21:59:59.999Z');
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock('2020-06-01T10:00:00Z');
  store = await local.freshStore(clock);
});

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);

describe('link issuer with the token store', () => {
  it('stores only the hash and returns an absolute /l/ URL', async () => {
    const issuer = createLinkIssuer({ store, keys, baseUrl: 'http://127.0.0.1:3000/', clock });
    const agb = anAgb();
    const url = await issuer.issue({ cycleId: 'c1', agb, action: 'submit-proposal', contactId: 'c-a', expiresAt: DEADLINE });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:3000\/l\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const record = await store.getTokenRecord(hashToken(tokenOf(url)));
    expect(record).toMatchObject({ cycleId: 'c1', agb, action: 'submit-proposal', contactId: 'c-a', expiresAt: DEADLINE });
    expect(JSON.stringify(record)).not.toContain(tokenOf(url));
  });

  it('a newer link for the same action supersedes all older ones; other actions are untouched', async () => {
    const issuer = createLinkIssuer({ store, keys, baseUrl: 'http://x', clock });
    const agb = anAgb();
    const input = { cycleId: 'c1', agb, action: 'declare-conditions' as const, contactId: 'c-a', expiresAt: DEADLINE };
    const first = tokenOf(await issuer.issue(input));
    clock.advanceBy(1000);
    const second = tokenOf(await issuer.issue(input));
    const other = tokenOf(await issuer.issue({ ...input, action: 'withdraw' }));
    clock.advanceBy(1000);
    const third = tokenOf(await issuer.issue(input));
    const deps = { key: KEY, clock, findRecord: (h: string) => store.getTokenRecord(h) };
    await expect(resolveLink(first, deps)).rejects.toBeInstanceOf(LinkSupersededError);
    await expect(resolveLink(second, deps)).rejects.toBeInstanceOf(LinkSupersededError);
    await expect(resolveLink(third, deps)).resolves.toMatchObject({ claims: { action: 'declare-conditions' } });
    await expect(resolveLink(other, deps)).resolves.toMatchObject({ claims: { action: 'withdraw' } });
  });

  it('8 concurrent issues for the same action leave exactly one usable link', async () => {
    const issuer = createLinkIssuer({ store, keys, baseUrl: 'http://x', clock });
    const agb = anAgb();
    const urls = await Promise.all(
      Array.from({ length: 8 }, () => issuer.issue({ cycleId: 'c1', agb, action: 'submit-proposal', contactId: 'c-a', expiresAt: DEADLINE })),
    );
    const records = await Promise.all(urls.map((u) => store.getTokenRecord(hashToken(tokenOf(u)))));
    expect(records.filter((r) => r && r.supersededBy === undefined)).toHaveLength(1);
  });

  // Expiry is not the stored record's to decide: a link lives until its action's deadline in the live
  // calendar (calendar/deadlines.ts), checked when the link resolves (test/integration/links/app.test.ts).
  it('consumeTokenItem: a single-use token is used once; a reused or superseded one cancels the transaction', async () => {
    const issuer = createLinkIssuer({ store, keys, baseUrl: 'http://x', clock });
    const doc = documentClient(local.db.client);
    const agb = anAgb();
    const url = await issuer.issue({ cycleId: 'c1', agb, action: 'withdraw', contactId: 'c-a', expiresAt: DEADLINE });
    const record = (await store.getTokenRecord(hashToken(tokenOf(url))))!;
    const consume = (now: number) => doc.send(new TransactWriteCommand({ TransactItems: [consumeTokenItem(store.tableName, record, now)] }));
    await consume(clock.now());
    await expect(consume(clock.now())).rejects.toMatchObject({ name: 'TransactionCanceledException' });
    await expect(resolveLink(tokenOf(url), { key: KEY, clock, findRecord: (h) => store.getTokenRecord(h) })).rejects.toBeInstanceOf(LinkUsedError);

    const older = await issuer.issue({ cycleId: 'c1', agb, action: 'submit-proposal', contactId: 'c-a', expiresAt: DEADLINE });
    await issuer.issue({ cycleId: 'c1', agb, action: 'submit-proposal', contactId: 'c-a', expiresAt: DEADLINE });
    const olderRecord = (await store.getTokenRecord(hashToken(tokenOf(older))))!;
    await expect(
      doc.send(new TransactWriteCommand({ TransactItems: [consumeTokenItem(store.tableName, olderRecord, clock.now())] })),
    ).rejects.toMatchObject({ name: 'TransactionCanceledException' });
  });

  it('a reusable (ask-question) token can be used repeatedly', async () => {
    const issuer = createLinkIssuer({ store, keys, baseUrl: 'http://x', clock });
    const doc = documentClient(local.db.client);
    const url = await issuer.issue({ cycleId: 'c1', agb: anAgb(), action: 'ask-question', contactId: 'c-a', expiresAt: DEADLINE });
    const record = (await store.getTokenRecord(hashToken(tokenOf(url))))!;
    for (let i = 0; i < 3; i++) {
      await doc.send(new TransactWriteCommand({ TransactItems: [consumeTokenItem(store.tableName, record, clock.now() + i)] }));
    }
    expect((await store.getTokenRecord(record.hash))?.usedAt).toBe(clock.now());
  });
});

describe('transition with alsoWrite (store/applications.ts)', () => {
  it('writes the extra items with the transition, or nothing at all when one of their conditions fails', async () => {
    await store.putSteps('c1', aTimeline());
    const issuer = createLinkIssuer({ store, keys, baseUrl: 'http://x', clock });
    const agb = anAgb();
    const { application } = await store.createApplication({ cycleId: 'c1', agb, track: 'existing', providerName: 'P', trigger: triggers.operator('invite'), actor: actors.operator });
    const url = await issuer.issue({ cycleId: 'c1', agb, action: 'withdraw', contactId: 'c-a', expiresAt: DEADLINE });
    const record = (await store.getTokenRecord(hashToken(tokenOf(url))))!;
    const request = { to: 'withdrawn' as const, trigger: triggers.provider('withdraw'), actor: actors.provider(agb, 'c-a'), alsoWrite: () => [consumeTokenItem(store.tableName, record, clock.now())] };

    const next = await store.transition(application, request);
    expect(next.state).toBe('withdrawn');
    expect((await store.getTokenRecord(record.hash))?.usedAt).toBe(clock.now());

    // Reinstated by an operator, then the same (used) token again: cancelled, item 2 named, nothing written.
    const reinstated = await store.transition(next, { to: 'invited', trigger: triggers.operator('reinstate'), actor: actors.operator });
    const error = await store.transition(reinstated, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toMatchObject({ failed: [2] });
    expect(await store.getApplication('c1', agb)).toEqual(reinstated);
    expect(await store.listEvents('c1', agb)).toHaveLength(3);
  });
});
