/** Batched link issues (store/tokens.ts issueTokenRecords) against DynamoDB Local. */
import { beforeEach, describe, expect, it } from 'vitest';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { newTokenRecord, type TokenRecord } from '../../../functions/domain/tokens.ts';
import { issueToken } from '../../../functions/links/token.ts';
import type { StoreDeps } from '../../../functions/store/dynamo.ts';
import { createStore, tokenKeys, type Store } from '../../../functions/store/index.ts';
import { issueTokenRecords } from '../../../functions/store/tokens.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { anAgb } from '../../support/factories.ts';

const local = useDynamoDbLocal();
const KEY = new Uint8Array(32).fill(4);
const DEADLINE = Date.parse('2020-07-01T21:59:59.999Z');

let clock: VirtualClock;
let store: Store;
let deps: StoreDeps;
let requests: Record<string, number>;
/** Runs once after the next BatchGetItem answered (before the transaction that follows it). */
let afterRead: (() => Promise<void>) | undefined;

beforeEach(async () => {
  clock = new VirtualClock('2020-06-01T10:00:00Z');
  const doc = DynamoDBDocumentClient.from(local.db.client, { marshallOptions: { removeUndefinedValues: true } });
  requests = {};
  afterRead = undefined;
  doc.middlewareStack.remove('countRequests'); // the stack is the shared client's
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const op = String(context.commandName).replace(/Command$/, '');
      requests[op] = (requests[op] ?? 0) + 1;
      const out = await next(args);
      if (op === 'BatchGetItem' && afterRead) {
        const hook = afterRead;
        afterRead = undefined;
        await hook();
      }
      return out;
    },
    { step: 'initialize', name: 'countRequests' },
  );
  const tableName = await local.freshTable();
  store = createStore({ client: doc, tableName, clock });
  deps = { doc, tableName, clock };
});

const aRecord = (agb: string, action: TokenRecord['action'] = 'submit-proposal'): TokenRecord => {
  const { hash, claims } = issueToken(KEY, { cycleId: 'c1', agb, action, contactId: 'c-a', expiresAt: DEADLINE });
  return newTokenRecord(hash, claims, clock.now());
};

async function head(agb: string, action: TokenRecord['action'] = 'submit-proposal'): Promise<string | undefined> {
  const out = await deps.doc.send(new GetCommand({ TableName: deps.tableName, Key: tokenKeys.head({ cycleId: 'c1', agb, action }), ConsistentRead: true }));
  return out.Item?.hash as string | undefined;
}

const usable = async (r: TokenRecord) => (await store.getTokenRecord(r.hash))?.supersededBy === undefined;

describe('issueTokenRecords', () => {
  it('issues many links in one read and one transaction; for one action the last works and supersedes the rest', async () => {
    const agb = anAgb();
    const before = aRecord(agb);
    await store.putTokenRecord(before);
    const same = [aRecord(agb), aRecord(agb), aRecord(agb)];
    const others = [aRecord(anAgb()), aRecord(agb, 'withdraw')];
    requests = {};

    const outcomes = await store.putTokenRecords([same[0], others[0], same[1], others[1], same[2]]);

    expect(requests).toEqual({ BatchGetItem: 1, TransactWriteItems: 1 });
    expect(outcomes).toEqual([{}, {}, {}, {}, { superseded: before.hash }]);
    expect(await head(agb)).toBe(same[2].hash);
    expect(await Promise.all([before, ...same].map(usable))).toEqual([false, false, false, true]);
    expect((await store.getTokenRecord(before.hash))?.supersededBy).toBe(same[2].hash);
    expect(await Promise.all(others.map(usable))).toEqual([true, true]);
  });

  it('an entry whose own item fails its condition is refused and writes nothing; the others are issued', async () => {
    const [a, b] = [aRecord(anAgb()), aRecord(anAgb())];
    const failing = { ConditionCheck: { TableName: deps.tableName, Key: { pk: 'NOPE', sk: 'NOPE' }, ConditionExpression: 'attribute_exists(pk)' } };

    const outcomes = await issueTokenRecords(deps, [{ record: a, with: [failing] }, { record: b }]);

    expect(outcomes.map((o) => o.status)).toEqual(['refused', 'issued']);
    expect(await store.getTokenRecord(a.hash)).toBeUndefined();
    expect(await head(a.agb)).toBeUndefined();
    expect(await store.getTokenRecord(b.hash)).toBeDefined();
  });

  it('a head that moved between the read and the write is read again; the newest link still wins', async () => {
    const agb = anAgb();
    const ours = aRecord(agb);
    const theirs = aRecord(agb);
    const other = createStore({ client: local.db.client, tableName: deps.tableName, clock });
    afterRead = async () => void (await other.putTokenRecord(theirs));

    const [outcome] = await issueTokenRecords(deps, [{ record: ours }]);

    expect(outcome).toEqual({ status: 'issued', superseded: theirs.hash });
    expect(await head(agb)).toBe(ours.hash);
    expect(await usable(theirs)).toBe(false);
    expect(await usable(ours)).toBe(true);
  });

  it('a head whose token TTL removed is replaced without recreating that token', async () => {
    const agb = anAgb();
    const gone = aRecord(agb);
    await store.putTokenRecord(gone);
    await deps.doc.send(new DeleteCommand({ TableName: deps.tableName, Key: tokenKeys.token(gone.hash) }));
    const fresh = aRecord(agb);

    expect(await store.putTokenRecord(fresh)).toEqual({});
    expect(await head(agb)).toBe(fresh.hash);
    expect(await store.getTokenRecord(gone.hash)).toBeUndefined();
  });

  it('more links for one action than one transaction holds: written over rounds, the last one works', async () => {
    const agb = anAgb();
    const records = Array.from({ length: 120 }, () => aRecord(agb));

    const outcomes = await store.putTokenRecords(records);

    expect(outcomes).toHaveLength(120);
    expect(await head(agb)).toBe(records[119].hash);
    const live = await Promise.all(records.map(usable));
    expect(live.filter(Boolean)).toHaveLength(1);
    expect(live[119]).toBe(true);
  });
});
