/**
 * Link token records (functions/links/model.ts): only the SHA-256 hash of a
 * token is a key here, never the token itself.
 *
 * Supersession without a Scan: per (cycle, provider, action) a small head item
 * names the newest token. Issuing writes, in one transaction, the new record,
 * the head (conditioned on the head it read) and `supersededBy` on the token the
 * head named before. Each record superseded its predecessor when it was issued,
 * so every older link for that action is dead once a new one exists.
 *
 * Using a single-use token is a conditional update that other writes (the
 * application transition, its event, its email) join in one transaction:
 * `consumeTokenItem` builds it.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../commons/errors.ts';
import { isSingleUse, supersessionKey, tokenRecordSchema, type TokenRecord } from '../links/model.ts';
import { cancellationCodes, clean, lostRace, type StoreDeps, type TransactItem } from './dynamo.ts';
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

function parseToken(item: Record<string, unknown>): TokenRecord {
  const { pk: _pk, sk: _sk, expiresAt: _ttl, linkExpiresAt, ...rest } = item;
  return tokenRecordSchema.parse({ ...rest, expiresAt: linkExpiresAt });
}

/** Concurrent issues for one action are rare (a reminder and a resend at once); each round one of them wins. */
const MAX_ISSUE_ATTEMPTS = 10;
const jitter = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));

export function tokenRepository(deps: StoreDeps) {
  const { doc, tableName: TableName } = deps;

  async function getTokenRecord(hash: string): Promise<TokenRecord | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: tokenKeys.token(hash), ConsistentRead: true }));
    return out.Item ? parseToken(out.Item) : undefined;
  }

  async function currentHead(record: TokenRecord): Promise<string | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: tokenKeys.head(record), ConsistentRead: true }));
    return out.Item?.hash as string | undefined;
  }

  return {
    getTokenRecord,

    /**
     * Stores a freshly issued token record and supersedes the older link(s) for
     * the same cycle, provider and action, in one transaction. Two issues for
     * the same action at once: the loser re-reads the head and tries again.
     */
    async putTokenRecord(record: TokenRecord): Promise<{ superseded?: string }> {
      const parsed = tokenRecordSchema.parse(record);
      for (let attempt = 1; ; attempt++) {
        const previous = await currentHead(parsed);
        const items: TransactItem[] = [
          { Put: { TableName, Item: tokenItem(parsed), ConditionExpression: 'attribute_not_exists(pk)' } },
          {
            Put: {
              TableName,
              Item: { ...tokenKeys.head(parsed), hash: parsed.hash, issuedAt: parsed.issuedAt },
              ...(previous
                ? { ConditionExpression: '#hash = :previous', ExpressionAttributeNames: { '#hash': 'hash' }, ExpressionAttributeValues: { ':previous': previous } }
                : { ConditionExpression: 'attribute_not_exists(pk)' }),
            },
          },
        ];
        if (previous && previous !== parsed.hash) {
          // attribute_exists: an update must not recreate, as a stub, a record that TTL removed.
          items.push({
            Update: {
              TableName,
              Key: tokenKeys.token(previous),
              UpdateExpression: 'SET supersededBy = if_not_exists(supersededBy, :newer)',
              ConditionExpression: 'attribute_exists(pk)',
              ExpressionAttributeValues: { ':newer': parsed.hash },
            },
          });
        }
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: items }));
          return { superseded: previous };
        } catch (error) {
          const codes = cancellationCodes(error);
          // The previous token is gone (TTL): its head is stale, replace it without superseding.
          if (codes?.[2] === 'ConditionalCheckFailed' && codes[0] === 'None' && codes[1] === 'None') {
            await dropStaleHead(parsed, previous!);
            continue;
          }
          if (!lostRace(codes) || attempt >= MAX_ISSUE_ATTEMPTS) {
            if (lostRace(codes)) throw new ConflictError('link issued concurrently for the same action; try again');
            throw error;
          }
          await jitter(attempt);
        }
      }
    },
  };

  async function dropStaleHead(record: TokenRecord, previous: string): Promise<void> {
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName,
                Key: tokenKeys.head(record),
                ConditionExpression: '#hash = :previous',
                ExpressionAttributeNames: { '#hash': 'hash' },
                ExpressionAttributeValues: { ':previous': previous },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (!lostRace(cancellationCodes(error))) throw error;
    }
  }
}

/**
 * The conditional update that uses a token, for a caller's transaction. It
 * fails (and so cancels the transaction) when the record is unknown,
 * superseded, expired at `now`, or, for single-use actions, used already.
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
        'linkExpiresAt >= :now',
        ...(singleUse ? ['attribute_not_exists(usedAt)'] : []),
      ].join(' AND '),
      ExpressionAttributeValues: { ':now': now },
    },
  };
}
