/**
 * Lambda task "Load the next milestone": the earliest step of the cycle not
 * done, whether it is due, and until when to wait (at most one day).
 * Thin: the work is in functions/milestones/loop.ts.
 */
import type { z } from 'zod';
import type { DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
import { createNextMilestoneActivity } from '../milestones/activities.ts';
import { awsLoopDeps } from '../milestones/aws.ts';
import type { LoopDeps } from '../milestones/loop.ts';

export const nextMilestoneEnv = envSchema({ TABLE_NAME: envValue.text });
export type NextMilestoneEnv = z.infer<typeof nextMilestoneEnv>;

export const awsNextMilestoneDeps = (env: NextMilestoneEnv): LoopDeps => awsLoopDeps({ tableName: env.TABLE_NAME });

export function createNextMilestoneHandler(deps: DepsSource<LoopDeps> = () => awsNextMilestoneDeps(readEnv(nextMilestoneEnv))) {
  return createNextMilestoneActivity(deps);
}

export const handler = createNextMilestoneHandler();
