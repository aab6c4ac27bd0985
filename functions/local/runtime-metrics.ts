/**
 * What the local runtime counts while it runs, for the rehearsal report and the
 * benchmark: DynamoDB operations (an SDK middleware on the runtime's one client,
 * so every caller is counted: the workflow's handlers, the provider pages, the
 * operator tools, the simulated purchasers), Lambda invocations and Step
 * Functions state transitions (from the executions' events).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { keys } from '../store/keys.ts';
import { currentFunction, iamActionsOf } from './iam-actions.ts';

export interface DynamoDbCounts {
  /** Requests by operation (`PutItem`, `Query`, `TransactWriteItems`, …). */
  operations: Record<string, number>;
  /** All requests. */
  requests: number;
  /** Items written: one per Put/Update/Delete, each item of a batch or transaction (condition checks excluded). */
  itemsWritten: number;
  /** Items returned by reads (Get, BatchGet, Query, TransactGet). */
  itemsRead: number;
  /** Items written by purpose (`writePurpose`): where the writes go. Sums to `itemsWritten`. */
  writtenBy: Record<string, number>;
  /** Items read by purpose (`readPurpose`). Sums to `itemsRead`. */
  readBy: Record<string, number>;
  /** Index entries written (put, moved or removed with their item): the GSI writes AWS bills besides the items. */
  indexWrites: number;
  /**
   * Items by how they were written or read, the shapes scripts/bench-dynamodb.ts
   * measures rates for: the engine floor of a run is these over those rates.
   */
  mix: Record<EngineShape, number>;
  /**
   * On-demand write request units AWS would bill, from the items written (each item
   * taken as at most 1 KB): 1 per item, 2 in a transaction, and the same again for
   * each global secondary index the item is in (projection ALL: every write of an
   * indexed item writes the index; a changed index key writes it twice).
   */
  writeUnits: number;
  /**
   * Read request units, from the items read (each taken as at most 4 KB): an
   * eventually consistent item ½, a strongly consistent one 1, a transactional one 2.
   */
  readUnits: number;
  /**
   * With `INKOOP_TRACE_CALLERS=1`: requests by operation and the repository
   * function and callers that sent them (`UpdateItem claimMessages < sendQueued …`), and
   * the items their reads returned (`READ Query queryPage < …`). A diagnostic for
   * finding round trips to batch and reads to spare; it costs a stack trace per request.
   */
  callers?: Record<string, number>;
  /**
   * The IAM actions the requests of each deployed function needed (./iam-actions.ts),
   * sorted; requests made outside a function (operator tools, the simulation) are not here.
   */
  actionsByFunction: Record<string, string[]>;
}

/** How an item was written or read, as far as DynamoDB Local's cost per item goes. */
export const ENGINE_SHAPES = ['batch-write', 'transact-write', 'single-write', 'batch-read', 'query-read', 'single-read'] as const;
export type EngineShape = (typeof ENGINE_SHAPES)[number];

export interface RuntimeCounts {
  dynamodb: DynamoDbCounts;
  /** Lambda invocations by function (logical name, e.g. `RunMilestoneFunction`). */
  lambda: Record<string, number>;
  /** Real time spent in each function, ms. */
  lambdaMs: Record<string, number>;
  /** Step Functions state transitions (states entered), the unit AWS bills. */
  stateTransitions: number;
}

export class RuntimeMetrics {
  readonly dynamodb: DynamoDbCounts = {
    operations: {},
    requests: 0,
    itemsWritten: 0,
    itemsRead: 0,
    writtenBy: {},
    readBy: {},
    indexWrites: 0,
    mix: Object.fromEntries(ENGINE_SHAPES.map((s) => [s, 0])) as Record<EngineShape, number>,
    writeUnits: 0,
    readUnits: 0,
    actionsByFunction: {},
  };
  private readonly actions = new Map<string, Set<string>>();
  readonly lambda: Record<string, number> = {};
  readonly lambdaMs: Record<string, number> = {};
  stateTransitions = 0;

  countLambda(name: string, ms = 0): void {
    this.lambda[name] = (this.lambda[name] ?? 0) + 1;
    this.lambdaMs[name] = Math.round((this.lambdaMs[name] ?? 0) + ms);
  }

