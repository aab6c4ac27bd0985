/**
 * Link token records (functions/domain/tokens.ts): only the SHA-256 hash of a
 * token is a key here, never the token itself.
 *
 * Supersession without a Scan: per (cycle, provider, action) a small head item
 * names the newest token. Issuing writes, in one transaction, the new record,
 * the head (conditioned on the head it read) and `supersededBy` on the token the
 * head named before. Each record superseded its predecessor when it was issued,
 * so every older link for that action is dead once a new one exists. Links are
 * issued in batches (`issueTokenRecords`), with the caller's writes that must go
 * with them: the email sender claims a message and issues its link atomically.
 *
 * Using a single-use token is a conditional update that other writes (the
 * application transition, its event, its email) join in one transaction:
 * `consumeTokenItem` builds it.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../commons/errors.ts';
import { isSingleUse, supersessionKey, tokenRecordSchema, type TokenRecord } from '../domain/tokens.ts';
import { batchGetItems, cancellationCodes, clean, mapLimit, type StoreDeps, type TransactItem } from './dynamo.ts';
import type { Key } from './keys.ts';

export const tokenKeys = {
  token: (hash: string): Key => ({ pk: `TOKEN#${hash}`, sk: 'TOKEN' }),
  head: (record: Pick<TokenRecord, 'cycleId' | 'agb' | 'action'>): Key => ({ pk: `LINKHEAD#${supersessionKey(record)}`, sk: 'LINKHEAD' }),
};

/**
 * The table's TTL attribute (`expiresAt`, epoch seconds) removes a record this
 * long after its link expired; the link's own expiry (epoch ms) is kept as
 * `linkExpiresAt`. A removed record still reads as expired: the token carries
 * its signed expiry (functions/links/resolve.ts).
 */
export const TOKEN_RETENTION_MS = 90 * 24 * 3600_000;

function tokenItem(record: TokenRecord): Record<string, unknown> {
  const { expiresAt, ...rest } = record;
  return clean({
    ...rest,
    ...tokenKeys.token(record.hash),
    linkExpiresAt: expiresAt,
    expiresAt: Math.ceil((expiresAt + TOKEN_RETENTION_MS) / 1000),
  });
}

/** A token item as this module writes it: the link's expiry is `linkExpiresAt`, `expiresAt` is the table's TTL. */
export function parseToken(item: Record<string, unknown>): TokenRecord {
  const { pk: _pk, sk: _sk, expiresAt: _ttl, linkExpiresAt, ...rest } = item;
  return tokenRecordSchema.parse({ ...rest, expiresAt: linkExpiresAt });
}

/** Concurrent issues for one action are rare (a reminder and a resend at once); each round one of them wins. */
const MAX_ISSUE_ATTEMPTS = 10;
/** From this round on each head's writes go in a transaction of their own, so one contended head cannot hold up the rest. */
const ISOLATE_FROM_ROUND = 4;
const MAX_TRANSACT_ITEMS = 100;
const PARALLEL_TRANSACTIONS = 4;
const jitter = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));

/**
 * A link to issue in a batch (`issueTokenRecords`), with the caller's writes
 * that must happen if and only if it is issued: the sender's claim of the
 * message that carries the link. Without a record, just those writes.
 */
export interface IssueEntry {
  record?: TokenRecord;
  with?: TransactItem[];
}

export type IssueOutcome =
  /** Written; `superseded` is the token the head named before (none for a first link or one chained in the same batch). */
  | { status: 'issued'; superseded?: string }
  /** One of the entry's own `with` conditions failed: nothing of it was written. */
  | { status: 'refused' }
  /** Concurrent issues for its action outlasted the retries: nothing was written. */
  | { status: 'busy' }
  /** The store failed (not a condition): nothing of it was written, as far as we know. */
  | { status: 'error'; error: unknown };

type Owner =
  | { kind: 'with'; entry: number }
  | { kind: 'token'; entry: number }
  | { kind: 'head'; head: string }
  | { kind: 'supersede'; head: string };

/** The entries of one round that share a head (or one entry without a link), written in one transaction. */
interface Group {
  head?: string;
  members: number[];
}

/**
 * Issues token records, and writes each entry's own items with its record, in
 * as few requests as the semantics allow: one consistent BatchGetItem of the
 * heads, then TransactWriteItems of up to 100 items, each holding whole heads.
 * Per head it writes what `putTokenRecord` writes for one link: the record,
 * the head conditioned on the hash it read, `supersededBy` on the token the
 * head named. Entries of one batch that share a head are chained: the last one
 * (the newest) becomes the head and the others are written already superseded
 * by it, since one transaction cannot write an item twice.
 *
 * A cancelled transaction names the items that failed: an entry whose own item
 * failed is refused; a head that moved is read again; a head whose token TTL
 * removed is replaced without superseding; the rest is tried again.
 */
