/** The talks: the agreement made available, the negotiation period, negotiated agreements and the feedback. */
import { NON_TERMINAL_STATES, type ApplicationState } from '../../domain/states.ts';
import { agreementIncludesQualityConditions } from '../../calendar/agreement.ts';
import { acceptLastDay } from '../../calendar/deadlines.ts';
import type { StepContext } from '../context.ts';
import { providerMessage } from '../messages.ts';
import { when, type AppEmail, type Pass } from '../passes.ts';
import { has, stepTrigger, happened } from './step.ts';
import { moves, inviteExistingPass, emailEach, agreementAvailable, lateAgreement, signingEscalation } from './moves.ts';
import { talksEndTheYear } from './regimes.ts';
import { remindedStates } from './reminders.ts';
import { eligibilityDecisions } from './registration.ts';

export function agreementAvailablePlan(ctx: StepContext): Pass[] {
  // invited → in negotiation only when the calendar has no conditions deadline (the table's guard).
  const froms: ApplicationState[] = has(ctx, 'conditions-deadline') ? ['conditions-confirmed'] : ['invited', 'conditions-confirmed'];
  return [
    inviteExistingPass(),
    // No email with the moves: the next pass emails everyone in negotiation, the moved ones included.
    ...moves(froms, 'in-negotiation', stepTrigger),
    emailEach('agreement emails', 'in-negotiation', agreementAvailable),
  ];
}

export function negotiationOpens(ctx: StepContext): Pass[] {
  const notifies = !has(ctx, 'eligibility-notification');
  const froms: ApplicationState[] = has(ctx, 'conditions-deadline') ? ['conditions-confirmed'] : ['invited', 'conditions-confirmed'];
  return [
    inviteExistingPass(),
    ...moves(froms, 'in-negotiation', stepTrigger, { email: lateAgreement }),
    // With an eligibility notification in the calendar, eligible providers join once they have been told.
    ...(notifies
      ? eligibilityDecisions({ moveEligible: true })
      : moves(['eligible'], 'in-negotiation', stepTrigger, { email: lateAgreement }).map((pass) =>
          when((c) => happened(c, 'eligibility-notification'), pass),
        )),
    // ZG (the talks end the year): the start of the talks offers the agreement, accepted once the purchaser and
    // the provider agree orally. After the moves, so everyone now in negotiation gets it.
    ...(talksEndTheYear(ctx) ? negotiationAgreements(ctx) : []),
  ];
}

/**
 * ZG: the talks end the year. Signed → contracted; every application without an accepted agreement → not
 * contracted, ONE escalation listing them. An accepted agreement stays: it is on the 12 November list and its
 * signatory may sign until the date the acceptance email gave (the day before the contract year).
 */
export function negotiationCloses(): Pass[] {
  return [
    ...moves(['signed'], 'contracted', stepTrigger, { email: (c, _a, p) => providerMessage(c, p, 'contracted', {}) }),
    ...moves(
      NON_TERMINAL_STATES.filter((s) => s !== 'signed' && s !== 'agreement-reached'),
      'not-contracted',
      stepTrigger,
      { gatherAs: 'unsigned' },
    ),
    signingEscalation('signing escalation'),
  ];
}

/**
 * The day the negotiation agreement should be accepted by (see README): the day before the 12 November list,
 * else the signing deadline, else agreements final (the day before it when signing ends there, Wlz).
 */
export function acceptDeadline(ctx: StepContext): string {
  return acceptLastDay(ctx.calendar, ctx.step.localDate);
}

export function negotiationAgreements(ctx: StepContext): Pass[] {
  const offer: AppEmail = (c, _app, provider) => {
    const deadline = acceptDeadline(c);
    return providerMessage(
      c,
      provider,
      'negotiation-agreement-offered',
      {
        deadline,
        includesQualityConditions: agreementIncludesQualityConditions(c.calendar),
        acceptOnceAgreed: c.milestone.kind === 'negotiation-period',
      },
      { action: 'accept-negotiation-agreement', until: deadline },
    );
  };
  return remindedStates(ctx, 'accept-negotiation-agreement').map((state) => emailEach(`negotiation agreements (${state})`, state, offer));
}

/**
 * The talks open without a milestone of their own (Wlz: after the first feedback a talk with the purchaser
 * is possible, step 8): existing holders not yet invited are invited, and the invited enter negotiation.
 * No email with the move: the feedback email of the same step goes to them.
 */
export function talksOpen(): Pass[] {
  return [inviteExistingPass(), ...moves(['invited', 'conditions-confirmed'], 'in-negotiation', stepTrigger)];
}

const FEEDBACK_TEXT = {
  first:
    'Wij hebben uw inschrijving beoordeeld. Als wij nog informatie van u nodig hebben of vragen hebben, neemt uw zorginkoper contact met u op.',
  final: 'Uw inschrijving is definitief beoordeeld. Wij informeren u over de afspraken voor de contractperiode.',
} as const;

export function feedback(stage: 'first' | 'final'): Pass[] {
  const field = stage === 'first' ? 'firstFeedback' : 'finalFeedback';
  const email: AppEmail = (ctx, app, provider) => {
    const text = app.decision?.[field];
    const summary = typeof text === 'string' && text.trim() ? text : FEEDBACK_TEXT[stage];
    return providerMessage(ctx, provider, 'feedback', { stage, summary });
  };
  return NON_TERMINAL_STATES.map((state) => emailEach(`${stage} feedback (${state})`, state, email));
}
