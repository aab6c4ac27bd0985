/**
 * The Wlz 2021 plans (seed 002): the first feedback opens the talks, the final feedback offers the
 * agreement, agreements final closes the year; other calendars keep their plans. The moves the Wlz
 * plans make must be ones the transition table allows.
 */
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import type { Application } from '../../../functions/domain/model.ts';
import { NON_TERMINAL_STATES, type ApplicationState } from '../../../functions/domain/states.ts';
import { applyTransition, openApplication } from '../../../functions/domain/transitions.ts';
import { milestoneConfigFromEnv } from '../../../functions/milestones/config.ts';
import type { StepContext } from '../../../functions/milestones/context.ts';
import { acceptDeadline, planFor } from '../../../functions/milestones/plan.ts';
import type { Pass } from '../../../functions/milestones/passes.ts';
import { aProvider } from '../../support/factories.ts';

async function contextFor(calendarId: string, stepId: string, now = '2020-06-01T10:00:00Z'): Promise<StepContext> {
  const calendar = await loadCalendar(calendarId);
  const clock = new VirtualClock(now);
  const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock });
  const step = steps.find((s) => s.stepId === stepId)!;
  return {
    store: {} as never,
    clock,
    config: milestoneConfigFromEnv({ LINKS_BASE_URL: 'https://aanbieders.example.nl' }),
    publications: {} as never,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    cycle,
    calendar,
    steps,
    step,
    milestone: calendar.milestones.find((m) => m.id === step.milestoneId)!,
  };
}

const names = async (id: string, stepId: string) => planFor(await contextFor(id, stepId)).map((p) => p.name);
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
  /**
   * Runs a plan's move passes on a fake store that applies each move with the real table and guards,
   * the way the store's transitionMany does: a refused move would be skipped and leave the application open.
   */
  async function runMoves(stepId: string, states: ApplicationState[]): Promise<Map<ApplicationState, ApplicationState>> {
    const ctx = await contextFor('wlz-2021', stepId, '2020-11-14T00:01:00Z');
    const provider = aProvider({ agb: '12345678', careTypes: ['wlz'], contracts: [{ careType: 'wlz', firstYear: 2018, lastYear: 2020 }] });
    const apps = new Map<ApplicationState, Application>(
      states.map((state) => [
        state,
        { cycleId: ctx.cycle.id, agb: provider.agb, track: 'existing', state, version: 1, providerName: provider.name, createdAt: ctx.step.at, updatedAt: ctx.step.at, stateSince: ctx.step.at },
      ]),
    );
    const outcome = new Map<ApplicationState, ApplicationState>();
    const guardContext = { now: ctx.clock.now(), steps: ctx.steps, provider };
    const store = {
      queryApplicationsByState: async (_cycleId: string, state: ApplicationState) => ({ items: apps.has(state) ? [apps.get(state)!] : [], cursor: null }),
      getProviders: async () => new Map([[provider.agb, provider]]),
      transitionMany: async (list: Application[], input: Parameters<typeof applyTransition>[1]) => {
        const moved = list.map((app) => applyTransition(app, input, guardContext).application);
        for (const app of list) outcome.set(app.state, moved.find((m) => m.agb === app.agb)!.state);
        return { moved, skipped: [], messages: {} };
      },
      listEvents: async () => [],
      createApplications: async (inputs: Parameters<typeof openApplication>[0][]) => {
        for (const input of inputs) openApplication(input, guardContext);
        return { created: inputs, existing: [] };
      },
      listProvidersOfCareType: async () => ({ items: [provider], cursor: null }),
      enqueueMessages: async () => ({ created: 0, existing: 0 }),
      getApplications: async () => new Map(),
    };
    const withStore = { ...ctx, store: store as never };
    for (const pass of planFor(withStore) as Pass[]) {
      if (pass.name.includes('→') || pass.name.startsWith('invite')) await pass.run(withStore, { cursor: null, limit: 100, gathered: {} });
    }
    return outcome;
  }

  it('first feedback: invited (and a late holder) → in negotiation', async () => {
    expect(await runMoves('first-feedback#notify', ['invited'])).toEqual(new Map([['invited', 'in-negotiation']]));
  });

  it('agreements final: every open state → not contracted, signed → contracted', async () => {
    const open: ApplicationState[] = ['invited', 'conditions-confirmed', 'in-negotiation', 'proposal-submitted', 'agreement-reached'];
    const outcome = await runMoves('agreements-final#deadline', [...open, 'signed']);
    expect(Object.fromEntries(outcome)).toEqual({ ...Object.fromEntries(open.map((s) => [s, 'not-contracted'])), signed: 'contracted' });
  });
});
