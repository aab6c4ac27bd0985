/**
 * Lambda task "Mark the milestone as running / done / failed". A failed step
 * keeps its cause and fails the cycle; the execution then fails (alarm).
 * Thin: the work is in functions/milestones/loop.ts.
 */
import type { z } from 'zod';
import type { DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
import { createRecordMilestoneActivity } from '../milestones/activities.ts';
import { awsLoopDeps } from '../milestones/aws.ts';
import type { LoopDeps } from '../milestones/loop.ts';

export const recordMilestoneEnv = envSchema({ TABLE_NAME: envValue.text });
export type RecordMilestoneEnv = z.infer<typeof recordMilestoneEnv>;

export const awsRecordMilestoneDeps = (env: RecordMilestoneEnv): LoopDeps => awsLoopDeps({ tableName: env.TABLE_NAME });

export function createRecordMilestoneHandler(deps: DepsSource<LoopDeps> = () => awsRecordMilestoneDeps(readEnv(recordMilestoneEnv))) {
  return createRecordMilestoneActivity(deps);
}

export const handler = createRecordMilestoneHandler();
