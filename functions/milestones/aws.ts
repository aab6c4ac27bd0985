/**
 * The milestone tasks' dependencies in AWS: the AWS clients (created once per
 * container, functions/commons/clients.ts) over the values the handlers read
 * from their environment (functions/handlers/*-milestone.ts).
 */
import { baseConfig, getDocumentClient, getS3Client } from '../commons/clients.ts';
import { systemClock } from '../commons/clock.ts';
import { lambdaMetrics } from '../commons/metrics.ts';
import { createS3PublicationStore } from '../publication/store.ts';
import { createStore } from '../store/index.ts';
import type { MilestoneConfig } from './config.ts';
import type { MilestoneDeps } from './context.ts';
import type { LoopDeps } from './loop.ts';

export function awsLoopDeps(options: { tableName: string }): LoopDeps {
  return { store: createStore({ client: getDocumentClient(), tableName: options.tableName, clock: systemClock }), clock: systemClock };
}

export function awsMilestoneDeps(options: {
  tableName: string;
  config: MilestoneConfig;
  /** The publications bucket and the public URL the website serves it under. */
  publications: { bucket: string; baseUrl: string };
}): MilestoneDeps {
  const publications = createS3PublicationStore({ client: getS3Client(), region: baseConfig('s3').region, ...options.publications });
  return { ...awsLoopDeps(options), config: options.config, publications, metrics: lambdaMetrics() };
}
