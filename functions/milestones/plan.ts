/**
 * What each milestone step does: its plan, a fixed list of passes (./passes.ts).
 * The behaviour per kind and the decisions behind it are tabled in ./README.md;
 * keep both in step.
 *
 * A plan's shape depends only on the step and on which milestones the calendar
 * has (never on dates or the time), because the page cursor points into it and
 * an amendment may land between two pages. Conditions on time are checked
 * inside a pass (`when`).
 *
 * This file is the table from kind to plan; the plans live in ./plan/ by the
 * part of the year they belong to (registration, negotiation, contracting,
 * publications, reminders), over shared blocks (moves.ts: moves with their
 * emails; step.ts: the step's calendar and time). A rule only some calendars
 * have (Wlz, ZG, diagnostics) is a predicate in plan/regimes.ts.
 */
import type { StepContext } from './context.ts';
import type { Pass } from './passes.ts';
import { stepTrigger } from './plan/step.ts';
import { agreementOfferedAtFinalFeedback, talksEndTheYear, talksOpenAtFirstFeedback } from './plan/regimes.ts';
import { moves, inviteExistingPass, lateAgreement, deadlineMissed } from './plan/moves.ts';
import { reminders } from './plan/reminders.ts';
import { policyPublication, registrationOpens, registrationCloses, conditionsRequests, eligibilityDecisions } from './plan/registration.ts';
import { agreementAvailablePlan, negotiationOpens, negotiationCloses, negotiationAgreements, talksOpen, feedback } from './plan/negotiation.ts';
import { contractedPublication, signingDeadline, agreementsFinal } from './plan/contracting.ts';
import { qaMemo, nextYearDates } from './plan/publications.ts';

/** The passes of the step in `ctx`. Unknown combinations (a reminder on a kind without action) do nothing. */
export function planFor(ctx: StepContext): Pass[] {
  const { kind, phase } = ctx.step;
  if (phase === 'reminder') return reminders(ctx);
  switch (kind) {
    case 'policy-publication':
      return policyPublication();
    case 'registration-window':
      return phase === 'opens' ? registrationOpens() : phase === 'closes' ? registrationCloses() : [];
    case 'negotiation-period':
      // closes: nothing where a later milestone ends the year (purchasers follow up); ZG: it ends the year.
      return phase === 'opens' ? negotiationOpens(ctx) : phase === 'closes' && talksEndTheYear(ctx) ? negotiationCloses() : [];
    case 'questions-deadline':
      return []; // the deadline itself: the store refuses questions from its instant on
    case 'qa-memo-publication':
      return qaMemo();
    case 'portal-opening':
      return [inviteExistingPass(), ...conditionsRequests()];
    case 'conditions-deadline':
      return phase === 'deadline'
        ? [
            ...deadlineMissed('conditions-deadline', 'invited'),
            ...moves(['conditions-confirmed'], 'in-negotiation', stepTrigger, { email: lateAgreement }),
          ]
        : [];
    case 'agreement-available':
      return agreementAvailablePlan(ctx);
    case 'first-feedback':
      return talksOpenAtFirstFeedback(ctx) ? [...talksOpen(), ...feedback('first')] : feedback('first');
    case 'final-feedback':
      return agreementOfferedAtFinalFeedback(ctx)
        ? [...feedback('final'), ...negotiationAgreements(ctx)]
        : feedback('final');
    case 'eligibility-notification':
      return eligibilityDecisions({ moveEligible: true });
    case 'proposal-deadline':
      return phase === 'deadline' ? deadlineMissed('proposal-deadline', 'in-negotiation') : [];
    case 'negotiation-agreements':
      return negotiationAgreements(ctx);
    case 'agreements-final':
      return phase === 'deadline' ? agreementsFinal(ctx) : [];
    case 'contracted-publication':
      return contractedPublication();
    case 'signing-deadline':
      return phase === 'deadline' ? signingDeadline(ctx) : [];
    case 'next-year-dates-publication':
      return nextYearDates();
  }
}
