/**
 * The application state machine: one transition table, as data, for both
 * tracks end to end. Anything not in the table is refused. `applyTransition`
 * is pure: it returns the next application and its audit event; the store
 * writes both in one transaction (functions/store/applications.ts).
 */
import type { MilestoneKind, ProviderAction } from '../calendar/schema.ts';
import { TransitionRefusedError } from '../commons/errors.ts';
import { GUARDS, type GuardContext, type GuardName } from './guards.ts';
import type { Actor, Application, ApplicationPatch, Event, StepPhase, Trigger } from './model.ts';
import { NON_TERMINAL_STATES, TRACKS, type ApplicationState, type Track } from './states.ts';

/** Trigger builders; a milestone trigger in the table without `phase` matches every phase. */
export const triggers = {
  milestone: (milestone: MilestoneKind, phase?: StepPhase): Trigger =>
    phase ? { kind: 'milestone', milestone, phase } : { kind: 'milestone', milestone },
  deadline: (milestone: MilestoneKind): Trigger => ({ kind: 'deadline', milestone }),
  provider: (action: ProviderAction): Trigger => ({ kind: 'provider', action }),
  purchaser: (decision: 'eligible' | 'not-eligible' | 'not-contracted'): Trigger => ({ kind: 'purchaser', decision }),
  operator: (action: 'invite' | 'register' | 'withdraw' | 'reinstate'): Trigger => ({ kind: 'operator', action }),
};
const { milestone, deadline, provider, purchaser, operator } = triggers;

export interface TransitionRule {
  /** null: the transition that creates the application. */
  from: ApplicationState | null;
  to: ApplicationState;
  trigger: Trigger;
  guard: GuardName;
  tracks: readonly Track[];
}

type From = ApplicationState | null | readonly ApplicationState[];
type Row = readonly [from: From, to: ApplicationState, trigger: Trigger, guard: GuardName, tracks: readonly Track[]];

const BOTH = TRACKS;
const NEW = ['new'] as const;
const EXISTING = ['existing'] as const;
const OPEN_UNSIGNED = NON_TERMINAL_STATES.filter((s) => s !== 'signed');
const NEGOTIATING = ['eligible', 'in-negotiation', 'proposal-submitted', 'agreement-reached'] as const;
const REOPENABLE = ['lapsed', 'not-eligible', 'not-contracted', 'withdrawn'] as const;