  snapshot(): RuntimeCounts {
    this.dynamodb.actionsByFunction = Object.fromEntries([...this.actions].map(([key, set]) => [key, [...set].sort()]));
    return structuredClone({ dynamodb: this.dynamodb, lambda: this.lambda, lambdaMs: this.lambdaMs, stateTransitions: this.stateTransitions });
  }

  constructor(options: { traceCallers?: boolean } = { traceCallers: process.env.INKOOP_TRACE_CALLERS === '1' }) {
    if (options.traceCallers) this.dynamodb.callers = {};
  }

  /** Counts every request `client` sends from now on. */
  instrument(client: DynamoDBClient): void {
    const counts = this.dynamodb;
    const callers = counts.callers;
    const actions = this.actions;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        counts.operations[operation] = (counts.operations[operation] ?? 0) + 1;
        counts.requests++;
        const callerKey = callers ? countCaller(callers, operation) : '';
        const input = (args as { input?: unknown }).input;
        const written = writtenItems(operation, input);
        counts.itemsWritten += written.length;
        for (const w of written) {
          const purpose = writePurpose(w);
          counts.writtenBy[purpose] = (counts.writtenBy[purpose] ?? 0) + 1;
          counts.indexWrites += itemUnits(w.kind, w.request) - 1;
        }
        if (written.length) counts.mix[writeShape(operation)] += written.length;
        counts.writeUnits += writeUnits(operation, input);
        const fn = currentFunction();
        if (fn) {
          const used = actions.get(fn) ?? new Set<string>();
          actions.set(fn, used);
          for (const action of iamActionsOf(operation, (args as { input?: unknown }).input)) used.add(action);
        }
        const result = await next(args);
        const output = (result as { output?: unknown }).output;
        const read = itemsRead(operation, output);
        counts.itemsRead += read;
        if (read) {
          counts.mix[readShape(operation)] += read;
          const items = readItems(operation, output);
          const page = operation === 'BatchGetItem' && items.some((item) => item.sk === keys.cycle('').sk);
          for (const item of items) {
            const purpose = page ? 'page read' : readPurpose(item);
            counts.readBy[purpose] = (counts.readBy[purpose] ?? 0) + 1;
          }
          // Reads whose items carry no keys (a projection): by operation.
          if (items.length < read) counts.readBy['other read'] = (counts.readBy['other read'] ?? 0) + read - items.length;
        }
        counts.readUnits += read * readUnitsPerItem(operation, input);
        if (callers && read) callers[`READ ${callerKey}`] = (callers[`READ ${callerKey}`] ?? 0) + read;
        return result;
      },
      { step: 'initialize', name: 'inkoopRuntimeMetrics', override: true },
    );
  }
}

type AnyRecord = Record<string, unknown>;

/** One item a write request writes: put, update or delete, with its part of the request. */
interface WrittenItem {
  kind: 'put' | 'update' | 'delete';
  request: AnyRecord;
}

/** The items a request writes (condition checks excluded). */
function writtenItems(operation: string, input: unknown): WrittenItem[] {
  const i = (input ?? {}) as AnyRecord;
  switch (operation) {
    case 'PutItem':
      return [{ kind: 'put', request: i }];
    case 'UpdateItem':
      return [{ kind: 'update', request: i }];
    case 'DeleteItem':
      return [{ kind: 'delete', request: i }];
    case 'BatchWriteItem':
      return Object.values((i.RequestItems ?? {}) as Record<string, AnyRecord[]>)
        .flat()
        .map((r): WrittenItem => (r.PutRequest ? { kind: 'put', request: r.PutRequest as AnyRecord } : { kind: 'delete', request: (r.DeleteRequest ?? {}) as AnyRecord }));
    case 'TransactWriteItems':
      return ((i.TransactItems ?? []) as AnyRecord[]).flatMap((t): WrittenItem[] => {
        if (t.Put) return [{ kind: 'put', request: t.Put as AnyRecord }];
        if (t.Update) return [{ kind: 'update', request: t.Update as AnyRecord }];
        if (t.Delete) return [{ kind: 'delete', request: t.Delete as AnyRecord }];
        return [];
      });
    default:
      return [];
  }
}

