import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { TransitionRefusedError } from '../../../functions/commons/errors.ts';
import { GUARDS, type GuardContext } from '../../../functions/domain/guards.ts';
import type { Actor, Trigger } from '../../../functions/domain/model.ts';
import { contactIdFor } from '../../../functions/domain/provider.ts';
import { APPLICATION_STATES, TERMINAL_STATES, type ApplicationState, type Track } from '../../../functions/domain/states.ts';
import {
  applyTransition,
  contextNeeds,
  decide,
  openApplication,
  recordedTransition,
  TRANSITIONS,
  triggers,
  type TransitionRule,
} from '../../../functions/domain/transitions.ts';
import { aProvider, aStep, aTimeline, anApplication, actors } from '../../support/factories.ts';

const AGB = '12345678';
const provider = aProvider({ agb: AGB });
const signatory = provider.contacts.find((c) => c.role === 'signatory')!;
const general = provider.contacts.find((c) => c.role === 'general')!;
/** Inside the registration window, before every deadline. */
const NOW = Date.parse('2020-06-01T10:00:00Z');
const openContext: Omit<GuardContext, 'actor'> = { now: NOW, steps: aTimeline(), provider };

/** ZG-like: the talks closed on 11 November and no signing milestone follows, so they closed the year. */
const yearClosedContext: Omit<GuardContext, 'actor'> = {
  now: Date.parse('2020-11-20T10:00:00Z'),
  steps: [aStep('negotiation-period', 'opens', '2020-08-01T07:00:00Z'), aStep('negotiation-period', 'closes', '2020-11-11T23:00:00Z')],
  provider,
};
/** The context a row's guard passes in. */
const contextOf = (r: TransitionRule) => (r.guard === 'signatory-after-the-year-closed' ? yearClosedContext : openContext);

/** A concrete trigger for a table row (a phase-less milestone pattern fires with its `notify` phase). */
const concrete = (t: Trigger): Trigger => (t.kind === 'milestone' && !t.phase ? { ...t, phase: 'notify' } : t);

function actorFor(t: Trigger): Actor {
  switch (t.kind) {
    case 'milestone':
    case 'deadline':
      return actors.system;
    case 'provider':
      return actors.provider(AGB, signatory.id);
    case 'purchaser':
      return actors.purchaser;
    case 'operator':
      return actors.operator;
  }
}

const label = (r: TransitionRule) => `${r.from ?? '(new)'} → ${r.to} on ${JSON.stringify(r.trigger)} [${r.tracks.join(',')}]`;

function refusal(fn: () => unknown): TransitionRefusedError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(TransitionRefusedError);
    return error as TransitionRefusedError;
  }
  throw new Error('expected a refusal');
}

