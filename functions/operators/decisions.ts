/**
 * The purchaser's decisions: a transition like any other, through the
 * transition table (under-review → eligible | not-eligible; negotiating →
 * not-contracted), version-checked and audited with the purchaser as actor.
 * The reason is kept on the application (`decision`) for the eligibility
 * email the notification milestone sends, and on the event for the audit trail.
 */
import { z } from 'zod';
import { formatLocalInstant } from '../calendar/time.ts';
import { NotFoundError, ValidationError } from '../commons/errors.ts';
import { signatoryOf } from '../domain/provider.ts';
import { PURCHASER_DECISIONS, agbCode, triggers, type Application, type ApplicationState } from '../domain/index.ts';
import type { OperatorDeps } from './deps.ts';
import { eligibilityDueStep, waiting } from './overdue.ts';
import { applicationsInState } from './reads.ts';
import type { DecisionQueueView } from './views.ts';

export const decisionSchema = z.object({
  decision: z.enum(PURCHASER_DECISIONS, 'one of: eligible, not-eligible, not-contracted'),
  reason: z.string('a reason').trim().min(3, 'a reason of at least 3 characters').max(2000, 'a reason of at most 2000 characters'),
  /** The version the purchaser saw; a newer one means someone else acted first (409). */
  expectedVersion: z.coerce.number().int().positive().optional(),
  /**
   * With `eligible`: the purchaser checked, in the KvK extract the provider uploaded, that the signatory named on
   * the public registration form may sign for the organisation. Until then that signatory cannot sign.
   */
  signatoryConfirmed: z.boolean().optional(),
});
export type DecisionInput = z.infer<typeof decisionSchema>;

export const decisionTargetSchema = z.object({ cycleId: z.string().min(1), agb: agbCode });

export interface DecisionResult {
  cycleId: string;
  agb: string;
  providerName: string;
  state: ApplicationState;
  version: number;
  decision: DecisionInput['decision'];
  reason: string;
  by: string;
  at: string;
}

/**
 * Records a decision; `by` is the purchaser (IAM caller in AWS, the OS user locally).
 * `target` may be the application as the caller just read it: it is then not read
 * again (a newer version stored meanwhile still gets ConflictError).
 */
export async function recordDecision(
  deps: Pick<OperatorDeps, 'store' | 'clock'>,
  target: { cycleId: string; agb: string } | Application,
  input: DecisionInput,
  by: string,
): Promise<DecisionResult> {
  const at = new Date(deps.clock.now()).toISOString();
  const confirmed = input.signatoryConfirmed ? await confirmedSignatory(deps, target, input, by, at) : undefined;
  const request = {
    trigger: triggers.purchaser(input.decision),
    actor: { kind: 'purchaser', id: by },
    // The audit trail names the confirmation: who confirmed whose authority, from what.
    reason: confirmed ? `${input.reason} [signing authority of ${confirmed.name} confirmed from the KvK extract]` : input.reason,
    expectedVersion: input.expectedVersion,
    patch: { decision: { decision: input.decision, reason: input.reason, by, at, ...(confirmed ? { signatoryConfirmed: confirmed } : {}) } },
  } as const;
  const app = 'version' in target ? await deps.store.transition(target, request) : await deps.store.transition(target.cycleId, target.agb, request);
  return {
    cycleId: app.cycleId,
    agb: app.agb,
    providerName: app.providerName,
    state: app.state,
    version: app.version,
    decision: input.decision,
    reason: input.reason,
    by,
    at,
  };
}

/** The signatory whose claimed authority the purchaser confirms with an eligibility decision. */
async function confirmedSignatory(
  deps: Pick<OperatorDeps, 'store'>,
  target: { agb: string },
  input: DecisionInput,
  by: string,
  at: string,
): Promise<{ contactId: string; name: string; by: string; at: string; from: 'kvk-extract' }> {
  if (input.decision !== 'eligible') {
    throw new ValidationError('A signatory is confirmed with an eligible decision', [{ path: 'signatoryConfirmed', message: 'only with eligible', found: input.decision }]);
  }
  const provider = await deps.store.getProvider(target.agb);
  if (!provider) throw new NotFoundError(`No provider ${target.agb}`);
  const signatory = signatoryOf(provider);
  if (!signatory) throw new ValidationError(`Provider ${target.agb} has no signatory to confirm`, [{ path: 'signatoryConfirmed', message: 'no signatory on record' }]);
  return { contactId: signatory.id, name: signatory.name, by, at, from: 'kvk-extract' };
}

/** The eligibility decisions still to make in a cycle, with the date they are due before. */
export async function decisionQueue(deps: Pick<OperatorDeps, 'store' | 'clock'>, cycleId: string): Promise<DecisionQueueView> {
  const cycle = await deps.store.getCycle(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}`);
  const [steps, apps] = await Promise.all([deps.store.getSteps(cycleId), applicationsInState(deps.store, cycleId, 'under-review')]);
  const step = eligibilityDueStep(steps);
  const title = step && cycle.calendar.milestones.find((m) => m.id === step.milestoneId)?.title;
  return {
    cycleId,
    due: step
      ? { milestoneId: step.milestoneId, title: title ?? step.milestoneId, at: step.at, atLocal: formatLocalInstant(step.at), late: deps.clock.now() > Date.parse(step.at) }
      : null,
    applications: apps.map(waiting),
  };
}
