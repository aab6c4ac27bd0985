/**
 * vitest globalSetup of the integration project: one DynamoDB Local per
 * worker, started once for the whole run instead of a JVM per test file (a JVM
 * start costs seconds, many more on a loaded machine). A test file reaches
 * its worker's instance through useDynamoDbLocal() (test/support/dynamodb.ts),
 * and each test works on fresh tables with random names, so files that share
 * an instance never see each other's items.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../functions/local/dynamodb-local.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local endpoints, one per worker (index VITEST_POOL_ID - 1). */
    dynamoDbEndpoints: string[];
  }
}

export default async function startSharedDynamoDbLocal(project: TestProject): Promise<() => Promise<void>> {
  const configured = project.config.maxWorkers;
  const workers = Math.max(1, typeof configured === 'number' ? configured : 1);
  const started: DynamoDbLocal[] = [];
  try {
    for (const db of await Promise.all(Array.from({ length: workers }, () => startDynamoDbLocal()))) started.push(db);
  } catch (error) {
    await Promise.all(started.map((db) => db.stop()));
    throw error;
  }
  project.provide('dynamoDbEndpoints', started.map((db) => db.endpoint));
  return async () => {
    await Promise.all(started.map((db) => db.stop()));
  };
}