describe('the transition table', () => {
  it.each(TRANSITIONS.map((r) => [label(r), r] as const))('allows %s', (_label, rule) => {
    for (const track of rule.tracks) {
      const trigger = concrete(rule.trigger);
      const actor = actorFor(trigger);
      const { application, event } =
        rule.from === null
          ? openApplication({ cycleId: 'c', agb: AGB, track, providerName: 'P', to: rule.to, trigger, actor }, contextOf(rule))
          : applyTransition(anApplication({ agb: AGB, track, state: rule.from, version: 4 }), { to: rule.to, trigger, actor }, contextOf(rule));
      expect(application.state).toBe(rule.to);
      expect(application.version).toBe(rule.from === null ? 1 : 5);
      expect(event).toMatchObject({ from: rule.from, to: rule.to, version: application.version, trigger, actor });
    }
  });

  it('names a known guard on every row and never leaves a terminal state except by an operator', () => {
    for (const rule of TRANSITIONS) {
      expect(GUARDS[rule.guard]).toBeDefined();
      if (rule.from && TERMINAL_STATES.includes(rule.from)) expect(rule.trigger.kind).toBe('operator');
    }
  });

  it('reaches every state, and every state reaches a terminal one', () => {
    const next = new Map<ApplicationState | null, Set<ApplicationState>>();
    for (const r of TRANSITIONS) next.set(r.from, new Set([...(next.get(r.from) ?? []), r.to]));
    const reached = new Set<ApplicationState>();
    const queue: (ApplicationState | null)[] = [null];
    while (queue.length) {
      for (const s of next.get(queue.shift()!) ?? []) {
        if (reached.has(s)) continue;
        reached.add(s);
        queue.push(s);
      }
    }
    expect([...reached].sort()).toEqual([...APPLICATION_STATES].sort());
    for (const state of APPLICATION_STATES.filter((s) => !TERMINAL_STATES.includes(s))) {
      expect([...(next.get(state) ?? [])].some((s) => TERMINAL_STATES.includes(s)), state).toBe(true);
    }
  });

  it('covers both tracks end to end', () => {
    const walk = (track: Track, steps: [Trigger, ApplicationState?][], start: Trigger) => {
      let app = openApplication(
        { cycleId: 'c', agb: AGB, track, providerName: 'P', trigger: start, actor: actorFor(start) },
        openContext,
      ).application;
      const path = [app.state];
      for (const [trigger, to] of steps) {
        app = applyTransition(app, { trigger, to, actor: actorFor(trigger) }, openContext).application;
        path.push(app.state);
      }
      return path;
    };
    expect(
      walk(
        'new',
        [
          [triggers.provider('submit-registration')],
          [triggers.provider('submit-registration')],
          [triggers.milestone('registration-window', 'closes')],
          [triggers.purchaser('eligible')],
          [triggers.milestone('eligibility-notification', 'notify')],
          [triggers.provider('submit-proposal')],
          [triggers.provider('accept-negotiation-agreement')],
          [triggers.provider('sign-agreement')],
          [triggers.milestone('signing-deadline', 'deadline')],
        ],
        triggers.provider('request-registration'),
      ),
    ).toEqual([
      'registration-started',
      'registration-submitted',
      'registration-submitted',
      'under-review',
      'eligible',
      'in-negotiation',
      'proposal-submitted',
      'agreement-reached',
      'signed',
      'contracted',
    ]);
    expect(
      walk(
        'existing',
        [
          [triggers.provider('declare-conditions')],
          [triggers.milestone('agreement-available', 'notify')],
          [triggers.provider('submit-proposal')],
          [triggers.provider('accept-negotiation-agreement')],
          [triggers.milestone('signing-deadline', 'deadline')],
        ],
        triggers.milestone('policy-publication', 'notify'),
      ),
    ).toEqual(['invited', 'conditions-confirmed', 'in-negotiation', 'proposal-submitted', 'agreement-reached', 'not-contracted']);
  });
});

describe('refused transitions', () => {
  const at = (state: ApplicationState, track: Track = 'existing') => anApplication({ agb: AGB, state, track });
  const sample: [string, ApplicationState, Track, Trigger, Actor, ApplicationState?][] = [
    ['an invited provider is not contracted by the signing deadline as "contracted"', 'invited', 'existing', triggers.milestone('signing-deadline', 'deadline'), actors.system, 'contracted'],
    ['a contracted application does not move', 'contracted', 'existing', triggers.provider('withdraw'), actors.provider(AGB)],
    ['a lapsed one cannot submit a proposal', 'lapsed', 'existing', triggers.provider('submit-proposal'), actors.provider(AGB)],
    ['under review cannot submit a proposal', 'under-review', 'new', triggers.provider('submit-proposal'), actors.provider(AGB)],
    ['in negotiation cannot be signed directly', 'in-negotiation', 'existing', triggers.provider('sign-agreement'), actors.provider(AGB, signatory.id)],
    ['a signed agreement is not withdrawn by the provider', 'signed', 'existing', triggers.provider('withdraw'), actors.provider(AGB)],
    ['existing holders do not register', 'invited', 'existing', triggers.provider('submit-registration'), actors.provider(AGB)],
    ['new providers do not declare conditions', 'registration-started', 'new', triggers.provider('declare-conditions'), actors.provider(AGB)],
    ['a started registration is not reviewed (only a submitted one, at the close)', 'registration-started', 'new', triggers.milestone('registration-window', 'closes'), actors.system],
    ['a purchaser decision needs a review', 'registration-submitted', 'new', triggers.purchaser('eligible'), actors.purchaser],
    ['the system does not pull provider actions', 'in-negotiation', 'existing', triggers.provider('submit-proposal'), actors.system],
    ['a provider does not act for another provider', 'in-negotiation', 'existing', triggers.provider('submit-proposal'), actors.provider('87654321')],
    ['a provider does not decide', 'under-review', 'new', triggers.purchaser('eligible'), actors.provider(AGB)],
    ['an operator reinstatement must name its target', 'lapsed', 'existing', triggers.operator('reinstate'), actors.operator],
  ];

  it.each(sample)('%s', (_name, state, track, trigger, actor, to) => {
    const app = at(state, track);
    const error = refusal(() => applyTransition(app, { trigger, actor, to }, openContext));
    expect(error.code).toBe('TransitionRefused');
    expect(error.details).toMatchObject({ agb: AGB, from: state });
  });

  it('refuses creation on the wrong track', () => {
    refusal(() =>
      openApplication(
        { cycleId: 'c', agb: AGB, track: 'existing', providerName: 'P', trigger: triggers.provider('request-registration'), actor: actors.provider(AGB) },
        openContext,
      ),
    );
  });
});

