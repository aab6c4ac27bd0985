/**
 * Runs one page of a milestone step: passes of its plan (./plan.ts) until
 * PAGE_SIZE applications or providers have been read, then hands back a
 * cursor to continue from. The workflow calls again while `more` is true.
 */
import { ConflictError } from '../commons/errors.ts';
import type { RunMilestoneOutput } from '../../workflows/contracts.ts';
import { loadStepContext, type MilestoneDeps } from './context.ts';
import { decodeRunCursor, encodeRunCursor } from './cursor.ts';
import { planFor } from './plan.ts';

export interface RunMilestoneRequest {
  cycleId: string;
  stepId: string;
  cursor: string | null;
}

export async function runMilestone(deps: MilestoneDeps, request: RunMilestoneRequest): Promise<RunMilestoneOutput> {
  const ctx = await loadStepContext(deps, request.cycleId, request.stepId);
  if (ctx.step.status !== 'running') {
    throw new ConflictError(`Step ${ctx.step.stepId} of ${ctx.cycle.id} is ${ctx.step.status}, not running: mark it running first`, {
      cycleId: ctx.cycle.id,
      stepId: ctx.step.stepId,
      status: ctx.step.status,
    });
  }
  const passes = planFor(ctx);
  const pageSize = ctx.config.pageSize;
  let { p, c, a } = decodeRunCursor(request.cursor);
  let processed = 0;
  const ran: string[] = [];
  while (p < passes.length && processed < pageSize) {
    const pass = passes[p];
    const out = await pass.run(ctx, { cursor: c, limit: pageSize - processed, gathered: a });
    processed += out.processed;
    ran.push(pass.name);
    if (out.cursor) c = out.cursor;
    else {
      p++;
      c = null;
    }
  }
  const more = p < passes.length;
  ctx.log.info('milestone page', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, passes: ran, processed, more });
  return { cursor: more ? encodeRunCursor({ p, c, a }) : null, more, processed };
}