function writeShape(operation: string): EngineShape {
  if (operation === 'BatchWriteItem') return 'batch-write';
  if (operation === 'TransactWriteItems') return 'transact-write';
  return 'single-write';
}

function readShape(operation: string): EngineShape {
  if (operation === 'BatchGetItem' || operation === 'TransactGetItems') return 'batch-read';
  if (operation === 'Query' || operation === 'Scan') return 'query-read';
  return 'single-read';
}

/** A key attribute as the document client has it, or as a low-level client sent it (`{ S: … }`). */
const keyString = (value: unknown): unknown => (value && typeof value === 'object' && 'S' in value ? (value as { S: unknown }).S : value);
const startsWith = (value: unknown, prefix: string): boolean => typeof value === 'string' && value.startsWith(prefix);

/** What an item is, by its keys (store/keys.ts, store/table.ts). */
function itemKind(key: AnyRecord): string {
  const pk = keyString(key.pk);
  const sk = keyString(key.sk);
  if (startsWith(pk, keys.message('').pk)) return 'outbox';
  if (startsWith(pk, keys.event('', '', 0).pk.slice(0, 4))) return 'audit';
  if (startsWith(pk, keys.cycle('').pk)) {
    if (startsWith(sk, keys.application('', '').sk)) return 'application';
    if (startsWith(sk, keys.cycleAudit('', 0).sk.slice(0, 6))) return 'audit';
    if (startsWith(sk, keys.step('', '').sk)) return 'step';
    if (startsWith(sk, keys.question('', '').sk)) return 'question';
    return 'cycle';
  }
  if (startsWith(pk, keys.provider('').pk) || startsWith(pk, keys.careTypeMember('', '').pk)) return 'provider';
  return 'other';
}

/**
 * The purpose of a written item: the application's transition and its audit
 * event, the outbox message's put, claim and mark, the link records; the rest
 * by what the item is.
 */
