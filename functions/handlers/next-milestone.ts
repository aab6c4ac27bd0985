/**
 * Lambda task "Load the next milestone": the earliest step of the cycle not
 * done, whether it is due, and until when to wait (at most one day).
 * Thin: the work is in functions/milestones/loop.ts.
 */
import { createNextMilestoneActivity, type DepsSource } from '../milestones/activities.ts';
import { awsLoopDeps } from '../milestones/aws.ts';
import type { LoopDeps } from '../milestones/loop.ts';

export function createNextMilestoneHandler(deps: DepsSource<LoopDeps> = () => awsLoopDeps()) {
  return createNextMilestoneActivity(deps);
}

export const handler = createNextMilestoneHandler();
