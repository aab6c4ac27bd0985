/**
 * Milestone step contexts for plan tests: a real calendar and timeline, a virtual clock, no store.
 * `runMoves` runs a plan's move passes on a fake store that applies each move with the real transition
 * table and guards, the way the store's transitionMany does: a refused move throws instead of leaving
 * the application open.
 */
import type { Calendar } from '../../functions/calendar/schema.ts';
import { buildTimeline } from '../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../functions/calendar/validate.ts';
import { VirtualClock } from '../../functions/commons/clock.ts';
import { createCycleFromCalendar } from '../../functions/domain/cycle.ts';
import type { Application, Provider } from '../../functions/domain/model.ts';
import type { ApplicationState } from '../../functions/domain/states.ts';
import { applyTransition, openApplication } from '../../functions/domain/transitions.ts';
import { milestoneConfigSchema } from '../../functions/milestones/config.ts';
import type { StepContext } from '../../functions/milestones/context.ts';
import type { Pass } from '../../functions/milestones/passes.ts';
import { planFor } from '../../functions/milestones/plan.ts';
import { anApplication, trackFor } from './factories.ts';

export function aStepContext(calendar: Calendar, stepId: string, now: string): StepContext {
  const clock = new VirtualClock(now);
  const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock });
  const step = steps.find((s) => s.stepId === stepId);
  if (!step) throw new Error(`no step ${stepId} in ${calendar.id}`);
  return {
    store: {} as never,
    clock,
    config: milestoneConfigSchema.parse({ linksBaseUrl: 'https://aanbieders.example.nl' }),
    publications: {} as never,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    cycle,
    calendar,
    steps,
    step,
    milestone: calendar.milestones.find((m) => m.id === step.milestoneId)!,
  };
}

/** The context of a step of one of the shipped calendars (workflows/calendars). */
export const stepContextFor = async (calendarId: string, stepId: string, now = '2020-06-01T10:00:00Z'): Promise<StepContext> =>
  aStepContext(await loadCalendar(calendarId), stepId, now);

/** The names of a step's passes, in run order. */
export const passNames = async (calendarId: string, stepId: string, now?: string): Promise<string[]> =>
  planFor(await stepContextFor(calendarId, stepId, now)).map((p) => p.name);

/** One application per state for `provider`, moved by the step's move passes; returns each state's outcome. */
export async function runMoves(
  ctx: StepContext,
  provider: Provider,
  states: ApplicationState[],
): Promise<Map<ApplicationState, ApplicationState>> {
  const at = ctx.step.at;
  const apps = new Map<ApplicationState, Application>(
    states.map((state) => [
      state,
      anApplication({ cycleId: ctx.cycle.id, agb: provider.agb, track: trackFor(state), state, providerName: provider.name, createdAt: at, updatedAt: at, stateSince: at }),
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