describe('guards', () => {
  const ctxAt = (iso: string, extra: Partial<GuardContext> = {}) => ({ ...openContext, now: Date.parse(iso), ...extra });
  const submit = (state: ApplicationState, now: string) =>
    applyTransition(anApplication({ agb: AGB, state, track: 'new' }), { trigger: triggers.provider('submit-registration'), actor: actors.provider(AGB) }, ctxAt(now));

  it('accepts registrations on both days of the window, Amsterdam time', () => {
    expect(submit('registration-started', '2020-04-30T22:00:00Z').application.state).toBe('registration-submitted'); // 1 May 00:00 CEST
    expect(submit('registration-submitted', '2020-07-01T21:59:59Z').application.state).toBe('registration-submitted'); // 1 July 23:59:59
  });

  it('refuses registrations before and after the window, and without a window', () => {
    expect(refusal(() => submit('registration-started', '2020-04-30T21:59:59Z')).details).toMatchObject({ rule: 'guard', guards: ['registration-window-open'] });
    refusal(() => submit('registration-submitted', '2020-07-01T22:00:00Z'));
    refusal(() =>
      applyTransition(
        anApplication({ agb: AGB, state: 'registration-started', track: 'new' }),
        { trigger: triggers.provider('submit-registration'), actor: actors.provider(AGB) },
        { ...openContext, steps: [] },
      ),
    );
  });

  it('an amendment keeps the time the state was entered', () => {
    const app = anApplication({ agb: AGB, state: 'registration-submitted', track: 'new', stateSince: '2020-05-10T10:00:00.000Z' });
    const { application } = applyTransition(app, { trigger: triggers.provider('submit-registration'), actor: actors.provider(AGB), patch: { registration: { documents: 2 } } }, openContext);
    expect(application).toMatchObject({ stateSince: '2020-05-10T10:00:00.000Z', version: 2, registration: { documents: 2 } });
  });

  it('declaring conditions closes with the conditions deadline', () => {
    const steps = aTimeline({ conditionsDeadline: '2020-09-01' });
    const declare = (now: string) =>
      applyTransition(anApplication({ agb: AGB, state: 'invited' }), { trigger: triggers.provider('declare-conditions'), actor: actors.provider(AGB) }, ctxAt(now, { steps }));
    expect(declare('2020-09-01T21:00:00Z').application.state).toBe('conditions-confirmed');
    refusal(() => declare('2020-09-01T22:00:00Z'));
  });

  it('moves invited holders into negotiation at the agreement only when the calendar has no conditions deadline', () => {
    const move = (steps = aTimeline()) =>
      applyTransition(anApplication({ agb: AGB, state: 'invited' }), { trigger: triggers.milestone('agreement-available', 'notify'), actor: actors.system }, { ...openContext, steps });
    expect(move().application.state).toBe('in-negotiation');
    refusal(() => move(aTimeline({ conditionsDeadline: '2020-09-01' })));
  });

  it('proposals close with the proposal deadline; without one the agreement may be accepted directly', () => {
    const steps = aTimeline({ proposalDeadline: '2020-09-15' });
    const propose = (now: string) =>
      applyTransition(anApplication({ agb: AGB, state: 'in-negotiation' }), { trigger: triggers.provider('submit-proposal'), actor: actors.provider(AGB) }, ctxAt(now, { steps }));
    expect(propose('2020-09-15T12:00:00Z').application.state).toBe('proposal-submitted');
    refusal(() => propose('2020-09-15T22:00:00Z'));
    const accept = (s = steps) =>
      applyTransition(anApplication({ agb: AGB, state: 'in-negotiation' }), { trigger: triggers.provider('accept-negotiation-agreement'), actor: actors.provider(AGB) }, { ...openContext, steps: s });
    refusal(() => accept());
    expect(accept(aTimeline()).application.state).toBe('agreement-reached');
  });

  it('only the authorised signatory signs', () => {
    const sign = (contactId: string, p = provider) =>
      applyTransition(anApplication({ agb: AGB, state: 'agreement-reached' }), { trigger: triggers.provider('sign-agreement'), actor: actors.provider(AGB, contactId) }, { ...openContext, provider: p });
    expect(sign(signatory.id).application.state).toBe('signed');
    expect(refusal(() => sign(general.id)).details).toMatchObject({ guards: ['signatory-while-the-year-is-open', 'signatory-after-the-year-closed'] });
    refusal(() => sign(contactIdFor('someone@else.example.nl')));
    refusal(() => sign(signatory.id, aProvider({ agb: '99999999' }))); // another provider's profile
  });

  it('ZG: a signature after the talks closed the year contracts at once; before, it is signed and waits for the close', async () => {
    const steps = buildTimeline(await loadCalendar('zg-2024-2025'));
    const sign = (now: string, contactId = signatory.id) =>
      applyTransition(
        anApplication({ agb: AGB, state: 'agreement-reached' }),
        { trigger: triggers.provider('sign-agreement'), actor: actors.provider(AGB, contactId) },
        { now: Date.parse(now), steps, provider },
      ).application.state;
    expect(sign('2023-11-11T22:59:59Z')).toBe('signed'); // 11 November 23:59:59, the last day of the talks
    expect(sign('2023-11-11T23:00:00Z')).toBe('contracted'); // 12 November 00:00 Amsterdam
    expect(sign('2023-12-31T22:59:59Z')).toBe('contracted');
    refusal(() => sign('2023-12-01T10:00:00Z', general.id));
    // With a signing milestone (MSR) the year closes at the signing deadline, never at the talks.
    const msr = buildTimeline(await loadCalendar('msr-2021'));
    expect(decide({ agb: AGB, track: 'existing', state: 'agreement-reached' }, { trigger: triggers.provider('sign-agreement'), actor: actors.provider(AGB, signatory.id) }, { now: Date.parse('2020-12-01T10:00:00Z'), steps: msr, provider }).to).toBe('signed');
  });

  it('says which context the candidate guards need', () => {
    const subject = { agb: AGB, track: 'existing' as const, state: 'agreement-reached' as const };
    expect([...contextNeeds(subject, { trigger: triggers.provider('sign-agreement') })]).toEqual(['provider', 'steps']);
    expect([...contextNeeds(subject, { trigger: triggers.milestone('signing-deadline', 'deadline') })]).toEqual([]);
    expect([...contextNeeds({ ...subject, state: 'invited' }, { trigger: triggers.milestone('agreement-available') })]).toEqual(['steps']);
  });

  it('decides the target from the trigger when it is unambiguous', () => {
    const signingDeadline = triggers.milestone('signing-deadline', 'deadline');
    expect(decide({ agb: AGB, track: 'existing', state: 'signed' }, { trigger: signingDeadline, actor: actors.system }, openContext).to).toBe('contracted');
    expect(decide({ agb: AGB, track: 'new', state: 'under-review' }, { trigger: signingDeadline, actor: actors.system }, openContext).to).toBe('not-contracted');
  });
});

