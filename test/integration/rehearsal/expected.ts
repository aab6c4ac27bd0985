/**
 * What a rehearsal must produce, worked out on paper: an independent model of
 * the year from the seeded plan (functions/local/rehearsal/population.ts and
 * timing.ts: who does what when) and the documented rules
 * (functions/milestones/README.md "Behaviour per kind", the transition table in
 * functions/domain/transitions.ts, the confirmations of the provider pages).
 * It shares no code with the runtime, the handlers or the report: if the system
 * and this model disagree, one of them is wrong.
 *
 * Only the milestone kinds of the calendars the tests rehearse are modelled;
 * any other kind throws.
 */
import type { Calendar, MilestoneKind } from '../../../functions/calendar/schema.ts';
import { buildTimeline, type TimelineStep } from '../../../functions/calendar/timeline.ts';
import { deadlineEnd, windowContains } from '../../../functions/calendar/time.ts';
import type { Population, SimulatedProvider } from '../../../functions/local/rehearsal/population.ts';
import { answerAt, decisionAt, followUpAt, registrationAt, registrationWindow } from '../../../functions/local/rehearsal/timing.ts';

type State =
  | 'invited'
  | 'registration-started'
  | 'registration-submitted'
  | 'lapsed'
  | 'under-review'
  | 'eligible'
  | 'not-eligible'
  | 'conditions-confirmed'
  | 'in-negotiation'
  | 'proposal-submitted'
  | 'agreement-reached'
  | 'signed'
  | 'contracted'
  | 'not-contracted';

type Action = 'submit-registration' | 'declare-conditions' | 'submit-proposal' | 'accept-negotiation-agreement' | 'sign-agreement' | 'ask-question';

const TERMINAL: readonly State[] = ['lapsed', 'not-eligible', 'contracted', 'not-contracted'];

export interface Expected {
  /** Emails by template. */
  emails: Record<string, number>;
  /** Emails by step id and template (milestone emails only). */
  perStep: Record<string, Record<string, number>>;
  /** Final applications by state. */
  states: Record<string, number>;
  /** AGB codes by final state. */
  byState: Record<string, string[]>;
  /** For each lapsed application: the action the provider never completed. */
  lapsedFor: Record<string, Action>;
}

interface Model {
  p: SimulatedProvider;
  /** In the provider table (imported, or registered through the form). */
  known: boolean;
  state?: State;
  /** The expiry of the newest link per action. */
  link: Map<Action, number>;
  /** When the newest email with a link for the action was queued. */
  linkQueued: Map<Action, number>;
  planned: Set<Action>;
  done: Set<Action>;
  /**
   * For a provider nobody can reach by email (population `unreachable`): whether the emails of the current
   * step went to it (they bounce, or are reported as spam), and whether it is unreachable since.
   */
  hit: boolean;
  gone: boolean;
}

interface Event {
  at: number;
  order: number;
  run(): void;
}

const TICK = 60_000;
/** functions/milestones/README.md: a reminder skips whoever was sent a link for its action in the 3 days before. */
const RECENT_LINK = 3 * 86_400_000;
const nextTick = (t: number): number => (Math.floor(t / TICK) + 1) * TICK;

/**
 * The rules a model says a year takes: each email template, (step, template) pair, final state and action lapsed
 * for. A smaller population is as good a test as a larger one when its model takes all of the larger one's.
 */
export function rulesTaken(model: Expected): string[] {
  return [
    ...Object.keys(model.emails).map((t) => `email ${t}`),
    ...Object.entries(model.perStep).flatMap(([step, emails]) => Object.keys(emails).map((t) => `email ${t} at ${step}`)),
    ...Object.keys(model.states).map((st) => `state ${st}`),
    ...[...new Set(Object.values(model.lapsedFor))].map((action) => `lapsed for ${action}`),
  ];
}

