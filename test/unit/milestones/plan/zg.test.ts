/**
 * The ZG 2024-2025 plans (seed 001): the start of the talks offers the negotiated agreement, their close
 * ends the year; calendars with a milestone that offers the agreement or ends the year keep their plans.
 * The moves the ZG plans make must be ones the transition table allows.
 */
import { describe, expect, it } from 'vitest';
import { loadCalendar, parseCalendar } from '../../../../functions/calendar/validate.ts';
import type { Calendar } from '../../../../functions/calendar/schema.ts';
import { TransitionRefusedError } from '../../../../functions/commons/errors.ts';
import type { Application } from '../../../../functions/domain/model.ts';
import { NON_TERMINAL_STATES, type ApplicationState } from '../../../../functions/domain/states.ts';
import { applyTransition, triggers } from '../../../../functions/domain/transitions.ts';
import { planFor } from '../../../../functions/milestones/plan.ts';
import { acceptDeadline } from '../../../../functions/milestones/plan/negotiation.ts';
import { aProvider } from '../../../support/factories.ts';
import { aStepContext, passNames, runMoves as runMovesOf, stepContextFor } from '../../../support/step-context.ts';

const contextFor = (stepId: string, now = '2023-06-01T10:00:00Z') => stepContextFor('zg-2024-2025', stepId, now);
const names = (stepId: string) => passNames('zg-2024-2025', stepId, '2023-06-01T10:00:00Z');

/** ZG with one more milestone (as a calendar that has it would be). */
async function zgWith(milestone: Record<string, unknown>): Promise<Calendar> {
  const raw = structuredClone(await loadCalendar('zg-2024-2025')) as unknown as { milestones: Record<string, unknown>[] };
  raw.milestones.push(milestone);
  const first = (m: Record<string, unknown>) => String(m.date ?? m.opens);
  raw.milestones.sort((a, b) => first(a).localeCompare(first(b))); // chronological, as the validator asks
  return parseCalendar(raw, 'zg-variant');
}

const OPENING = [
  'invite existing contract holders',
  'invited → in-negotiation',
  'conditions-confirmed → in-negotiation',
  'moved to in-negotiation by this step',
  'eligible → in-negotiation',
  'moved to in-negotiation by this step',
  'not-eligible decisions',
  'undecided registrations',
  'eligibility escalation',
];

describe('ZG 2024-2025 plans', () => {
  it('the talks open: moves and decisions as before, then the negotiation agreement to everyone in negotiation (no proposal deadline)', async () => {
    expect(await names('negotiations#opens')).toEqual([
      ...OPENING,
      'negotiation agreements (proposal-submitted)',
      'negotiation agreements (in-negotiation)',
    ]);
  });

  it('the agreement offered at the start of the talks is to be accepted by 11 November, the day before the contracted list', async () => {
    expect(acceptDeadline(await contextFor('negotiations#opens', '2023-08-01T07:00:00Z'))).toBe('2023-11-11');
  });

  it('the talks close: signed → contracted, every open state without an agreement → not contracted, one escalation', async () => {
    const closing = NON_TERMINAL_STATES.filter((s) => s !== 'signed' && s !== 'agreement-reached').map((s) => `${s} → not-contracted`);
    expect(await names('negotiations#closes')).toEqual([
      'signed → contracted',
      'moved to contracted by this step',
      ...closing,
      'moved to not-contracted by this step',
      'signing escalation',
    ]);
    // An accepted agreement is not touched: its signatory may still sign.
    expect((await names('negotiations#closes')).some((n) => n.startsWith('agreement-reached'))).toBe(false);
  });

  it('the contracted publication lists the accepted, signed and contracted agreements, as in every calendar', async () => {
    expect(await names('contracted-publication#notify')).toEqual([
      'list (agreement-reached)',
      'list (signed)',
      'list (contracted)',
      'publish the contracted-provider list',
    ]);
  });
});

describe('a calendar with a milestone that offers the agreement or ends the year keeps the negotiation period as it was', () => {
  for (const [kind, extra] of [
    ['negotiation-agreements', { date: '2023-10-01', action: 'accept-negotiation-agreement', audience: ['in-negotiation'] }],
    ['signing-deadline', { date: '2023-12-31', action: 'sign-agreement', audience: ['in-negotiation'] }],
    ['agreements-final', { date: '2023-11-10', audience: ['in-negotiation'] }],
  ] as const) {
    it(`with ${kind}: no offer at the start, nothing at the close`, async () => {
      const calendar = await zgWith({ id: kind, kind, title: kind, source: 'test', ...extra });
      expect(planFor(aStepContext(calendar, 'negotiations#opens', '2023-06-01T10:00:00Z')).map((p) => p.name)).toEqual(OPENING);
      expect(planFor(aStepContext(calendar, 'negotiations#closes', '2023-06-01T10:00:00Z'))).toEqual([]);
    });
  }
});

describe('the ZG moves are in the transition table', () => {
  const ZG_HOLDER = aProvider({ agb: '12345678', careTypes: ['zg'], contracts: [{ careType: 'zg', firstYear: 2022, lastYear: 2023 }] });
  const runMoves = async (stepId: string, states: ApplicationState[], now: string) => runMovesOf(await contextFor(stepId, now), ZG_HOLDER, states);

  it('the talks open: invited and eligible → in negotiation', async () => {
    const outcome = await runMoves('negotiations#opens', ['invited', 'eligible'], '2023-08-01T07:01:00Z');
    expect(Object.fromEntries(outcome)).toEqual({ invited: 'in-negotiation', eligible: 'in-negotiation' });
  });

  it('the talks close: every open state without an agreement → not contracted, signed → contracted, agreement reached stays', async () => {
    const open: ApplicationState[] = ['invited', 'under-review', 'eligible', 'conditions-confirmed', 'in-negotiation', 'proposal-submitted'];
    const outcome = await runMoves('negotiations#closes', [...open, 'signed', 'agreement-reached'], '2023-11-11T23:01:00Z');
    expect(Object.fromEntries(outcome)).toEqual({ ...Object.fromEntries(open.map((s) => [s, 'not-contracted'])), signed: 'contracted' });
  });

  it('the close records itself as the trigger, and cannot close an accepted agreement', async () => {
    const ctx = await contextFor('negotiations#closes', '2023-11-11T23:01:00Z');
    const app: Application = {
      cycleId: ctx.cycle.id, agb: '12345678', track: 'existing', state: 'agreement-reached', version: 1, providerName: 'Zorg B.V.',
      createdAt: ctx.step.at, updatedAt: ctx.step.at, stateSince: ctx.step.at,
    };
    const close = { trigger: triggers.milestone('negotiation-period', 'closes'), actor: { kind: 'system' } as const };
    const guardContext = { now: ctx.clock.now(), steps: ctx.steps };
    expect(() => applyTransition(app, { ...close, to: 'not-contracted' }, guardContext)).toThrow(TransitionRefusedError);
    const { event } = applyTransition({ ...app, state: 'in-negotiation' }, { ...close, to: 'not-contracted' }, guardContext);
    expect(event).toMatchObject({ from: 'in-negotiation', to: 'not-contracted', trigger: { kind: 'milestone', milestone: 'negotiation-period', phase: 'closes' } });
    // The opening of the talks cannot close anything.
    expect(() =>
      applyTransition({ ...app, state: 'in-negotiation' }, { trigger: triggers.milestone('negotiation-period', 'opens'), actor: { kind: 'system' }, to: 'not-contracted' }, guardContext),
    ).toThrow(TransitionRefusedError);
  });
});
