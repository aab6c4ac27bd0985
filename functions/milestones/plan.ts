/**
 * What each milestone step does: its plan, a fixed list of passes (./passes.ts).
 * The behaviour per kind and the decisions behind it are tabled in ./README.md;
 * keep both in step.
 *
 * A plan's shape depends only on the step and on which milestones the calendar
 * has (never on dates or the time), because the page cursor points into it and
 * an amendment may land between two pages. Conditions on time are checked
 * inside a pass (`when`).
 */
import { DateTime } from 'luxon';
import { calendarToIcs } from '../calendar/ics.ts';
import type { MilestoneKind, ProviderAction } from '../calendar/schema.ts';
import { deadlineEnd, TIME_ZONE } from '../calendar/time.ts';
import { lastDay } from '../calendar/timeline.ts';
import { NextCycleMissingError } from './errors.ts';
import { mapLimit } from '../store/dynamo.ts';
import type { Application, Cycle, MessageInput, Provider, Trigger } from '../domain/model.ts';
import { icsVersion } from '../domain/cycle.ts';
import { invitationFor } from '../domain/provider.ts';
import { talksEndTheYear } from '../domain/guards.ts';
import { NON_TERMINAL_STATES, type ApplicationState } from '../domain/states.ts';
import { recordedTransition, triggers } from '../domain/transitions.ts';
import type { KeyDate } from '../email/params.ts';
import { publishContractedList, type ContractedEntry } from '../publication/contracted.ts';
import { publishQaMemo, QA_MEMO_FILE } from '../publication/qa-memo.ts';
import { registrationFormUrl } from './config.ts';
import { agreementIncludesQualityConditions } from '../calendar/agreement.ts';
import { acceptLastDay, signsAtAgreementsFinal as signsAtAF } from '../calendar/deadlines.ts';
import { milestoneOf, type StepContext } from './context.ts';
import { audiencePasses } from './audience.ts';
import { providerMessage, teamMessage } from './messages.ts';
import {
  emailApplications,
  enqueue,
  filterMovedByStep,
  gather,
  listed,
  moveAll,
  once,
  overApplications,
  overProviders,
  when,
  type AppEmail,
  type Pass,
} from './passes.ts';

const DAY = 86_400_000;
const SYSTEM = { kind: 'system' } as const;

// ---------------------------------------------------------------- helpers on the calendar and time

const has = (ctx: StepContext, kind: MilestoneKind): boolean => !!milestoneOf(ctx.calendar, kind);
const dateOf = (ctx: StepContext, kind: MilestoneKind): string | undefined => {
  const m = milestoneOf(ctx.calendar, kind);
  return m && (m.date ?? m.closes);
};
const now = (ctx: StepContext): number => ctx.clock.now();
const today = (ctx: StepContext): string => DateTime.fromMillis(now(ctx), { zone: TIME_ZONE }).toISODate()!;
/** Whether the last day to act on `date` has not passed yet. */
const open = (ctx: StepContext, date: string | undefined): date is string => !!date && now(ctx) <= Date.parse(deadlineEnd(date));
const stepTrigger = (ctx: StepContext): Trigger => triggers.milestone(ctx.step.kind, ctx.step.phase);
/** All steps of a kind already done (the milestone has happened). */
const happened = (ctx: StepContext, kind: MilestoneKind): boolean => {
  const steps = ctx.steps.filter((s) => s.kind === kind);
  return steps.length > 0 && steps.every((s) => s.status === 'done');
};

/** Wlz: the agreements-final milestone asks for the signature, so it is where signing ends. */
const signsAtAgreementsFinal = (ctx: StepContext): boolean => signsAtAF(ctx.calendar);

/** The first feedback opens the talks when no milestone of the calendar moves anyone into negotiation (Wlz, step 8). */
const talksOpenAtFirstFeedback = (ctx: StepContext): boolean =>
  !(['agreement-available', 'negotiation-period', 'conditions-deadline', 'eligibility-notification'] as const).some((k) => has(ctx, k));

/** The final feedback offers the agreement when nothing else does before the signing ends at agreements final (Wlz, step 9). */
const agreementOfferedAtFinalFeedback = (ctx: StepContext): boolean => !has(ctx, 'negotiation-agreements') && signsAtAgreementsFinal(ctx);

