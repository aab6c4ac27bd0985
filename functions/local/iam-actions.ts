/**
 * Which IAM actions each function's DynamoDB requests need, as the local
 * runtime sees them run: every handler invocation and every request to the
 * provider pages or the operator API runs "as" its function (AsyncLocalStorage),
 * and the runtime's metrics middleware records the actions each request needs.
 * The end-to-end rehearsals compare them with infra/permissions.ts, so a new
 * call that the deployed role would refuse (AccessDenied only in AWS) fails a
 * test here instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { FUNCTIONS, type FunctionKey } from '../../infra/functions.ts';
import { FUNCTION_GRANTS } from '../../infra/permissions.ts';
import { INDEXES } from '../store/table.ts';

const running = new AsyncLocalStorage<FunctionKey>();

/** Runs `work` as the deployed function `key` (its DynamoDB requests are attributed to it). */
export function asFunction<T>(key: FunctionKey, work: () => T): T {
  return running.run(key, work);
}

/** The function the current request runs as; undefined for the operator's own tools and the simulation. */
export const currentFunction = (): FunctionKey | undefined => running.getStore();

/** The function that bundles a handler module (`functions/handlers/…`). */
export function functionOfEntry(entry: string): FunctionKey | undefined {
  return (Object.keys(FUNCTIONS) as FunctionKey[]).find((key) => FUNCTIONS[key].entry === entry);
}

type AnyRecord = Record<string, unknown>;

/**
 * The IAM actions one request needs, as `dynamodb:<Action>` (on the table) or
 * `dynamodb:Query index/<name>`. A transaction is authorised per part.
 */
export function iamActionsOf(operation: string, input: unknown): string[] {
  const i = (input ?? {}) as AnyRecord;
  switch (operation) {
    case 'Query':
    case 'Scan':
      return [i.IndexName ? `dynamodb:${operation} index/${String(i.IndexName)}` : `dynamodb:${operation}`];
    case 'TransactWriteItems':
      return ((i.TransactItems ?? []) as AnyRecord[]).map((part) => {
        if (part.Put) return 'dynamodb:PutItem';
        if (part.Update) return 'dynamodb:UpdateItem';
        if (part.Delete) return 'dynamodb:DeleteItem';
        return 'dynamodb:ConditionCheckItem';
      });
    case 'TransactGetItems':
      return ['dynamodb:GetItem'];
    default:
      return [`dynamodb:${operation}`];
  }
}

/** The actions infra/permissions.ts grants a function, in the form of `iamActionsOf`. */
export function grantedActions(key: FunctionKey): Set<string> {
  const grants = FUNCTION_GRANTS[key] as { table: readonly string[]; indexes?: readonly (keyof typeof INDEXES)[] };
  return new Set([
    ...grants.table.map((action) => `dynamodb:${action}`),
    ...(grants.indexes ?? []).map((index) => `dynamodb:Query index/${INDEXES[index].name}`),
  ]);
}
