/**
 * The Wlz 2021 plans (seed 002): the first feedback opens the talks, the final feedback offers the
 * agreement, agreements final closes the year; other calendars keep their plans. The moves the Wlz
 * plans make must be ones the transition table allows.
 */
import { describe, expect, it } from 'vitest';
import { NON_TERMINAL_STATES, type ApplicationState } from '../../../../functions/domain/states.ts';
import { acceptDeadline } from '../../../../functions/milestones/plan/negotiation.ts';
import { aProvider } from '../../../support/factories.ts';
import { passNames, runMoves as runMovesOf, stepContextFor } from '../../../support/step-context.ts';

const contextFor = stepContextFor;

const names = (id: string, stepId: string) => passNames(id, stepId);
const FEEDBACK_PASSES = (stage: string) => NON_TERMINAL_STATES.map((s) => `${stage} feedback (${s})`);

describe('Wlz 2021 plans', () => {
  it('first feedback: invites holders not yet invited and moves the invited into negotiation, then the feedback', async () => {
    expect(await names('wlz-2021', 'first-feedback#notify')).toEqual([
      'invite existing contract holders',
      'invited → in-negotiation',
      'conditions-confirmed → in-negotiation',
      ...FEEDBACK_PASSES('first'),
    ]);
  });

  it('final feedback: the feedback, then the negotiation agreement to everyone in negotiation (no proposal deadline)', async () => {
    expect(await names('wlz-2021', 'final-feedback#notify')).toEqual([
      ...FEEDBACK_PASSES('final'),
      'negotiation agreements (proposal-submitted)',
      'negotiation agreements (in-negotiation)',
    ]);
  });

  it('agreements final: signed → contracted, every other open state → not contracted, one escalation', async () => {
    const passes = await names('wlz-2021', 'agreements-final#deadline');
    const closing = NON_TERMINAL_STATES.filter((s) => s !== 'signed').map((s) => `${s} → not-contracted`);
    expect(passes).toEqual([
      'signed → contracted',
      'moved to contracted by this step',
      ...closing,
      'moved to not-contracted by this step',
      'signing escalation',
    ]);
  });

  it('the agreement offered at the final feedback is to be accepted the day before agreements final, so the signatory can still sign', async () => {
    expect(acceptDeadline(await contextFor('wlz-2021', 'final-feedback#notify', '2020-10-23T07:00:00Z'))).toBe('2020-11-12');
  });
});

describe('other calendars keep their plans', () => {
  it('diagnostics: agreements final (no action) offers the agreement by the day before the list and moves nothing', async () => {
    expect(await names('diagnostics-2020', 'negotiations-completed#deadline')).toEqual([
      'negotiation agreements (proposal-submitted)',
      'negotiation agreements (in-negotiation)',
      'agreements final (agreement-reached)',
      'agreements final (signed)',
    ]);
    expect(acceptDeadline(await contextFor('diagnostics-2020', 'negotiations-completed#deadline'))).toBe('2019-11-11');
  });

  it('MSR and ZVT: the negotiation agreement by the day before the list; the signing deadline closes the year', async () => {
    expect(acceptDeadline(await contextFor('msr-2021', 'negotiation-agreements#notify'))).toBe('2020-11-11');
    expect(acceptDeadline(await contextFor('zvt-2021', 'negotiation-agreements#notify'))).toBe('2020-11-11');
    expect((await names('msr-2021', 'signing-deadline#deadline')).slice(0, 2)).toEqual(['signed → contracted', 'moved to contracted by this step']);
  });
});

describe('the Wlz moves are in the transition table', () => {
  const WLZ_HOLDER = aProvider({ agb: '12345678', careTypes: ['wlz'], contracts: [{ careType: 'wlz', firstYear: 2018, lastYear: 2020 }] });
  const runMoves = async (stepId: string, states: ApplicationState[]) =>
    runMovesOf(await contextFor('wlz-2021', stepId, '2020-11-14T00:01:00Z'), WLZ_HOLDER, states);

  it('first feedback: invited (and a late holder) → in negotiation', async () => {
    expect(await runMoves('first-feedback#notify', ['invited'])).toEqual(new Map([['invited', 'in-negotiation']]));
  });

  it('agreements final: every open state → not contracted, signed → contracted', async () => {
    const open: ApplicationState[] = ['invited', 'conditions-confirmed', 'in-negotiation', 'proposal-submitted', 'agreement-reached'];
    const outcome = await runMoves('agreements-final#deadline', [...open, 'signed']);
    expect(Object.fromEntries(outcome)).toEqual({ ...Object.fromEntries(open.map((s) => [s, 'not-contracted'])), signed: 'contracted' });
  });
});