function writePurpose({ kind, request }: WrittenItem): string {
  const what = itemKind(((kind === 'put' ? request.Item : request.Key) ?? {}) as AnyRecord);
  if (what === 'application') return 'transition'; // a create is the first transition (from nothing)
  if (what === 'outbox') {
    if (kind === 'put') return 'outbox put';
    const values = (request.ExpressionAttributeValues ?? {}) as AnyRecord;
    const expression = String(request.UpdateExpression ?? '');
    if (values[':status'] === 'sent') return 'outbox sent';
    if (/#status = :sending/.test(expression)) return 'outbox claim';
    return 'outbox other';
  }
  return what;
}

/** The purpose of a read item outside a page read: what it is. */
function readPurpose(item: AnyRecord): string {
  const what = itemKind(item);
  return what === 'step' ? 'step read' : `${what} read`;
}

/** The items a read returned, with their keys. */
function readItems(operation: string, output: unknown): AnyRecord[] {
  const o = (output ?? {}) as AnyRecord;
  switch (operation) {
    case 'GetItem':
      return o.Item ? [o.Item as AnyRecord] : [];
    case 'Query':
    case 'Scan':
      return (o.Items ?? []) as AnyRecord[];
    case 'BatchGetItem':
      return Object.values((o.Responses ?? {}) as Record<string, AnyRecord[]>).flat();
    case 'TransactGetItems':
      return ((o.Responses ?? []) as AnyRecord[]).filter((r) => r.Item).map((r) => r.Item as AnyRecord);
    default:
      return [];
  }
}

/** Which items live in which indexes (infra: store/table.ts), by their keys. */
const INDEXED: { matches: (key: AnyRecord) => boolean; indexes: number }[] = [
  { matches: (k) => typeof k.sk === 'string' && k.sk.startsWith(keys.application('', '').sk), indexes: 2 }, // gsi1 state, gsi2 provider
  { matches: (k) => typeof k.pk === 'string' && k.pk.startsWith(keys.message('').pk), indexes: 2 }, // gsi2 provider, gsi3 status
  { matches: (k) => typeof k.sk === 'string' && k.sk.startsWith(keys.question('', '').sk), indexes: 1 }, // gsi2
  { matches: (k) => k.sk === keys.provider('').sk, indexes: 1 }, // gsi1 provider list
  { matches: (k) => k.sk === keys.cycle('').sk, indexes: 1 }, // gsi1 cycle list
];
const INDEX_KEY = /\b(gsi\d)pk\b/g;

function indexesOfKey(key: unknown): number {
  const k = (key ?? {}) as AnyRecord;
  return INDEXED.find((i) => i.matches(k))?.indexes ?? 0;
}

/** Units of one written item: the table, then each index; a SET of an index key moves the item in that index (2). */
function itemUnits(kind: 'put' | 'update' | 'delete', request: AnyRecord): number {
  if (kind === 'put') {
    const item = (request.Item ?? {}) as AnyRecord;
    return 1 + Object.keys(item).filter((a) => /^gsi\d+pk$/.test(a)).length;
  }
  const indexes = indexesOfKey(request.Key);
  if (kind === 'delete') return 1 + indexes;
  const names = (request.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const expression = String(request.UpdateExpression ?? '').replace(/#\w+/g, (n) => names[n] ?? n);
  const moved = new Set([...expression.matchAll(INDEX_KEY)].map((m) => m[1])).size;
  return 1 + indexes + moved;
}

function writeUnits(operation: string, input: unknown): number {
  const i = (input ?? {}) as AnyRecord;
  switch (operation) {
    case 'PutItem':
      return itemUnits('put', i);
    case 'UpdateItem':
      return itemUnits('update', i);
    case 'DeleteItem':
      return itemUnits('delete', i);
    case 'BatchWriteItem':
      return Object.values((i.RequestItems ?? {}) as Record<string, AnyRecord[]>)
        .flat()
        .reduce((n, r) => n + (r.PutRequest ? itemUnits('put', r.PutRequest as AnyRecord) : itemUnits('delete', (r.DeleteRequest ?? {}) as AnyRecord)), 0);
    case 'TransactWriteItems':
      // Transactional writes cost twice (the prepare and the commit); a ConditionCheck is a read.
      return ((i.TransactItems ?? []) as AnyRecord[]).reduce((n, t) => {
        if (t.Put) return n + 2 * itemUnits('put', t.Put as AnyRecord);
        if (t.Update) return n + 2 * itemUnits('update', t.Update as AnyRecord);
        if (t.Delete) return n + 2 * itemUnits('delete', t.Delete as AnyRecord);
        return n;
      }, 0);
    default:
      return 0;
  }
}

function readUnitsPerItem(operation: string, input: unknown): number {
  if (operation === 'TransactGetItems') return 2;
  const i = (input ?? {}) as AnyRecord;
  if (operation === 'BatchGetItem') {
    const first = Object.values((i.RequestItems ?? {}) as Record<string, AnyRecord>)[0];
    return first?.ConsistentRead ? 1 : 0.5;
  }
  return i.ConsistentRead ? 1 : 0.5;
}

function itemsRead(operation: string, output: unknown): number {
  const o = (output ?? {}) as AnyRecord;
  switch (operation) {
    case 'GetItem':
      return o.Item ? 1 : 0;
    case 'Query':
    case 'Scan':
      return typeof o.Count === 'number' ? o.Count : 0;
    case 'BatchGetItem':
      return Object.values((o.Responses ?? {}) as Record<string, unknown[]>).reduce((n, list) => n + list.length, 0);
    case 'TransactGetItems':
      return ((o.Responses ?? []) as AnyRecord[]).filter((r) => r.Item).length;
    default:
      return 0;
  }
}

/** The first frames of this project's code under the SDK call, without line numbers' columns. */
function countCaller(callers: Record<string, number>, operation: string): string {
  const frames = (new Error().stack ?? '')
    .split('\n')
    .filter((line) => line.includes('/functions/') && !line.includes('runtime-metrics'))
    .slice(0, 4)
    .map((line) => line.trim().replace(/^at (async )?/, '').replace(/\(.*\/functions\//, '(').replace(/:\d+\)$/, ')'));
  const key = `${operation} ${frames.join(' < ')}`;
  callers[key] = (callers[key] ?? 0) + 1;
  return key;
}
