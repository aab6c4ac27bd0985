/** What milestone work runs with: injected dependencies, and the step being run with its cycle. */
import type { Calendar, Milestone } from '../calendar/schema.ts';
import type { Clock } from '../commons/clock.ts';
import { NotFoundError } from '../commons/errors.ts';
import { logger } from '../commons/logger.ts';
import type { MetricsPort } from '../commons/metrics.ts';
import type { Cycle, Step } from '../domain/model.ts';
import type { PublicationStore } from '../publication/store.ts';
import type { Store } from '../store/index.ts';
import type { MilestoneConfig } from './config.ts';

/** Structured logs: ids and counts only, never addresses or links. */
export interface MilestoneLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface MilestoneDeps {
  store: Store;
  clock: Clock;
  config: MilestoneConfig;
  publications: PublicationStore;
  log?: MilestoneLogger;
  /** Pages run (commons/metric-names.ts); flushed after each page. */
  metrics?: MetricsPort;
}

export interface StepContext {
  store: Store;
  clock: Clock;
  config: MilestoneConfig;
  publications: PublicationStore;
  log: MilestoneLogger;
  cycle: Cycle;
  calendar: Calendar;
  /** All steps of the cycle (guards read them), in time order; shared and frozen. */
  steps: readonly Step[];
  step: Step;
  milestone: Milestone;
}

export const defaultLogger: MilestoneLogger = logger;

export async function loadStepContext(deps: MilestoneDeps, cycleId: string, stepId: string): Promise<StepContext> {
  // One item read per page while the steps are kept in process (store/cycles.ts: the steps version).
  const { cycle, steps } = await deps.store.getCycleWithSteps(cycleId);
  if (!cycle) throw new NotFoundError(`No cycle ${cycleId}`);
  const step = steps.find((s) => s.stepId === stepId);
  if (!step) throw new NotFoundError(`No step ${stepId} in cycle ${cycleId}`);
  const milestone = cycle.calendar.milestones.find((m) => m.id === step.milestoneId);
  if (!milestone) throw new NotFoundError(`Step ${stepId} of ${cycleId} has no milestone ${step.milestoneId} in the cycle's calendar`);
  return {
    store: deps.store,
    clock: deps.clock,
    config: deps.config,
    publications: deps.publications,
    log: deps.log ?? defaultLogger,
    cycle,
    calendar: cycle.calendar,
    steps,
    step,
    milestone,
  };
}

/** The calendar's first milestone of a kind, if any. */
export const milestoneOf = (calendar: Calendar, kind: Milestone['kind']): Milestone | undefined =>
  calendar.milestones.find((m) => m.kind === kind);
