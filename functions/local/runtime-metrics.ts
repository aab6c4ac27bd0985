/**
 * What the local runtime counts while it runs, for the rehearsal report and the
 * benchmark: DynamoDB operations (an SDK middleware on the runtime's one client,
 * so every caller is counted: the workflow's handlers, the provider pages, the
 * operator tools, the simulated purchasers), Lambda invocations and Step
 * Functions state transitions (from the executions' events).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
  readonly dynamodb: DynamoDbCounts = { operations: {}, requests: 0, itemsWritten: 0, itemsRead: 0, actionsByFunction: {} };
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
        counts.itemsWritten += itemsWritten(operation, (args as { input?: unknown }).input);
        const fn = currentFunction();
        if (fn) {
          const used = actions.get(fn) ?? new Set<string>();
          actions.set(fn, used);
          for (const action of iamActionsOf(operation, (args as { input?: unknown }).input)) used.add(action);
        }
        const result = await next(args);
        const read = itemsRead(operation, (result as { output?: unknown }).output);
        counts.itemsRead += read;
        if (callers && read) callers[`READ ${callerKey}`] = (callers[`READ ${callerKey}`] ?? 0) + read;
        return result;
      },
      { step: 'initialize', name: 'inkoopRuntimeMetrics', override: true },
    );
  }
}

type AnyRecord = Record<string, unknown>;

function itemsWritten(operation: string, input: unknown): number {
  const i = (input ?? {}) as AnyRecord;
  switch (operation) {
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem':
      return 1;
    case 'BatchWriteItem':
      return Object.values((i.RequestItems ?? {}) as Record<string, unknown[]>).reduce((n, list) => n + list.length, 0);
    case 'TransactWriteItems':
      return ((i.TransactItems ?? []) as AnyRecord[]).filter((t) => !t.ConditionCheck).length;
    default:
      return 0;
  }
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
