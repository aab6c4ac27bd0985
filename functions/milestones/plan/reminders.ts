/** Reminders before a milestone's deadline: who is reminded, while it is useful, never twice about one action at once. */
import type { ProviderAction } from '../../calendar/schema.ts';
import { deadlineEnd } from '../../calendar/time.ts';
import { lastDay } from '../../calendar/timeline.ts';
import { mapLimit } from '../../store/dynamo.ts';
import type { ApplicationState } from '../../domain/states.ts';
import type { StepContext } from '../context.ts';
import { providerMessage } from '../messages.ts';
import { emailApplications, enqueue, overApplications, overProviders, when, type AppEmail, type Pass } from '../passes.ts';
import { DAY, has, now, open } from './step.ts';

/** Where those who have not yet acted are: the states each action moves out of. */
export function remindedStates(ctx: StepContext, action: ProviderAction): ApplicationState[] {
  switch (action) {
    case 'request-registration': // the form is public; remind those who started
    case 'submit-registration':
      return ['registration-started'];
    case 'declare-conditions':
      return ['invited'];
    case 'submit-proposal':
      return ['in-negotiation'];
    case 'accept-negotiation-agreement':
      return has(ctx, 'proposal-deadline') ? ['proposal-submitted'] : ['proposal-submitted', 'in-negotiation'];
    case 'sign-agreement':
      return ['agreement-reached'];
    case 'ask-question': // every provider of the care type may ask: not application states
    case 'withdraw':
      return [];
  }
}

/**
 * Reminds only while it makes sense: the deadline has not passed, and no later
 * reminder of the same milestone is due already (after an amendment moved the
 * date earlier, only the latest reminder goes out).
 */
function reminderStillUseful(ctx: StepContext): boolean {
  const deadline = lastDay(ctx.milestone);
  if (!open(ctx, deadline)) return false;
  return !ctx.steps.some(
    (s) => s.milestoneId === ctx.step.milestoneId && s.phase === 'reminder' && s.stepId !== ctx.step.stepId && s.at > ctx.step.at && Date.parse(s.at) <= now(ctx),
  );
}

/**
 * No provider gets two emails about one action at once, nor an email whose link is already dead (a newer link
 * for the same action supersedes the older one): a reminder skips a provider who was queued a link for that
 * action in the last RECENT_LINK_DAYS (the notice itself, as MSR's agreement email at the 14-day reminder of the
 * proposal deadline; a registration link asked for the day before; a confirmation with a fresh link). That email
 * is still in the inbox and its link is the newest. At one instant, notices run before reminders: the calendar
 * is in date order and a reminder falls before its own deadline, so a notice of its day comes earlier in it.
 * One gsi2 Query per provider reminded.
 */
export const RECENT_LINK_DAYS = 3;

async function withoutRecentLink<T extends { agb: string }>(ctx: StepContext, items: readonly T[], action: Exclude<ProviderAction, 'request-registration'>): Promise<T[]> {
  const since = new Date(now(ctx) - RECENT_LINK_DAYS * DAY).toISOString();
  const recent = await mapLimit(items, 8, async (item) => {
    const messages = await ctx.store.listMessagesOfProviderSince(item.agb, since);
    return messages.some((m) => m.cycleId === ctx.cycle.id && m.link?.action === action && m.status !== 'failed' && m.createdAt > since);
  });
  const kept = items.filter((_, i) => !recent[i]);
  if (kept.length < items.length) ctx.log.info('reminders skipped: a link for the action was sent recently', { cycleId: ctx.cycle.id, stepId: ctx.step.stepId, action, skipped: items.length - kept.length });
  return kept;
}

export function reminders(ctx: StepContext): Pass[] {
  const action = ctx.milestone.action;
  const deadline = lastDay(ctx.milestone);
  if (!action || !deadline) return [];
  if (action === 'ask-question') {
    return [
      when(
        reminderStillUseful,
        overProviders('questions reminder', async (c, providers) =>
          enqueue(
            c,
            (await withoutRecentLink(c, providers, 'ask-question')).flatMap(
              (p) => providerMessage(c, p, 'questions-deadline-reminder', { deadline }, { action: 'ask-question', until: deadline }) ?? [],
            ),
          ),
        ),
      ),
    ];
  }
  const linkAction = action === 'request-registration' ? 'submit-registration' : action;
  if (linkAction === 'withdraw') return [];
  const email: AppEmail = (c, _app, provider) => {
    const left = Math.floor((Date.parse(deadlineEnd(deadline)) - now(c)) / DAY);
    return providerMessage(
      c,
      provider,
      'reminder',
      { action: linkAction, deadline, ...(left >= 1 ? { daysLeft: left } : {}) },
      { action: linkAction, until: deadline },
    );
  };
  return remindedStates(ctx, action).map((state) =>
    when(
      reminderStillUseful,
      overApplications(`reminder to ${state}`, state, async (c, apps) => emailApplications(c, await withoutRecentLink(c, apps, linkAction), email)),
    ),
  );
}
