/**
 * Lambda task "Mark the milestone as running / done / failed". A failed step
 * keeps its cause and fails the cycle; the execution then fails (alarm).
 * Thin: the work is in functions/milestones/loop.ts.
 */
import { createRecordMilestoneActivity, type DepsSource } from '../milestones/activities.ts';
import { awsLoopDeps } from '../milestones/aws.ts';
import type { LoopDeps } from '../milestones/loop.ts';

export function createRecordMilestoneHandler(deps: DepsSource<LoopDeps> = () => awsLoopDeps()) {
  return createRecordMilestoneActivity(deps);
}

export const handler = createRecordMilestoneHandler();
