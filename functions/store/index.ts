/**
 * The store: every read and write of the single table (./table.ts), as one
 * object built from injected dependencies. No Scan anywhere: each method is a
 * Get, a Query of the table or of one index, or a (transactional) write.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../commons/clock.ts';
import { applicationRepository } from './applications.ts';
import { cycleAuditRepository } from './audit.ts';
import { cycleRepository } from './cycles.ts';
import { documentClient, type StoreDeps } from './dynamo.ts';
import { messageRepository } from './messages.ts';
import { providerRepository } from './providers.ts';
import { questionRepository } from './questions.ts';
import { reachabilityRepository } from './reachability.ts';

export interface StoreOptions {
  client: DynamoDBDocumentClient | DynamoDBClient;
  /** No default: a handler names it from its environment, the local runtime and the CLI use DEFAULT_TABLE_NAME. */
  tableName: string;
  clock: Clock;
}

export function createStore(options: StoreOptions) {
  const deps: StoreDeps = { doc: documentClient(options.client), tableName: options.tableName, clock: options.clock };
  const cycles = cycleRepository(deps);
  const providers = providerRepository(deps);
  return {
    tableName: deps.tableName,
    ...cycles,
    ...providers,
    ...applicationRepository(deps, { getSteps: cycles.getSteps, getProvider: providers.getProvider }),
    ...messageRepository(deps),
    ...questionRepository(deps, { getSteps: cycles.getSteps }),
    ...cycleAuditRepository(deps),
    ...reachabilityRepository(deps),
  };
}

export type Store = ReturnType<typeof createStore>;

export type { Page, PageOptions } from './dynamo.ts';
export type { CreateApplicationInput, GivenContext, TransitionInput } from './applications.ts';
export type { StepUpdate } from './cycles.ts';
export type { PutOutcome } from './providers.ts';
export { DEFAULT_CLAIM_LEASE_MS } from './messages.ts';
export type { TransactItem } from './dynamo.ts';
export { enqueueMessageItem } from './messages.ts';