// prettier-ignore
const ROWS: readonly Row[] = [
  // from                      to                        trigger                                          guard                          tracks
  // -- creation
  [null,                      'invited',                milestone('policy-publication'),                 'always',                      EXISTING],
  [null,                      'invited',                milestone('portal-opening'),                     'always',                      EXISTING],
  [null,                      'invited',                milestone('agreement-available'),                'always',                      EXISTING],
  [null,                      'invited',                milestone('negotiation-period'),                 'always',                      EXISTING],
  [null,                      'invited',                milestone('first-feedback'),                     'always',                      EXISTING], // Wlz: the talks open after the first feedback
  [null,                      'invited',                operator('invite'),                              'always',                      EXISTING],
  [null,                      'registration-started',   provider('request-registration'),                'registration-window-open',    NEW],
  [null,                      'registration-started',   operator('register'),                            'always',                      NEW],
  // -- new providers: register in the window, get a decision
  ['registration-started',    'registration-submitted', provider('submit-registration'),                 'registration-window-open',    NEW],
  ['registration-submitted',  'registration-submitted', provider('submit-registration'),                 'registration-window-open',    NEW], // amend
  ['registration-started',    'lapsed',                 deadline('registration-window'),                 'always',                      NEW],
  ['registration-submitted',  'under-review',           milestone('registration-window', 'closes'),      'always',                      NEW],
  ['under-review',            'eligible',               purchaser('eligible'),                           'always',                      NEW],
  ['under-review',            'not-eligible',           purchaser('not-eligible'),                       'always',                      NEW],
  ['eligible',                'in-negotiation',         milestone('eligibility-notification'),           'always',                      NEW],
  ['eligible',                'in-negotiation',         milestone('negotiation-period'),                 'always',                      NEW],
  // -- existing contract holders: confirm the conditions
  ['invited',                 'conditions-confirmed',   provider('declare-conditions'),                  'before-conditions-deadline',  EXISTING],
  ['invited',                 'lapsed',                 deadline('conditions-deadline'),                 'always',                      EXISTING],
  ['invited',                 'in-negotiation',         milestone('agreement-available'),                'no-conditions-deadline',      EXISTING],
  ['invited',                 'in-negotiation',         milestone('negotiation-period'),                 'no-conditions-deadline',      EXISTING],
  ['invited',                 'in-negotiation',         milestone('first-feedback'),                     'no-conditions-deadline',      EXISTING], // Wlz
  ['conditions-confirmed',    'in-negotiation',         milestone('agreement-available'),                'always',                      EXISTING],
  ['conditions-confirmed',    'in-negotiation',         milestone('negotiation-period'),                 'always',                      EXISTING],
  ['conditions-confirmed',    'in-negotiation',         milestone('conditions-deadline'),                'always',                      EXISTING],
  ['conditions-confirmed',    'in-negotiation',         milestone('first-feedback'),                     'always',                      EXISTING], // Wlz
  // -- both: negotiate and sign
  ['in-negotiation',          'proposal-submitted',     provider('submit-proposal'),                     'before-proposal-deadline',    BOTH],
  ['proposal-submitted',      'proposal-submitted',     provider('submit-proposal'),                     'before-proposal-deadline',    BOTH], // amend
  ['in-negotiation',          'lapsed',                 deadline('proposal-deadline'),                   'always',                      BOTH],
  ['proposal-submitted',      'agreement-reached',      provider('accept-negotiation-agreement'),        'always',                      BOTH],
  ['in-negotiation',          'agreement-reached',      provider('accept-negotiation-agreement'),        'no-proposal-deadline',        BOTH],
  ['agreement-reached',       'signed',                 provider('sign-agreement'),                      'signatory-while-the-year-is-open', BOTH],
  ['agreement-reached',       'contracted',             provider('sign-agreement'),                      'signatory-after-the-year-closed', BOTH], // ZG: nothing is left to wait for
  ['signed',                  'contracted',             milestone('signing-deadline'),                   'always',                      BOTH],
  ['signed',                  'contracted',             milestone('agreements-final'),                   'always',                      BOTH], // Wlz: final once signed
  [OPEN_UNSIGNED,             'not-contracted',         milestone('signing-deadline'),                   'always',                      BOTH],
  [OPEN_UNSIGNED,             'not-contracted',         milestone('agreements-final'),                   'always',                      BOTH], // Wlz: signing ends there
  ['signed',                  'contracted',             milestone('negotiation-period', 'closes'),       'always',                      BOTH], // ZG: the talks end, no signing milestone follows
  [OPEN_UNSIGNED.filter((s) => s !== 'agreement-reached'), 'not-contracted', milestone('negotiation-period', 'closes'), 'always', BOTH], // ZG: no agreement when the talks end; an accepted one may still be signed
  [NEGOTIATING,               'not-contracted',         purchaser('not-contracted'),                     'always',                      BOTH],
  // -- leaving and repairs
  [OPEN_UNSIGNED,             'withdrawn',              provider('withdraw'),                            'always',                      BOTH],
  [NON_TERMINAL_STATES,       'withdrawn',              operator('withdraw'),                            'always',                      BOTH],
  [REOPENABLE,                'invited',                operator('reinstate'),                           'always',                      EXISTING],
  [REOPENABLE,                'registration-submitted', operator('reinstate'),                           'always',                      NEW],
  [REOPENABLE,                'under-review',           operator('reinstate'),                           'always',                      NEW],
  [REOPENABLE,                'in-negotiation',         operator('reinstate'),                           'always',                      BOTH],
];

/** The table, one row per (from, to, trigger). */
export const TRANSITIONS: readonly TransitionRule[] = ROWS.flatMap(([from, to, trigger, guard, tracks]) => {
  const froms: (ApplicationState | null)[] = from === null || typeof from === 'string' ? [from] : [...from];
  return froms.map((f) => ({ from: f, to, trigger, guard, tracks }));
});

export function triggerMatches(pattern: Trigger, trigger: Trigger): boolean {
  switch (pattern.kind) {
    case 'milestone':
      return trigger.kind === 'milestone' && trigger.milestone === pattern.milestone && (!pattern.phase || pattern.phase === trigger.phase);
    case 'deadline':
      return trigger.kind === 'deadline' && trigger.milestone === pattern.milestone;
    case 'provider':
      return trigger.kind === 'provider' && trigger.action === pattern.action;
    case 'purchaser':
      return trigger.kind === 'purchaser' && trigger.decision === pattern.decision;
    case 'operator':
      return trigger.kind === 'operator' && trigger.action === pattern.action;
  }
}

export const describeTrigger = (t: Trigger): string => {
  switch (t.kind) {
    case 'milestone':
      return `milestone ${t.milestone}${t.phase ? ` (${t.phase})` : ''}`;
    case 'deadline':
      return `deadline ${t.milestone}`;
    case 'provider':
      return `provider ${t.action}`;
    case 'purchaser':
      return `purchaser decision ${t.decision}`;
    case 'operator':
      return `operator ${t.action}`;
  }
};

export interface Subject {
  agb: string;
  track: Track;
  /** null: not created yet. */
  state: ApplicationState | null;
}

export interface TransitionRequest {
  /** Optional when the trigger leads to exactly one state from here. */
  to?: ApplicationState;
  trigger: Trigger;
  actor: Actor;
}

/** The table rows a request could take, before guards. */
export const candidatesFor = (subject: Subject, request: Omit<TransitionRequest, 'actor'>): TransitionRule[] =>
  TRANSITIONS.filter(
    (r) =>
      r.from === subject.state &&
      r.tracks.includes(subject.track) &&
      (request.to === undefined || r.to === request.to) &&
      triggerMatches(r.trigger, request.trigger),
  );

