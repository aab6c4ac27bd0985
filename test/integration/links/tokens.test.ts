/**
 * Links are stored nowhere: a signed token bound to its application's version
 * (functions/domain/tokens.ts), resolved here against the application as
 * DynamoDB Local has it, the way the provider pages do (functions/links/app.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { isoNow, VirtualClock } from '../../../functions/commons/clock.ts';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { ConflictError, LinkSupersededError, LinkUsedError } from '../../../functions/commons/errors.ts';
import type { Application } from '../../../functions/domain/model.ts';
import type { LinkAction } from '../../../functions/domain/tokens.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { createLinkIssuer } from '../../../functions/links/issue.ts';
import type { LinkKeyProvider } from '../../../functions/links/keys.ts';
import { resolveLink } from '../../../functions/links/resolve.ts';
import { enqueueMessageItem, type Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aMessage, actors, anAgb, aTimeline } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const KEY = new Uint8Array(32).fill(7);
const keys: LinkKeyProvider = { getKey: async () => KEY };
const DEADLINE = Date.parse('2020-07-01T21:59:59.999Z');
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock('2020-06-01T10:00:00Z');
  store = await local.freshStore(clock);
  await store.putSteps('c1', aTimeline());
});

const tokenOf = (url: string) => url.slice(url.lastIndexOf('/') + 1);
const issuer = () => createLinkIssuer({ keys, baseUrl: 'http://x', clock });

async function anApplicationInvited(): Promise<Application> {
  const agb = anAgb();
  const { application } = await store.createApplication({ cycleId: 'c1', agb, track: 'existing', providerName: 'P', trigger: triggers.operator('invite'), actor: actors.operator });
  return application;
}

async function linkFor(app: Application, action: LinkAction): Promise<string> {
  return tokenOf(await issuer().issue({ cycleId: 'c1', agb: app.agb, action, contactId: 'c-a', expiresAt: DEADLINE, version: app.version }));
}

/** Resolves as the pages do: the application read from the table, now. */
const resolve = (token: string) =>
  resolveLink(token, {
    key: KEY,
    clock,
    read: (claims) => store.getApplication(claims.cycleId, claims.agb),
    applicationOf: (app) => app,
  });

const withdraw = (app: Application) => store.transition(app, { to: 'withdrawn', trigger: triggers.provider('withdraw'), actor: actors.provider(app.agb, 'c-a') });

describe('links bound to the application version', () => {
  it('nothing is written to issue a link', async () => {
    const app = await anApplicationInvited();
    const count = async () => (await local.db.client.send(new ScanCommand({ TableName: store.tableName, Select: 'COUNT' }))).Count;
    const before = await count();
    await linkFor(app, 'withdraw');
    const after = await count();
    expect(after).toBe(before);
  });

  it('works while the application is at its version; once its own action moved it: used', async () => {
    const app = await anApplicationInvited();
    const token = await linkFor(app, 'withdraw');
    await expect(resolve(token)).resolves.toMatchObject({ claims: { action: 'withdraw', version: app.version } });
    await withdraw(app);
    await expect(resolve(token)).rejects.toBeInstanceOf(LinkUsedError);
  });

  it('a link issued before anything else moved the application is superseded; one issued after works', async () => {
    const app = await anApplicationInvited();
    const older = await linkFor(app, 'withdraw');
    const moved = await store.transition(app, { to: 'withdrawn', trigger: triggers.operator('withdraw'), actor: actors.operator });
    const reinstated = await store.transition(moved, { to: 'invited', trigger: triggers.operator('reinstate'), actor: actors.operator });
    const newer = await linkFor(reinstated, 'withdraw');
    await expect(resolve(older)).rejects.toBeInstanceOf(LinkSupersededError);
    await expect(resolve(newer)).resolves.toMatchObject({ claims: { version: reinstated.version } });
  });

  it('a used link stays dead when the application comes back to the same state (reinstated)', async () => {
    const app = await anApplicationInvited();
    const token = await linkFor(app, 'withdraw');
    const used = await withdraw(app);
    const back = await store.transition(used, { to: 'invited', trigger: triggers.operator('reinstate'), actor: actors.operator });
    expect(back.state).toBe(app.state);
    await expect(resolve(token)).rejects.toBeInstanceOf(LinkSupersededError);
  });

  it('a question link carries no version and works whatever the application does', async () => {
    const app = await anApplicationInvited();
    const token = await linkFor(app, 'ask-question');
    await withdraw(app);
    await expect(resolve(token)).resolves.toMatchObject({ claims: { action: 'ask-question' } });
  });
});

describe('transition with alsoWrite (store/applications.ts)', () => {
  it('writes the extra items with the transition, or nothing at all when one of their conditions fails', async () => {
    const app = await anApplicationInvited();
    const existing = aMessage({ cycleId: 'c1', agb: app.agb });
    await store.enqueueMessage(existing);
    const request = (key: string) => ({
      to: 'withdrawn' as const,
      trigger: triggers.provider('withdraw'),
      actor: actors.provider(app.agb, 'c-a'),
      alsoWrite: () => [enqueueMessageItem(store.tableName, { ...existing, key }, isoNow(clock))],
    });

    // The confirmation's key exists: cancelled, item 2 named, nothing written.
    const error = await store.transition(app, request(existing.key)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toMatchObject({ failed: [2] });
    expect(await store.getApplication('c1', app.agb)).toEqual(app);
    expect(await store.listEvents('c1', app.agb)).toHaveLength(1);

    const next = await store.transition(app, request('confirmation-1'));
    expect(next.state).toBe('withdrawn');
    expect(await store.getMessage('confirmation-1')).toBeDefined();
    expect(await store.listEvents('c1', app.agb)).toHaveLength(2);
  });
});
