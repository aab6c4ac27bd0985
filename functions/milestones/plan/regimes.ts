/**
 * The rules only some calendars have, asked of the calendar (never of the care
 * type's code), one predicate each. A new care type's special case gets its
 * predicate here and its use in the kind it changes (../plan.ts).
 *
 * - Wlz: signing ends at agreements final; the first feedback opens the talks;
 *   the final feedback offers the agreement.
 * - ZG: the close of the negotiation period ends the year.
 * - Diagnostics: agreements final is a target that offers the agreement
 *   (./contracting.ts, `agreementsFinal`, by the milestone's action).
 */
import { signsAtAgreementsFinal as signsAtAF } from '../../calendar/deadlines.ts';
import { talksEndTheYear as talksEnd } from '../../domain/guards.ts';
import type { StepContext } from '../context.ts';
import { has } from './step.ts';

/** Wlz: the agreements-final milestone asks for the signature, so it is where signing ends. */
const signsAtAgreementsFinal = (ctx: StepContext): boolean => signsAtAF(ctx.calendar);

/** ZG: no milestone after the negotiation period ends the year, so its close does (domain/guards.ts). */
export const talksEndTheYear = (ctx: StepContext): boolean => talksEnd(ctx.steps);

/** The first feedback opens the talks when no milestone of the calendar moves anyone into negotiation (Wlz, step 8). */
export const talksOpenAtFirstFeedback = (ctx: StepContext): boolean =>
  !(['agreement-available', 'negotiation-period', 'conditions-deadline', 'eligibility-notification'] as const).some((k) => has(ctx, k));

/** The final feedback offers the agreement when nothing else does before the signing ends at agreements final (Wlz, step 9). */
export const agreementOfferedAtFinalFeedback = (ctx: StepContext): boolean => !has(ctx, 'negotiation-agreements') && signsAtAgreementsFinal(ctx);