export async function issueTokenRecords(deps: StoreDeps, entries: readonly IssueEntry[]): Promise<IssueOutcome[]> {
  const { doc, tableName: TableName } = deps;
  const records = entries.map((e) => (e.record ? tokenRecordSchema.parse(e.record) : undefined));
  const headOf = (i: number): string | undefined => (records[i] ? supersessionKey(records[i]) : undefined);
  const outcomes: (IssueOutcome | undefined)[] = entries.map(() => undefined);
  /** Hash each head names (null: no head); absent: to be read. */
  const heads = new Map<string, string | null>();
  /** Heads whose token is gone (TTL): replaced without superseding it. */
  const stale = new Set<string>();
  let pending = entries.map((_, i) => i);

  for (let round = 1; pending.length; round++) {
    if (round > MAX_ISSUE_ATTEMPTS) {
      for (const i of pending) outcomes[i] = { status: 'busy' };
      break;
    }
    const unread = new Map<string, TokenRecord>();
    for (const i of pending) {
      const head = headOf(i);
      if (head && !heads.has(head)) unread.set(head, records[i]!);
    }
    try {
      await readHeads([...unread.values()], heads);
    } catch (error) {
      for (const i of pending) outcomes[i] = { status: 'error', error };
      break;
    }

    const { transactions, deferred } = pack(group(pending), round);
    const retry: number[] = [...deferred];
    let contended = false;
    await mapLimit(transactions, PARALLEL_TRANSACTIONS, async (groups) => {
      const items: TransactItem[] = [];
      const owners: Owner[] = [];
      const previousOf = new Map<string, string | undefined>();
      for (const g of groups) {
        const winner = g.head ? records[g.members[g.members.length - 1]]! : undefined;
        for (const i of g.members) {
          for (const item of entries[i].with ?? []) {
            items.push(item);
            owners.push({ kind: 'with', entry: i });
          }
          const record = records[i];
          if (!record) continue;
          const chained = winner && winner.hash !== record.hash ? { ...record, supersededBy: winner.hash } : record;
          items.push({ Put: { TableName, Item: tokenItem(chained), ConditionExpression: 'attribute_not_exists(pk)' } });
          owners.push({ kind: 'token', entry: i });
        }
        if (!g.head || !winner) continue;
        const previous = heads.get(g.head) ?? undefined;
        items.push({
          Put: {
            TableName,
            Item: { ...tokenKeys.head(winner), hash: winner.hash, issuedAt: winner.issuedAt },
            ...(previous
              ? { ConditionExpression: '#hash = :previous', ExpressionAttributeNames: { '#hash': 'hash' }, ExpressionAttributeValues: { ':previous': previous } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        });
        owners.push({ kind: 'head', head: g.head });
        if (previous && !stale.has(g.head)) {
          previousOf.set(g.head, previous);
          // attribute_exists: an update must not recreate, as a stub, a record that TTL removed.
          items.push({
            Update: {
              TableName,
              Key: tokenKeys.token(previous),
              UpdateExpression: 'SET supersededBy = if_not_exists(supersededBy, :newer)',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':newer': winner.hash },
            },
          });
          owners.push({ kind: 'supersede', head: g.head });
        }
      }
      const members = groups.flatMap((g) => g.members);
      try {
        // The token makes the SDK's own retry idempotent: a write whose answer was lost is not refused by its own conditions.
        await doc.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: randomUUID() }));
      } catch (error) {
        const codes = cancellationCodes(error);
        if (!codes) {
          for (const i of members) outcomes[i] = { status: 'error', error };
          return;
        }
        const refused = new Set<number>();
        const headFailed = new Set<string>();
        codes.forEach((code, at) => {
          if (code === 'None') return;
          const owner = owners[at];
          if (code !== 'ConditionalCheckFailed') contended = true;
          else if (owner.kind === 'with') refused.add(owner.entry);
          else if (owner.kind === 'token') outcomes[owner.entry] = { status: 'busy' }; // a hash taken: cannot happen with a fresh nonce
          else if (owner.kind === 'head') headFailed.add(owner.head);
        });
        codes.forEach((code, at) => {
          const owner = owners[at];
          if (code !== 'ConditionalCheckFailed') return;
          if (owner.kind === 'head') heads.delete(owner.head); // it moved: read it again
          if (owner.kind === 'supersede' && !headFailed.has(owner.head)) stale.add(owner.head);
        });
        if (headFailed.size) contended = true;
        for (const i of members) {
          if (refused.has(i)) outcomes[i] = { status: 'refused' };
          else if (!outcomes[i]) retry.push(i);
        }
        return;
      }
      for (const g of groups) {
        const winner = g.head ? records[g.members[g.members.length - 1]]! : undefined;
        if (g.head && winner) {
          heads.set(g.head, winner.hash);
          stale.delete(g.head);
        }
        for (const i of g.members) {
          const superseded = g.head && records[i] === winner ? previousOf.get(g.head) : undefined;
          outcomes[i] = { status: 'issued', ...(superseded ? { superseded } : {}) };
        }
      }
    });
    pending = retry.sort((a, b) => a - b);
    if (pending.length && contended) await jitter(round);
  }
  return outcomes.map((o) => o ?? { status: 'busy' });

  /** Entries by head, in entry order (the last of a head is its newest); an entry without a link is a group of its own. */
  function group(indices: number[]): Group[] {
    const groups: Group[] = [];
    const byHead = new Map<string, Group>();
    for (const i of indices) {
      const head = headOf(i);
      if (!head) {
        groups.push({ members: [i] });
        continue;
      }
      let g = byHead.get(head);
      if (!g) {
        g = { head, members: [] };
        byHead.set(head, g);
        groups.push(g);
      }
      g.members.push(i);
    }
    return groups;
  }

  function size(g: Group): number {
    // The head, and the update that supersedes the token it names.
    let n = g.head ? (heads.get(g.head) && !stale.has(g.head) ? 2 : 1) : 0;
    for (const i of g.members) n += (entries[i].with?.length ?? 0) + (records[i] ? 1 : 0);
    return n;
  }

  /** Whole groups into transactions of at most 100 items; a group too big for one waits (in part) for the next round. */
  function pack(groups: Group[], round: number): { transactions: Group[][]; deferred: number[] } {
    const transactions: Group[][] = [];
    const deferred: number[] = [];
    let current: Group[] = [];
    let used = 0;
    for (let g of groups) {
      while (size(g) > MAX_TRANSACT_ITEMS && g.members.length > 1) {
        deferred.push(g.members[g.members.length - 1]);
        g = { ...g, members: g.members.slice(0, -1) };
      }
      const n = size(g);
      if (current.length && (used + n > MAX_TRANSACT_ITEMS || round >= ISOLATE_FROM_ROUND)) {
        transactions.push(current);
        current = [];
        used = 0;
      }
      current.push(g);
      used += n;
    }
    if (current.length) transactions.push(current);
    return { transactions, deferred };
  }

  /** The hash each head names, by consistent BatchGetItem (100 keys a request). */
  async function readHeads(of: TokenRecord[], into: Map<string, string | null>): Promise<void> {
    for (const r of of) into.set(supersessionKey(r), null);
    for (const item of await batchGetItems(deps, of.map((r) => tokenKeys.head(r)))) {
      into.set(String(item.pk).slice('LINKHEAD#'.length), item.hash as string);
    }
  }
}