export function expectedYear(calendar: Calendar, population: Population): Expected {
  const code = calendar.careType.code;
  const year = calendar.contract.firstYear;
  const seed = population.seed;
  const steps = buildTimeline(calendar);
  const has = (kind: MilestoneKind) => calendar.milestones.some((m) => m.kind === kind);
  const dateOf = (kind: MilestoneKind) => {
    const m = calendar.milestones.find((x) => x.kind === kind);
    return m && (m.date ?? m.closes);
  };
  const stepAt = (kind: MilestoneKind, phase: string) => {
    const s = steps.find((x) => x.kind === kind && x.phase === phase);
    return s ? Date.parse(s.at) : undefined;
  };
  const window = registrationWindow(calendar);
  const signsAtAgreementsFinal = calendar.milestones.find((x) => x.kind === 'agreements-final')?.action === 'sign-agreement';

  const emails: Record<string, number> = {};
  const perStep: Record<string, Record<string, number>> = {};
  const lapsedFor: Record<string, Action> = {};
  const models: Model[] = population.providers.map((p) => ({ p, known: p.kind !== 'new', link: new Map(), linkQueued: new Map(), planned: new Set(), done: new Set(), hit: false, gone: false }));

  // -- the agenda: steps and actions by instant; ties keep insertion order (steps in timeline order)
  const queue: Event[] = [];
  let order = 0;
  const schedule = (at: number, run: () => void) => queue.push({ at, order: order++, run });
  let currentStep: TimelineStep | undefined;
  const done = new Set<string>(); // step ids that ran

  const count = (template: string) => {
    emails[template] = (emails[template] ?? 0) + 1;
    if (currentStep) {
      const counts = perStep[currentStep.stepId] ?? {};
      counts[template] = (counts[template] ?? 0) + 1;
      perStep[currentStep.stepId] = counts;
    }
  };

  /**
   * An email to one provider. An unreachable provider's first emails (those of one step, queued before
   * the first is sent) go out and bounce or draw a complaint; that makes every contact undeliverable and
   * the purchasers get one escalation (between milestones: it is queued by the SES events, sent by the
   * scheduled sender). Later emails find nobody to go to and are not queued.
   */
  const countFor = (m: Model, template: string): boolean => {
    if (m.gone) return false;
    if (m.p.unreachable) m.hit = true;
    count(template);
    return true;
  };
  const settleReach = () => {
    for (const m of models) {
      if (!m.hit || m.gone) continue;
      m.gone = true;
      const saved = currentStep;
      currentStep = undefined;
      count('unreachable-escalation');
      currentStep = saved;
    }
  };

  /** A link email arrives: the provider plans its answer once per action, from the first such email. Nobody acts on a bounced one. */
  const receiveLink = (m: Model, action: Action, receivedAt: number, expiresAt: number) => {
    if (m.p.unreachable) return;
    m.link.set(action, expiresAt);
    if (m.planned.has(action)) return;
    m.planned.add(action);
    const behaviour = m.p.responds[action];
    const key = [seed, m.p.agb, action];
    const at = answerAt(behaviour.timing, receivedAt, expiresAt, key);
    if (at === undefined) return;
    const first = behaviour.mistake === 'none' || behaviour.timing === 'late' ? 'valid' : 'invalid';
    schedule(at, () => act(m, action, first, at));
  };

  /** An email with a link for `action` is queued for the provider at `at`. */
  const queuedLink = (m: Model, action: Action, at: number) => m.linkQueued.set(action, at);
  /** Whether a reminder for `action` at `at` skips the provider: a link for it was queued within the last 3 days. */
  const linkedRecently = (m: Model, action: Action, at: number) => (m.linkQueued.get(action) ?? -Infinity) > at - RECENT_LINK;

  /** A confirmation of a provider's action, sent by the scheduled sender at the next minute. */
  const confirm = (m: Model, template: string, at: number, link?: { action: Action; expiresAt: number }) => {
    const saved = currentStep;
    currentStep = undefined;
    count(template);
    currentStep = saved;
    if (link) {
      queuedLink(m, link.action, at);
      const tick = nextTick(at);
      schedule(tick, () => receiveLink(m, link.action, tick, link.expiresAt));
    }
  };

  const allowed = (m: Model, action: Action, at: number): boolean => {
    switch (action) {
      case 'submit-registration':
        return (m.state === 'registration-started' || m.state === 'registration-submitted') && !!window && windowContains(window.opens, window.closes, at);
      case 'declare-conditions':
        return m.state === 'invited' && (stepAt('conditions-deadline', 'deadline') === undefined || at < stepAt('conditions-deadline', 'deadline')!);
      case 'submit-proposal':
        return (m.state === 'in-negotiation' || m.state === 'proposal-submitted') && (stepAt('proposal-deadline', 'deadline') === undefined || at < stepAt('proposal-deadline', 'deadline')!);
      case 'accept-negotiation-agreement':
        return m.state === 'proposal-submitted' || (m.state === 'in-negotiation' && !has('proposal-deadline'));
      case 'sign-agreement':
        return m.state === 'agreement-reached';
      case 'ask-question': // any provider, applicant or not, until the questions deadline
        return at < stepAt('questions-deadline', 'deadline')!;
    }
  };

  const act = (m: Model, action: Action, attempt: 'valid' | 'invalid', at: number): void => {
    const expiresAt = m.link.get(action);
    if (expiresAt === undefined || at > expiresAt || !allowed(m, action, at)) return; // 410 / 409: nothing happens
    // The simulation's "mistake" leaves a question valid (its text is always filled in): asked either way.
    if (attempt === 'invalid' && action !== 'ask-question') {
      if (m.p.responds[action].mistake === 'corrected') {
        const again = followUpAt(at, [seed, m.p.agb, action]);
        schedule(again, () => act(m, action, 'valid', again));
      }
      return; // 400
    }
    m.done.add(action);
    switch (action) {
      case 'submit-registration':
        m.state = 'registration-submitted';
        confirm(m, 'registration-received', at, { action, expiresAt: Date.parse(deadlineEnd(window!.closes)) });
        break;
      case 'declare-conditions':
        m.state = 'conditions-confirmed';
        confirm(m, 'conditions-confirmed', at);
        break;
      case 'submit-proposal':
        m.state = 'proposal-submitted';
        // Amendable until the proposal deadline: the confirmation carries a fresh link until then.
        confirm(m, 'proposal-received', at, ahead('proposal-deadline', at) ? { action, expiresAt: Date.parse(deadlineEnd(dateOf('proposal-deadline')!)) } : undefined);
        break;
      case 'accept-negotiation-agreement':
        m.state = 'agreement-reached';
        confirm(m, 'agreement-accepted', at, { action: 'sign-agreement', expiresAt: Date.parse(deadlineEnd(dateOf('signing-deadline') ?? dateOf('agreements-final')!)) });
        break;
      case 'sign-agreement':
        m.state = 'signed';
        confirm(m, 'agreement-signed', at);
        break;
      case 'ask-question':
        confirm(m, 'question-received', at);
        break;
    }
  };

  // -- new providers: the public form
  if (window) {
    for (const m of models) {
      if (m.p.kind !== 'new' || !m.p.registration) continue;
      const key = [seed, m.p.agb, 'request-registration'];
      const request = (at: number, attempt: 'valid' | 'invalid') => {
        if (!windowContains(window.opens, window.closes, at)) return; // 403 / 410
        if (attempt === 'invalid') {
          if (m.p.registration!.mistake === 'corrected') {
            const again = followUpAt(at, key);
            schedule(again, () => request(again, 'valid'));
          }
          return;
        }
        m.known = true;
        m.state = 'registration-started';
        confirm(m, 'registration-link', at, { action: 'submit-registration', expiresAt: Date.parse(deadlineEnd(window.closes)) });
      };
      const at = registrationAt(window, m.p.registration.timing, key);
      schedule(at, () => request(at, m.p.registration!.mistake === 'none' ? 'valid' : 'invalid'));
    }
    // -- purchasers
    for (const m of models) {
      if (m.p.kind !== 'new' || !m.p.decision || m.p.decision === 'undecided') continue;
      const at = decisionAt(calendar, [seed, m.p.agb, 'decide']);
      const decision = m.p.decision;
      if (at !== undefined) schedule(at, () => {
        if (m.state === 'under-review') m.state = decision;
      });
    }
  }

  // -- the milestone steps
  const ofCareType = () => models.filter((m) => m.known && (m.p.careTypes.includes(code)));
  const inState = (...states: State[]) => models.filter((m) => m.state && states.includes(m.state));
  const openApplications = () => models.filter((m) => m.state && !TERMINAL.includes(m.state));
  const existingHolder = (m: Model) =>
    m.known &&
    m.p.careTypes.includes(code) &&
    !m.p.contracts.some((c) => c.careType === code && c.firstYear <= year && year <= c.lastYear) &&
    m.p.contracts.some((c) => c.careType === code && c.lastYear === year - 1);
  const inviteExisting = () => {
    for (const m of models) if (!m.state && existingHolder(m)) m.state = 'invited';
  };
  const ahead = (kind: MilestoneKind, at: number) => {
    const d = dateOf(kind);
    return !!d && at <= Date.parse(deadlineEnd(d));
  };
  const happened = (kind: MilestoneKind) => steps.filter((s) => s.kind === kind).every((s) => done.has(s.stepId)) && has(kind);
  const lapse = (states: State[], action: Action, template?: string) => {
    for (const m of inState(...states)) {
      m.state = 'lapsed';
      lapsedFor[m.p.agb] = action;
      if (template) countFor(m, template);
    }
  };
  const agreementEmail = (m: Model, at: number) => {
    if (!countFor(m, 'agreement-available')) return;
    if (ahead('proposal-deadline', at)) {
      queuedLink(m, 'submit-proposal', at);
      receiveLink(m, 'submit-proposal', at, Date.parse(deadlineEnd(dateOf('proposal-deadline')!)));
    }
  };
  const acceptBy = (step: TimelineStep): string => {
    const after = (d: string | undefined) => (d && d > step.localDate ? d : undefined);
    const publication = after(dateOf('contracted-publication'));
    const dayBefore = (d: string) => new Date(Date.parse(`${d}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const final = after(dateOf('agreements-final'));
    // Wlz: signing ends at agreements final, so the agreement is accepted the day before.
    const finalAccept = final && (signsAtAgreementsFinal ? dayBefore(final) : final);
    return (publication && dayBefore(publication)) || after(dateOf('signing-deadline')) || finalAccept!;
  };

  /** Everyone in `states` gets `template` with a link for `action`, valid until the end of the day `until`; a reminder not who got such a link recently. */
  const emailLinks = (states: State[], template: string, action: Action, at: number, until: string): void => {
    const expiresAt = Date.parse(deadlineEnd(until));
    for (const m of inState(...states)) {
      if (template === 'reminder' && linkedRecently(m, action, at)) continue;
      if (!countFor(m, template)) continue;
      queuedLink(m, action, at);
      receiveLink(m, action, at, expiresAt);
    }
  };
  const offerNegotiationAgreements = (step: TimelineStep, at: number): void => {
    const states: State[] = has('proposal-deadline') ? ['proposal-submitted'] : ['proposal-submitted', 'in-negotiation'];
    emailLinks(states, 'negotiation-agreement-offered', 'accept-negotiation-agreement', at, acceptBy(step));
  };

  const runStep = (step: TimelineStep): void => {
    const at = Date.parse(step.at);
    switch (`${step.kind}#${step.phase}`) {
      case 'policy-publication#notify':
        inviteExisting();
        for (const m of ofCareType()) countFor(m, 'policy-published');
        break;
      case 'registration-window#opens':
        for (const m of ofCareType()) {
          const runs = m.p.contracts.some((c) => c.careType === code && c.firstYear <= year && year <= c.lastYear);
          if (!m.state && !runs) countFor(m, 'registration-invitation');
        }
        break;
      case 'registration-window#reminder':
        for (const m of inState('registration-started')) {
          if (linkedRecently(m, 'submit-registration', at) || !countFor(m, 'reminder')) continue;
          queuedLink(m, 'submit-registration', at);
          receiveLink(m, 'submit-registration', at, Date.parse(deadlineEnd(window!.closes)));
        }
        break;
      case 'registration-window#closes':
        lapse(['registration-started'], 'submit-registration', 'registration-lapsed');
        for (const m of inState('registration-submitted')) m.state = 'under-review';
        break;
      case 'portal-opening#notify':
        inviteExisting();
        if (ahead('conditions-deadline', at)) {
          emailLinks(['invited'], 'conditions-request', 'declare-conditions', at, dateOf('conditions-deadline')!);
        }
        break;
      case 'conditions-deadline#reminder':
        emailLinks(['invited'], 'reminder', 'declare-conditions', at, dateOf('conditions-deadline')!);
        break;
      case 'conditions-deadline#deadline': {
        lapse(['invited'], 'declare-conditions', 'deadline-missed');
        const moved = inState('conditions-confirmed');
        for (const m of moved) {
          m.state = 'in-negotiation';
          if (happened('agreement-available')) agreementEmail(m, at);
        }
        break;
      }
      case 'agreement-available#notify':
        inviteExisting();
        for (const m of inState('conditions-confirmed')) m.state = 'in-negotiation';
        if (!has('conditions-deadline')) for (const m of inState('invited')) m.state = 'in-negotiation';
        for (const m of inState('in-negotiation')) agreementEmail(m, at);
        break;
      case 'eligibility-notification#notify': {
        const eligible = inState('eligible');
        for (const m of eligible) {
          m.state = 'in-negotiation';
          countFor(m, 'eligibility-decision');
        }
        for (const m of inState('not-eligible')) countFor(m, 'eligibility-decision');
        if (happened('agreement-available')) for (const m of eligible) agreementEmail(m, at);
        if (inState('under-review').length) count('eligibility-escalation');
        break;
      }
      case 'proposal-deadline#reminder':
        emailLinks(['in-negotiation'], 'reminder', 'submit-proposal', at, dateOf('proposal-deadline')!);
        break;
      case 'proposal-deadline#deadline':
        lapse(['in-negotiation'], 'submit-proposal', 'deadline-missed');
        break;
      case 'negotiation-agreements#notify':
        offerNegotiationAgreements(step, at);
        break;
      case 'questions-deadline#reminder':
        for (const m of ofCareType()) {
          if (linkedRecently(m, 'ask-question', at) || !countFor(m, 'questions-deadline-reminder')) continue;
          queuedLink(m, 'ask-question', at);
          receiveLink(m, 'ask-question', at, Date.parse(deadlineEnd(dateOf('questions-deadline')!)));
        }
        break;
      case 'questions-deadline#deadline':
        break;
      case 'qa-memo-publication#notify':
        // Every provider in the cycle: those of the care type and those with an application.
        for (const m of new Set([...ofCareType(), ...models.filter((m) => m.state)])) countFor(m, 'qa-memo-published');
        break;
      case 'first-feedback#notify':
        // Wlz: the talks open (step 8), then the feedback to every open application.
        inviteExisting();
        for (const m of inState('invited', 'conditions-confirmed')) m.state = 'in-negotiation';
        for (const m of openApplications()) countFor(m, 'feedback');
        break;
      case 'final-feedback#notify':
        for (const m of openApplications()) countFor(m, 'feedback');
        if (!has('negotiation-agreements') && signsAtAgreementsFinal) offerNegotiationAgreements(step, at);
        break;
      case 'agreements-final#reminder':
        if (signsAtAgreementsFinal) emailLinks(['agreement-reached'], 'reminder', 'sign-agreement', at, dateOf('agreements-final')!);
        break;
      case 'agreements-final#deadline':
        if (signsAtAgreementsFinal) {
          // Wlz: the agreements are final; no signing deadline follows.
          for (const m of inState('signed')) {
            m.state = 'contracted';
            countFor(m, 'agreements-final');
          }
          const open = openApplications();
          for (const m of open) m.state = 'not-contracted';
          if (open.length) count('signing-escalation');
          break;
        }
        // Negotiations end: without a negotiation-agreements milestone, the agreement is offered here.
        if (!has('negotiation-agreements')) offerNegotiationAgreements(step, at);
        for (const m of inState('agreement-reached', 'signed')) countFor(m, 'agreements-final');
        break;
      case 'contracted-publication#notify':
        count('contracted-list-ready');
        break;
      case 'signing-deadline#reminder':
        emailLinks(['agreement-reached'], 'reminder', 'sign-agreement', at, dateOf('signing-deadline')!);
        break;
      case 'signing-deadline#deadline': {
        for (const m of inState('signed')) {
          m.state = 'contracted';
          countFor(m, 'contracted');
        }
        const open = models.filter((m) => m.state && !TERMINAL.includes(m.state) && m.state !== 'signed' && m.state !== 'contracted');
        for (const m of open) m.state = 'not-contracted';
        if (open.length) count('signing-escalation');
        if (has('contracted-publication')) count('contracted-list-ready');
        break;
      }
      case 'agreement-available#reminder':
      case 'signing-deadline#notify':
        break;
      default:
        throw new Error(`expected.ts does not model ${step.kind} (${step.phase})`);
    }
    done.add(step.stepId);
  };
  for (const step of steps) {
    schedule(Date.parse(step.at), () => {
      currentStep = step;
      runStep(step);
      currentStep = undefined;
      settleReach();
    });
  }

  // -- run the year: by instant, ties by insertion (a step before what it causes)
  const last = Date.parse(steps.at(-1)!.at);
  while (queue.length) {
    queue.sort((a, b) => a.at - b.at || a.order - b.order);
    const next = queue.shift()!;
    if (next.at > last) break; // the year is over; late answers after the last step are moot
    next.run();
  }

  const states: Record<string, number> = {};
  const byState: Record<string, string[]> = {};
  for (const m of models) {
    if (!m.state) continue;
    states[m.state] = (states[m.state] ?? 0) + 1;
    byState[m.state] = [...(byState[m.state] ?? []), m.p.agb];
  }
  for (const list of Object.values(byState)) list.sort();
  return { emails, perStep, states, byState, lapsedFor };
}

/** The year of several cycles rehearsed at once: each cycle's model, and the year's totals. */
export interface ExpectedCycles {
  byCycle: Record<string, Expected>;
  /** Emails by template, all cycles. */
  emails: Record<string, number>;
  /** Final applications by state, all cycles. */
  states: Record<string, number>;
  /** AGB codes with an application in more than one cycle. */
  inSeveral: string[];
}

/**
 * Several cycles at once (one population for all, `year.cycles`: each provider's part in each cycle). What
 * joins the cycles, worked out here from the documented rules rather than taken from the plan:
 * - one provider table, imported once: a provider is known to every cycle with the same care types,
 *   contracts and contacts (checked: the plan must say the same of it in every cycle), so a cycle's audience
 *   is whoever is of its care type there, also providers whose home is another cycle;
 * - a provider known already that asks through a cycle's public form is not changed by it
 *   (functions/links/registration-request.ts): it gets an application there, and no care type;
 * - nothing else crosses: links, emails, reminders (the recent-link rule is per cycle) and decisions
 *   belong to one cycle, so each cycle's year is the one-cycle model above over its providers.
 */
export function expectedCycles(calendars: readonly Calendar[], cycles: Record<string, Population>): ExpectedCycles {
  const ids = calendars.map((c) => c.id);
  const [first] = ids;
  const count = cycles[first].providers.length;
  for (const id of ids) {
    if (cycles[id].providers.length !== count) throw new Error(`expected.ts: cycle ${id} has another population`);
    cycles[id].providers.forEach((p, i) => {
      const q = cycles[first].providers[i];
      const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
      if (p.agb !== q.agb || !same(p.careTypes, q.careTypes) || !same(p.contracts, q.contracts) || !same(p.contacts, q.contacts)) {
        throw new Error(`expected.ts: provider ${p.agb} is known differently in ${id} and ${first}: one provider table serves all cycles`);
      }
    });
  }
  const byCycle: Record<string, Expected> = {};
  const emails: Record<string, number> = {};
  const states: Record<string, number> = {};
  const cyclesOf = new Map<string, number>();
  for (const calendar of calendars) {
    const e = expectedYear(calendar, cycles[calendar.id]);
    byCycle[calendar.id] = e;
    for (const [t, n] of Object.entries(e.emails)) emails[t] = (emails[t] ?? 0) + n;
    for (const [s, n] of Object.entries(e.states)) states[s] = (states[s] ?? 0) + n;
    for (const agbs of Object.values(e.byState)) for (const agb of agbs) cyclesOf.set(agb, (cyclesOf.get(agb) ?? 0) + 1);
  }
  return { byCycle, emails, states, inSeveral: [...cyclesOf].filter(([, n]) => n > 1).map(([agb]) => agb).sort() };
}
