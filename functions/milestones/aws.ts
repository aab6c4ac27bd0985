/**
 * The milestone tasks' dependencies in AWS, from the function's environment:
 * TABLE_NAME, the run-milestone config (./config.ts: PAGE_SIZE, LINKS_BASE_URL,
 * PURCHASERS_EMAIL, CUSTOMER_COMMUNICATION_EMAIL) and the publications bucket
 * (PUBLICATIONS_BUCKET, optional PUBLICATIONS_BASE_URL). Built on first use and
 * kept for the container's life.
 */
import { getDocumentClient, getS3Client } from '../commons/clients.ts';
import { systemClock } from '../commons/clock.ts';
import { lambdaMetrics } from '../commons/metrics.ts';
import { createS3PublicationStore, missingPublicationStore, type PublicationStore } from '../publication/store.ts';
import { createStore } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';
import { milestoneConfigFromEnv } from './config.ts';
import type { MilestoneDeps } from './context.ts';
import type { LoopDeps } from './loop.ts';

type Env = Record<string, string | undefined>;

export function awsLoopDeps(env: Env = process.env): LoopDeps {
  return { store: createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME || DEFAULT_TABLE_NAME, clock: systemClock }), clock: systemClock };
}

export function publicationStoreFromEnv(env: Env = process.env): PublicationStore {
  const bucket = env.PUBLICATIONS_BUCKET?.trim();
  if (!bucket) return missingPublicationStore('PUBLICATIONS_BUCKET is not set');
  return createS3PublicationStore({
    client: getS3Client(),
    bucket,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'eu-west-1',
    baseUrl: env.PUBLICATIONS_BASE_URL?.trim() || undefined,
  });
}

export function awsMilestoneDeps(env: Env = process.env): MilestoneDeps {
  return { ...awsLoopDeps(env), config: milestoneConfigFromEnv(env), publications: publicationStoreFromEnv(env), metrics: lambdaMetrics() };
}
