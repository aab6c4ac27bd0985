/**
 * From the policy to who qualifies: the policy notice, the registration window,
 * the conditions requests of the portal, and the eligibility decisions.
 */
import { calendarToIcs } from '../../calendar/ics.ts';
import type { Application } from '../../domain/model.ts';
import { icsVersion } from '../../domain/cycle.ts';
import { invitationFor } from '../../domain/provider.ts';
import { triggers } from '../../domain/transitions.ts';
import { registrationFormUrl } from '../config.ts';
import type { StepContext } from '../context.ts';
import { providerMessage, teamMessage } from '../messages.ts';
import { emailApplications, enqueue, gather, listed, once, overApplications, overProviders, when, type AppEmail, type Pass } from '../passes.ts';
import { dateOf, open, stepTrigger, keyDates } from './step.ts';
import { moves, inviteExisting, emailEach, lateAgreement } from './moves.ts';

export function policyPublication(): Pass[] {
  return [
    overProviders('policy notice and invitations', async (ctx, providers) => {
      const ics = calendarToIcs(ctx.calendar, { clock: ctx.clock, ...icsVersion(ctx.cycle) });
      const dates = keyDates(ctx);
      await inviteExisting(ctx, providers);
      await enqueue(ctx, providers.flatMap((p) => providerMessage(ctx, p, 'policy-published', { keyDates: dates, ics }) ?? []));
    }),
  ];
}

export function registrationOpens(): Pass[] {
  return [
    overProviders('registration invitations', async (ctx, providers) => {
      const { opens, closes } = ctx.milestone;
      const candidates = providers.filter((p) => {
        const invitation = invitationFor(p, ctx.cycle);
        return !invitation.invite && invitation.reason === 'no-contract';
      });
      const apps = await ctx.store.getApplications(ctx.cycle.id, candidates.map((p) => p.agb));
      const url = registrationFormUrl(ctx.config, ctx.cycle.id);
      await enqueue(
        ctx,
        candidates
          .filter((p) => !apps.has(p.agb))
          .flatMap((p) => providerMessage(ctx, p, 'registration-invitation', { opens: opens!, closes: closes!, actionUrl: url }) ?? []),
      );
    }),
  ];
}

export function registrationCloses(): Pass[] {
  const closes = (ctx: StepContext) => ctx.milestone.closes!;
  return [
    ...moves(['registration-started'], 'lapsed', () => triggers.deadline('registration-window'), {
      email: (ctx, _app, provider) => providerMessage(ctx, provider, 'registration-lapsed', { deadline: closes(ctx) }),
    }),
    ...moves(['registration-submitted'], 'under-review', stepTrigger),
  ];
}

export function conditionsRequests(): Pass[] {
  return [
    when(
      (ctx) => open(ctx, dateOf(ctx, 'conditions-deadline')),
      emailEach('conditions requests', 'invited', (ctx, _app, provider) => {
        const deadline = dateOf(ctx, 'conditions-deadline')!;
        return providerMessage(ctx, provider, 'conditions-request', { deadline }, { action: 'declare-conditions', until: deadline });
      }),
    ),
  ];
}

const NOT_ELIGIBLE_REASON = 'Wij hebben besloten voor deze contractperiode geen overeenkomst met u te sluiten. Uw zorginkoper kan dit besluit toelichten.';

const decisionReason = (app: Application): string => {
  const reason = app.decision?.reason;
  return typeof reason === 'string' && reason.trim() ? reason.trim() : NOT_ELIGIBLE_REASON;
};

/**
 * Telling new providers whether they qualify: at the eligibility notification, or
 * at the start of the negotiations in a calendar without one (ZG). Eligible →
 * in negotiation (decision email, and the agreement if it is out already);
 * not eligible → decision email; undecided → nothing to them, ONE escalation to
 * the purchasers listing them.
 */
export function eligibilityDecisions(options: { moveEligible: boolean }): Pass[] {
  const eligible: AppEmail = (ctx, app, provider) => [
    providerMessage(ctx, provider, 'eligibility-decision', { decision: 'eligible' }),
    lateAgreement(ctx, app, provider),
  ];
  return [
    ...(options.moveEligible ? moves(['eligible'], 'in-negotiation', stepTrigger, { email: eligible }) : []),
    overApplications('not-eligible decisions', 'not-eligible', (ctx, apps) =>
      emailApplications(
        ctx,
        apps.filter((a) => a.track === 'new'),
        (c, app, provider) => providerMessage(c, provider, 'eligibility-decision', { decision: 'not-eligible', reason: decisionReason(app) }),
      ),
    ),
    overApplications('undecided registrations', 'under-review', async (_ctx, apps, gathered) => gather(gathered, 'undecided', listed(apps))),
    once('eligibility escalation', async (ctx, gathered) => {
      const undecided = gathered.undecided ?? [];
      if (!undecided.length) return;
      await enqueue(ctx, [
        teamMessage(ctx, 'purchaser', 'eligibility-escalation', {
          deadline: ctx.step.localDate,
          applications: undecided.map(([agb, providerName]) => ({ agb, providerName })),
        }),
      ]);
    }),
  ];
}