describe('the last transition, recorded on the application', () => {
  it('matches the event of each version, from the creation on', () => {
    const opened = openApplication(
      { cycleId: 'c', agb: AGB, track: 'existing', providerName: 'P', trigger: triggers.milestone('policy-publication', 'notify'), actor: actors.system },
      openContext,
    );
    expect(opened.application.lastTransition).toEqual({ version: 1, from: null, trigger: opened.event.trigger });
    const moved = applyTransition(opened.application, { trigger: triggers.provider('declare-conditions'), actor: actors.provider(AGB) }, openContext);
    expect(moved.application.lastTransition).toEqual({ version: 2, from: 'invited', trigger: triggers.provider('declare-conditions') });
    const { from, to, trigger } = moved.event;
    expect(recordedTransition(moved.application)).toEqual({ from, to, trigger });
  });

  it('is not trusted when it does not describe the current version, or is absent (older items): read the events then', () => {
    const app = anApplication({ agb: AGB, state: 'lapsed', version: 3 });
    expect(recordedTransition(app)).toBeUndefined();
    expect(recordedTransition({ ...app, lastTransition: { version: 2, from: 'invited', trigger: triggers.deadline('conditions-deadline') } })).toBeUndefined();
    expect(recordedTransition({ ...app, lastTransition: { version: 3, from: 'invited', trigger: triggers.deadline('conditions-deadline') } })).toEqual({
      from: 'invited',
      to: 'lapsed',
      trigger: triggers.deadline('conditions-deadline'),
    });
  });
});
