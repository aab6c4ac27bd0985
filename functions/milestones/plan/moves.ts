/**
 * The building blocks the kinds share: moves with their emails, inviting
 * existing contract holders, an email to each application of a state, a
 * missed deadline, the purchasers' signing escalation, and the agreement email.
 */
import { lastDay } from '../../calendar/timeline.ts';
import type { Application, MessageInput, Provider, Trigger } from '../../domain/model.ts';
import { invitationFor } from '../../domain/provider.ts';
import type { ApplicationState } from '../../domain/states.ts';
import { recordedTransition, triggers } from '../../domain/transitions.ts';
import type { StepContext } from '../context.ts';
import { providerMessage, teamMessage } from '../messages.ts';
import { emailApplications, enqueue, filterMovedByStep, gather, listed, moveAll, once, overApplications, overProviders, type AppEmail, type Pass } from '../passes.ts';
import { SYSTEM, has, dateOf, open, stepTrigger, happened } from './step.ts';

// ---------------------------------------------------------------- moves with their emails

interface MoveOptions {
  email?: AppEmail;
  /** Gather the moved applications under this name (for one email listing them). */
  gatherAs?: string;
}

/**
 * Moves applications from each of `froms` to `to`, one pass per source state,
 * each move with its `email` in its transaction; then (if there is an email or
 * a list) one recovery pass over `to` for what this step moved in an earlier,
 * interrupted run: gathered again for the list, and emailed if the move was
 * made before moves carried their emails (no `lastTransition`).
 */
export function moves(froms: readonly ApplicationState[], to: ApplicationState, trigger: (ctx: StepContext) => Trigger, options: MoveOptions = {}): Pass[] {
  const passes = froms.map((from) =>
    overApplications(`${from} → ${to}`, from, async (ctx, apps, gathered) => {
      const moved = await moveAll(ctx, apps, { from, to, trigger: trigger(ctx) }, options.email);
      if (options.gatherAs) gather(gathered, options.gatherAs, listed(moved));
    }),
  );
  if (!options.email && !options.gatherAs) return passes;
  const recovery = overApplications(`moved to ${to} by this step`, to, async (ctx, apps, gathered) => {
    const mine = await filterMovedByStep(ctx, apps, { from: froms, trigger: trigger(ctx) });
    if (options.gatherAs) gather(gathered, options.gatherAs, listed(mine));
    if (options.email) await emailApplications(ctx, mine.filter((a) => !recordedTransition(a)), options.email);
  });
  return [...passes, recovery];
}

/** Existing contract holders of the care type get an application in `invited` (idempotent, a few transactions a page); no email of its own. */
export async function inviteExisting(ctx: StepContext, providers: readonly Provider[]): Promise<void> {
  const inputs = providers.flatMap((provider) => {
    const invitation = invitationFor(provider, ctx.cycle);
    if (!invitation.invite) return [];
    return [
      {
        cycleId: ctx.cycle.id,
        agb: provider.agb,
        track: invitation.track,
        providerName: provider.name,
        trigger: stepTrigger(ctx),
        actor: SYSTEM,
        context: { steps: ctx.steps, provider },
      },
    ];
  });
  if (!inputs.length) return;
  const { created, existing } = await ctx.store.createApplications(inputs);
  ctx.log.info('existing contract holders invited', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, created: created.length, existing: existing.length });
}

export const inviteExistingPass = (): Pass => overProviders('invite existing contract holders', inviteExisting);


/** Emails to every application read (not only moved ones). */
export const emailEach = (name: string, state: ApplicationState, email: AppEmail): Pass =>
  overApplications(name, state, (ctx, apps) => emailApplications(ctx, apps, email));

type OneEmail = (ctx: StepContext, app: Application, provider: Provider) => MessageInput | undefined;

export const agreementAvailable: OneEmail = (ctx, app, provider) => {
  const proposal = dateOf(ctx, 'proposal-deadline');
  if (app.state === 'in-negotiation' && open(ctx, proposal)) {
    return providerMessage(ctx, provider, 'agreement-available', { proposalRequested: true, deadline: proposal }, { action: 'submit-proposal', until: proposal });
  }
  return providerMessage(ctx, provider, 'agreement-available', { proposalRequested: false });
};

/** Entering negotiation after the agreement was made available: the agreement email now (keyed by this step). */
export const lateAgreement: OneEmail = (ctx, app, provider) =>
  has(ctx, 'agreement-available') && happened(ctx, 'agreement-available') ? agreementAvailable(ctx, app, provider) : undefined;

export function deadlineMissed(kind: 'conditions-deadline' | 'proposal-deadline', from: ApplicationState): Pass[] {
  const missed = kind === 'conditions-deadline' ? 'conditions' : 'proposal';
  return moves([from], 'lapsed', () => triggers.deadline(kind), {
    email: (ctx, _app, provider) => providerMessage(ctx, provider, 'deadline-missed', { missed, deadline: ctx.milestone.date! }),
  });
}

export function signingEscalation(name: string): Pass {
  return once(name, async (ctx, gathered) => {
    const unsigned = gathered.unsigned ?? [];
    if (!unsigned.length) return;
    await enqueue(ctx, [
      teamMessage(ctx, 'purchaser', 'signing-escalation', {
        deadline: lastDay(ctx.milestone)!, // the signing deadline, agreements final or the close of the talks (ZG)
        applications: unsigned.map(([agb, providerName]) => ({ agb, providerName })),
      }),
    ]);
  });
}