function keyDates(ctx: StepContext, calendar = ctx.calendar): KeyDate[] {
  return calendar.milestones.map((m) => ({ title: m.title, date: (m.date ?? m.opens)!, ...(m.closes ? { until: m.closes } : {}) }));
}

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
function moves(froms: readonly ApplicationState[], to: ApplicationState, trigger: (ctx: StepContext) => Trigger, options: MoveOptions = {}): Pass[] {
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
async function inviteExisting(ctx: StepContext, providers: readonly Provider[]): Promise<void> {
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

const inviteExistingPass = (): Pass => overProviders('invite existing contract holders', inviteExisting);

// ---------------------------------------------------------------- emails

/** Emails to every application read (not only moved ones). */
const emailEach = (name: string, state: ApplicationState, email: AppEmail): Pass =>
  overApplications(name, state, (ctx, apps) => emailApplications(ctx, apps, email));

type OneEmail = (ctx: StepContext, app: Application, provider: Provider) => MessageInput | undefined;

const agreementAvailable: OneEmail = (ctx, app, provider) => {
  const proposal = dateOf(ctx, 'proposal-deadline');
  if (app.state === 'in-negotiation' && open(ctx, proposal)) {
    return providerMessage(ctx, provider, 'agreement-available', { proposalRequested: true, deadline: proposal }, { action: 'submit-proposal', until: proposal });
  }
  return providerMessage(ctx, provider, 'agreement-available', { proposalRequested: false });
};

/** Entering negotiation after the agreement was made available: the agreement email now (keyed by this step). */
const lateAgreement: OneEmail = (ctx, app, provider) =>
  has(ctx, 'agreement-available') && happened(ctx, 'agreement-available') ? agreementAvailable(ctx, app, provider) : undefined;

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
function eligibilityDecisions(options: { moveEligible: boolean }): Pass[] {
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

// ---------------------------------------------------------------- reminders

/** Where those who have not yet acted are: the states each action moves out of. */
function remindedStates(ctx: StepContext, action: ProviderAction): ApplicationState[] {
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

function reminders(ctx: StepContext): Pass[] {
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

// ---------------------------------------------------------------- the kinds

function policyPublication(): Pass[] {
  return [
    overProviders('policy notice and invitations', async (ctx, providers) => {
      const ics = calendarToIcs(ctx.calendar, { clock: ctx.clock, ...icsVersion(ctx.cycle) });
      const dates = keyDates(ctx);
      await inviteExisting(ctx, providers);
      await enqueue(ctx, providers.flatMap((p) => providerMessage(ctx, p, 'policy-published', { keyDates: dates, ics }) ?? []));
    }),
  ];
}

function registrationOpens(): Pass[] {
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

function registrationCloses(): Pass[] {
  const closes = (ctx: StepContext) => ctx.milestone.closes!;
  return [
    ...moves(['registration-started'], 'lapsed', () => triggers.deadline('registration-window'), {
      email: (ctx, _app, provider) => providerMessage(ctx, provider, 'registration-lapsed', { deadline: closes(ctx) }),
    }),
    ...moves(['registration-submitted'], 'under-review', stepTrigger),
  ];
}

function deadlineMissed(kind: 'conditions-deadline' | 'proposal-deadline', from: ApplicationState): Pass[] {
  const missed = kind === 'conditions-deadline' ? 'conditions' : 'proposal';
  return moves([from], 'lapsed', () => triggers.deadline(kind), {
    email: (ctx, _app, provider) => providerMessage(ctx, provider, 'deadline-missed', { missed, deadline: ctx.milestone.date! }),
  });
}

function conditionsRequests(): Pass[] {
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

function agreementAvailablePlan(ctx: StepContext): Pass[] {
  // invited → in negotiation only when the calendar has no conditions deadline (the table's guard).
  const froms: ApplicationState[] = has(ctx, 'conditions-deadline') ? ['conditions-confirmed'] : ['invited', 'conditions-confirmed'];
  return [
    inviteExistingPass(),
    // No email with the moves: the next pass emails everyone in negotiation, the moved ones included.
    ...moves(froms, 'in-negotiation', stepTrigger),
    emailEach('agreement emails', 'in-negotiation', agreementAvailable),
  ];
}

function negotiationOpens(ctx: StepContext): Pass[] {
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
    ...(talksEndTheYear(ctx.steps) ? negotiationAgreements(ctx) : []),
  ];
}

/**
 * ZG: the talks end the year. Signed → contracted; every application without an accepted agreement → not
 * contracted, ONE escalation listing them. An accepted agreement stays: it is on the 12 November list and its
 * signatory may sign until the date the acceptance email gave (the day before the contract year).
 */
function negotiationCloses(): Pass[] {
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

function negotiationAgreements(ctx: StepContext): Pass[] {
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
function talksOpen(): Pass[] {
  return [inviteExistingPass(), ...moves(['invited', 'conditions-confirmed'], 'in-negotiation', stepTrigger)];
}

const FEEDBACK_TEXT = {
  first:
    'Wij hebben uw inschrijving beoordeeld. Als wij nog informatie van u nodig hebben of vragen hebben, neemt uw zorginkoper contact met u op.',
  final: 'Uw inschrijving is definitief beoordeeld. Wij informeren u over de afspraken voor de contractperiode.',
} as const;

function feedback(stage: 'first' | 'final'): Pass[] {
  const field = stage === 'first' ? 'firstFeedback' : 'finalFeedback';
  const email: AppEmail = (ctx, app, provider) => {
    const text = app.decision?.[field];
    const summary = typeof text === 'string' && text.trim() ? text : FEEDBACK_TEXT[stage];
    return providerMessage(ctx, provider, 'feedback', { stage, summary });
  };
  return NON_TERMINAL_STATES.map((state) => emailEach(`${stage} feedback (${state})`, state, email));
}

function signingEscalation(name: string): Pass {
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

/** Whether any application of the cycle is still open: one single-item gsi1 query per open state, stopping at the first found. */
async function anyOpenApplication(ctx: StepContext): Promise<boolean> {
  for (const state of NON_TERMINAL_STATES) {
    const page = await ctx.store.queryApplicationsByState(ctx.cycle.id, state, { limit: 1 });
    if (page.items.length) return true;
  }
  return false;
}

const LISTED_STATES: readonly ApplicationState[] = ['agreement-reached', 'signed', 'contracted'];

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

function contractedPublication(): Pass[] {
  return [
    ...LISTED_STATES.map((state) => overApplications(`list (${state})`, state, async (_ctx, apps, gathered) => gather(gathered, 'listed', listed(apps)))),
    publishList('publish the contracted-provider list', (ctx) => ctx.milestone.date!),
  ];
}

function signingDeadline(ctx: StepContext): Pass[] {
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

function agreementsFinal(ctx: StepContext): Pass[] {
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

function qaMemo(): Pass[] {
  const path = (ctx: StepContext) => `${ctx.cycle.id}/${QA_MEMO_FILE}`;
  return [
    once('publish the Q&A memo', async (ctx) => {
      const questions = await ctx.store.listQuestions(ctx.cycle.id, { publicOnly: true });
      await publishQaMemo(ctx.publications, { cycle: ctx.cycle, questions, now: now(ctx) });
    }),
    ...audiencePasses('Q&A memo', (ctx, provider) =>
      providerMessage(ctx, provider, 'qa-memo-published', { actionUrl: ctx.publications.urlOf(path(ctx)) }),
    ),
  ];
}

/** The cycle of the same care type whose contract starts in `year`, if created. */
async function cycleFor(ctx: StepContext, year: number): Promise<Cycle | undefined> {
  return (await ctx.store.listCycles()).find((c) => c.careType.code === ctx.cycle.careType.code && c.contract.firstYear === year && c.id !== ctx.cycle.id);
}

function nextYearDates(): Pass[] {
  return [
    overProviders('next-year dates', async (ctx, providers) => {
      const nextYear = Number(ctx.step.localDate.slice(0, 4)) + 1;
      const next = await cycleFor(ctx, nextYear);
      if (!next) {
        throw new NextCycleMissingError(
          `No cycle for ${ctx.cycle.careType.code} ${nextYear}: create it (inkoop cycle create <calendar>) and re-run this milestone (inkoop milestone retry ${ctx.cycle.id} ${ctx.milestone.id})`,
        );
      }
      // Not for providers whose contract (from before, or from this cycle) still runs next year.
      const coversNext = ctx.cycle.contract.firstYear + ctx.cycle.contract.termYears - 1 >= nextYear;
      const apps = coversNext ? await ctx.store.getApplications(ctx.cycle.id, providers.map((p) => p.agb)) : new Map<string, Application>();
      const ics = calendarToIcs(next.calendar, { clock: ctx.clock, ...icsVersion(next) });
      const dates = keyDates(ctx, next.calendar);
      const audience = providers.filter((p) => {
        const invitation = invitationFor(p, next);
        const runs = !invitation.invite && invitation.reason === 'contract-runs';
        const app = apps.get(p.agb);
        return !runs && !(app && LISTED_STATES.includes(app.state));
      });
      await enqueue(ctx, audience.flatMap((p) => providerMessage(ctx, p, 'next-year-dates', { nextContractYear: nextYear, keyDates: dates, ics }) ?? []));
    }),
  ];
}

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
      return phase === 'opens' ? negotiationOpens(ctx) : phase === 'closes' && talksEndTheYear(ctx.steps) ? negotiationCloses() : [];
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
