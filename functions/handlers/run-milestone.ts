/**
 * Lambda task "Run the milestone for the next page of applications": at most
 * PAGE_SIZE applications per call, an opaque cursor to continue from.
 * Thin: the work is in functions/milestones (plan.ts per milestone kind).
 */
import { createRunMilestoneActivity, type DepsSource } from '../milestones/activities.ts';
import { awsMilestoneDeps } from '../milestones/aws.ts';
import type { MilestoneDeps } from '../milestones/context.ts';

export function createRunMilestoneHandler(deps: DepsSource<MilestoneDeps> = () => awsMilestoneDeps()) {
  return createRunMilestoneActivity(deps);
}

export const handler = createRunMilestoneHandler();