/** What context the guards of the candidate rows need, so the store loads only that. */
export function contextNeeds(subject: Subject, request: Omit<TransitionRequest, 'actor'>): Set<'steps' | 'provider'> {
  return new Set(candidatesFor(subject, request).flatMap((r) => GUARDS[r.guard].needs));
}

/** Who may pull which trigger: the system at milestones, the provider itself, a purchaser, an operator. */
function actorFits(subject: Subject, trigger: Trigger, actor: Actor): boolean {
  switch (trigger.kind) {
    case 'milestone':
    case 'deadline':
      return actor.kind === 'system';
    case 'provider':
      return actor.kind === 'provider' && actor.agb === subject.agb;
    case 'purchaser':
      return actor.kind === 'purchaser';
    case 'operator':
      return actor.kind === 'operator';
  }
}

/** Finds the one table row this request takes, or throws TransitionRefusedError. */
export function decide(subject: Subject, request: TransitionRequest, ctx: Omit<GuardContext, 'actor'>): TransitionRule {
  const from = subject.state ?? '(new)';
  const what = `${from} → ${request.to ?? '?'} on ${describeTrigger(request.trigger)}`;
  const refuse = (why: string, extra: Record<string, unknown> = {}): never => {
    throw new TransitionRefusedError(`Transition refused for ${subject.agb}: ${what}: ${why}`, {
      agb: subject.agb,
      from: subject.state,
      to: request.to,
      trigger: request.trigger,
      ...extra,
    });
  };
  if (!actorFits(subject, request.trigger, request.actor)) {
    refuse(`a ${request.actor.kind} may not pull this trigger`, { rule: 'actor' });
  }
  const candidates = candidatesFor(subject, request);
  if (candidates.length === 0) refuse(`not in the transition table for the ${subject.track} track`, { rule: 'table' });
  const passing = candidates.filter((r) => GUARDS[r.guard].check(subject, { ...ctx, actor: request.actor }));
  if (passing.length === 0) {
    const failed = [...new Set(candidates.map((r) => r.guard))];
    refuse(`guard failed: ${failed.map((g) => GUARDS[g].describe).join('; ')}`, { rule: 'guard', guards: failed });
  }
  const targets = new Set(passing.map((r) => r.to));
  if (targets.size > 1) refuse(`ambiguous, name the target state (one of ${[...targets].join(', ')})`, { rule: 'ambiguous' });
  return passing[0];
}

export interface AppliedTransition {
  application: Application;
  event: Event;
  rule: TransitionRule;
}

export interface ApplyRequest extends TransitionRequest {
  reason?: string;
  patch?: ApplicationPatch;
}

/** The next application and its event. Pure: writes nothing. */
export function applyTransition(app: Application, request: ApplyRequest, ctx: Omit<GuardContext, 'actor'>): AppliedTransition {
  const rule = decide(app, request, ctx);
  const at = new Date(ctx.now).toISOString();
  const version = app.version + 1;
  const application: Application = {
    ...app,
    ...request.patch,
    state: rule.to,
    version,
    updatedAt: at,
    stateSince: rule.to === app.state ? app.stateSince : at,
    lastTransition: { version, from: app.state, trigger: request.trigger },
  };
  return { application, event: eventOf(app.cycleId, app.agb, version, app.state, rule.to, request, at), rule };
}

/**
 * The transition that produced the application's current version, from the
 * application itself; undefined when it does not record it (written before
 * `lastTransition` was kept): then its last event tells.
 */
export function recordedTransition(app: Application): Pick<Event, 'from' | 'to' | 'trigger'> | undefined {
  const last = app.lastTransition;
  return last && last.version === app.version ? { from: last.from, to: app.state, trigger: last.trigger } : undefined;
}

export interface OpenRequest extends ApplyRequest {
  cycleId: string;
  agb: string;
  track: Track;
  providerName: string;
}

/** A new application (version 1) and its creating event, through a `from: null` row. */
export function openApplication(request: OpenRequest, ctx: Omit<GuardContext, 'actor'>): AppliedTransition {
  const rule = decide({ agb: request.agb, track: request.track, state: null }, request, ctx);
  const at = new Date(ctx.now).toISOString();
  const application: Application = {
    ...request.patch,
    cycleId: request.cycleId,
    agb: request.agb,
    track: request.track,
    providerName: request.providerName,
    state: rule.to,
    version: 1,
    createdAt: at,
    updatedAt: at,
    stateSince: at,
    lastTransition: { version: 1, from: null, trigger: request.trigger },
  };
  return { application, event: eventOf(request.cycleId, request.agb, 1, null, rule.to, request, at), rule };
}

function eventOf(cycleId: string, agb: string, version: number, from: ApplicationState | null, to: ApplicationState, request: ApplyRequest, at: string): Event {
  return {
    cycleId,
    agb,
    version,
    from,
    to,
    trigger: request.trigger,
    actor: request.actor,
    ...(request.reason ? { reason: request.reason } : {}),
    at,
  };
}
