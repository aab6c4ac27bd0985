/** The end of the year: signing, agreements final and the contracted-provider list. */
import { NON_TERMINAL_STATES, type ApplicationState } from '../../domain/states.ts';
import { publishContractedList, type ContractedEntry } from '../../publication/contracted.ts';
import type { StepContext } from '../context.ts';
import { providerMessage, teamMessage } from '../messages.ts';
import { enqueue, gather, listed, once, overApplications, type AppEmail, type Pass } from '../passes.ts';
import { has, now, today, stepTrigger } from './step.ts';
import { moves, emailEach, signingEscalation } from './moves.ts';
import { negotiationAgreements } from './negotiation.ts';

/** Whether any application of the cycle is still open: one single-item gsi1 query per open state, stopping at the first found. */
async function anyOpenApplication(ctx: StepContext): Promise<boolean> {
  for (const state of NON_TERMINAL_STATES) {
    const page = await ctx.store.queryApplicationsByState(ctx.cycle.id, state, { limit: 1 });
    if (page.items.length) return true;
  }
  return false;
}

export const LISTED_STATES: readonly ApplicationState[] = ['agreement-reached', 'signed', 'contracted'];

/** Publishes the contracted-provider list and tells the customer-communication team. */
function publishList(name: string, deadline: (ctx: StepContext) => string): Pass {
  return once(name, async (ctx, gathered) => {
    const entries: ContractedEntry[] = (gathered.listed ?? []).map(([agb, providerName]) => ({ agb, name: providerName }));
    const openApplications = await anyOpenApplication(ctx);
    const { url, list } = await publishContractedList(ctx.publications, { cycle: ctx.cycle, entries, openApplications, now: now(ctx) });
    await enqueue(ctx, [
      teamMessage(ctx, 'customer-communication', 'contracted-list-ready', { listUrl: url, providerCount: list.providers.length, deadline: deadline(ctx) }),
    ]);
  });
}

export function contractedPublication(): Pass[] {
  return [
    ...LISTED_STATES.map((state) => overApplications(`list (${state})`, state, async (_ctx, apps, gathered) => gather(gathered, 'listed', listed(apps)))),
    publishList('publish the contracted-provider list', (ctx) => ctx.milestone.date!),
  ];
}

export function signingDeadline(ctx: StepContext): Pass[] {
  const republish = has(ctx, 'contracted-publication');
  return [
    ...moves(['signed'], 'contracted', stepTrigger, { email: (c, _a, p) => providerMessage(c, p, 'contracted', {}) }),
    ...moves(
      NON_TERMINAL_STATES.filter((s) => s !== 'signed'),
      'not-contracted',
      stepTrigger,
      { gatherAs: 'unsigned' },
    ),
    signingEscalation('signing escalation'),
    ...(republish
      ? [
          overApplications('list (contracted)', 'contracted', async (_c, apps, gathered) => gather(gathered, 'listed', listed(apps))),
          publishList('republish the contracted-provider list', today),
        ]
      : []),
  ];
}

export function agreementsFinal(ctx: StepContext): Pass[] {
  const final: AppEmail = (c, _a, p) => providerMessage(c, p, 'agreements-final', {});
  if (ctx.milestone.action !== 'sign-agreement') {
    // A target of the insurer (diagnostics: "onderhandelingen afgerond"): negotiations end here. Without a
    // milestone of its own that offers the negotiated agreement, this one does, so those still negotiating
    // can accept it (and then sign by the signing deadline); those with an agreement hear it is final.
    const offers = has(ctx, 'negotiation-agreements') ? [] : negotiationAgreements(ctx);
    return [...offers, emailEach('agreements final (agreement-reached)', 'agreement-reached', final), emailEach('agreements final (signed)', 'signed', final)];
  }
  // Wlz: an agreement is final once signed. Without a signing deadline after it, signing ends here:
  // every other open application is not contracted, as at a signing deadline; the purchasers get the list.
  const unsigned = has(ctx, 'signing-deadline')
    ? [overApplications('unsigned agreements', 'agreement-reached', async (_c, apps, gathered) => gather(gathered, 'unsigned', listed(apps)))]
    : moves(
        NON_TERMINAL_STATES.filter((s) => s !== 'signed'),
        'not-contracted',
        stepTrigger,
        { gatherAs: 'unsigned' },
      );
  return [...moves(['signed'], 'contracted', stepTrigger, { email: final }), ...unsigned, signingEscalation('signing escalation')];
}
