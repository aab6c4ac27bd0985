/** Small DynamoDB helpers shared by the repositories. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../commons/clock.ts';
import { ValidationError } from '../commons/errors.ts';
import { DOCUMENT_MARSHALL_OPTIONS } from '../commons/marshalling.ts';

export interface StoreDeps {
  doc: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
}

export function documentClient(client: DynamoDBDocumentClient | DynamoDBClient): DynamoDBDocumentClient {
  if (client instanceof DynamoDBDocumentClient) return client;
  return DynamoDBDocumentClient.from(client, { marshallOptions: DOCUMENT_MARSHALL_OPTIONS });
}

/** One write of a TransactWriteItems (document-client shape). */
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Drops undefined values, so items are the same whatever client options a caller passed. */
export const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export const errorName = (error: unknown): string | undefined => (error as { name?: string } | null)?.name;

export const isConditionFailed = (error: unknown): boolean => errorName(error) === 'ConditionalCheckFailedException';

/** Cancellation codes of a TransactWriteItems, in request order; undefined when it was not cancelled. */
export function cancellationCodes(error: unknown): string[] | undefined {
  if (errorName(error) !== 'TransactionCanceledException') return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/** A concurrent writer won: a failed condition or a transaction conflict. */
export const lostRace = (codes: string[] | undefined): boolean =>
  !!codes?.some((c) => c === 'ConditionalCheckFailed' || c === 'TransactionConflict');

// ---------------------------------------------------------------- pages

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. null: no more pages. */
  cursor: string | null;
}

export interface PageOptions {
  limit?: number;
  cursor?: string | null;
}

export const encodeCursor = (key: Record<string, unknown> | undefined): string | null =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : null;

export function decodeCursor(cursor: string | null | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new ValidationError('Invalid page cursor', [{ path: 'cursor', message: 'not a cursor returned by this store' }]);
}

/** One page of a Query. */
export async function queryPage<T>(
  deps: StoreDeps,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => T,
  page: PageOptions = {},
): Promise<Page<T>> {
  const out = await deps.doc.send(
    new QueryCommand({
      ...input,
      TableName: deps.tableName,
      Limit: page.limit,
      ExclusiveStartKey: decodeCursor(page.cursor),
    }),
  );
  return { items: (out.Items ?? []).map(parse), cursor: encodeCursor(out.LastEvaluatedKey) };
}

/** Every item of a Query, following pages (for small partitions: steps, events, a provider's history). */
export async function queryAll<T>(
  deps: StoreDeps,
  input: Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => T,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await queryPage(deps, input, parse, { cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** A batch's keys DynamoDB keeps leaving unprocessed (throttling) are asked again this many times at most. */
const BATCH_GET_ATTEMPTS = 8;

/**
 * Strongly consistent reads of many keys: BatchGetItem, 100 keys a request,
 * keys left unprocessed asked again with backoff. Missing items are simply not
 * in the result; the order is DynamoDB's, not the keys'.
 */
export async function batchGetItems(deps: StoreDeps, wanted: readonly Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const { doc, tableName: TableName } = deps;
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < wanted.length; i += 100) {
    let pending: Record<string, unknown>[] = wanted.slice(i, i + 100);
    for (let attempt = 0; pending.length; attempt++) {
      if (attempt >= BATCH_GET_ATTEMPTS) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const out = await doc.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: pending, ConsistentRead: true } } }));
      found.push(...(out.Responses?.[TableName] ?? []));
      pending = out.UnprocessedKeys?.[TableName]?.Keys ?? [];
    }
  }
  return found;
}

/** Maps with at most `limit` promises in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