export function tokenRepository(deps: StoreDeps) {
  const { doc, tableName: TableName } = deps;

  async function getTokenRecord(hash: string): Promise<TokenRecord | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: tokenKeys.token(hash), ConsistentRead: true }));
    return out.Item ? parseToken(out.Item) : undefined;
  }

  return {
    getTokenRecord,

    /**
     * Stores a freshly issued token record and supersedes the older link(s) for
     * the same cycle, provider and action, in one transaction. Two issues for
     * the same action at once: the loser re-reads the head and tries again.
     */
    async putTokenRecord(record: TokenRecord): Promise<{ superseded?: string }> {
      const [outcome] = await issueTokenRecords(deps, [{ record }]);
      return settled(outcome);
    },

    /**
     * Stores several freshly issued records (`issueTokenRecords`): one read of
     * the heads and a transaction per up to 100 items. Records for the same
     * action: the last one given is the one that works.
     */
    async putTokenRecords(records: readonly TokenRecord[]): Promise<{ superseded?: string }[]> {
      const outcomes = await issueTokenRecords(deps, records.map((record) => ({ record })));
      return outcomes.map(settled);
    },
  };
}

function settled(outcome: IssueOutcome): { superseded?: string } {
  switch (outcome.status) {
    case 'issued':
      return outcome.superseded ? { superseded: outcome.superseded } : {};
    case 'error':
      throw outcome.error;
    default:
      throw new ConflictError('link issued concurrently for the same action; try again');
  }
}

/**
 * The conditional update that uses a token, for a caller's transaction. It
 * fails (and so cancels the transaction) when the record is unknown,
 * superseded, or, for single-use actions, used already. Expiry is the caller's
 * check, against the live deadline it read in the same request (an amendment
 * may have moved it since the link was issued: functions/links/resolve.ts).
 */
export function consumeTokenItem(tableName: string, record: Pick<TokenRecord, 'hash' | 'action'>, now: number): TransactItem {
  const singleUse = isSingleUse(record.action);
  return {
    Update: {
      TableName: tableName,
      Key: tokenKeys.token(record.hash),
      UpdateExpression: singleUse ? 'SET usedAt = :now' : 'SET usedAt = if_not_exists(usedAt, :now)',
      ConditionExpression: [
        'attribute_exists(pk)',
        'attribute_not_exists(supersededBy)',
        ...(singleUse ? ['attribute_not_exists(usedAt)'] : []),
      ].join(' AND '),
      ExpressionAttributeValues: { ':now': now },
    },
  };
}
