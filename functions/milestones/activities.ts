/**
 * The workflow's three milestone tasks as plain async functions over injected
 * dependencies: the Lambda handlers wrap them with AWS clients
 * (functions/handlers/*-milestone.ts), the local runtime calls them with its
 * own store, VirtualClock and config. Each takes the raw task input (the
 * Lambda event), checks it against workflows/contracts.ts and returns
 * the contract's output; errors are the typed domain errors, so Step Functions
 * sees their names (ValidationError, NotFoundError, ConflictError, MilestoneFailedError …).
 */
import { ZodError } from 'zod';
import { lazy, type DepsSource } from '../commons/deps.ts';
import { ValidationError } from '../commons/errors.ts';
import { METRIC } from '../commons/metric-names.ts';
import {
  nextMilestoneInput,
  nextMilestoneOutput,
  recordMilestoneInput,
  recordMilestoneOutput,
  runMilestoneInput,
  runMilestoneOutput,
  type NextMilestoneOutput,
  type RecordMilestoneOutput,
  type RunMilestoneOutput,
} from '../../workflows/contracts.ts';
import type { MilestoneDeps } from './context.ts';
import { nextMilestone, recordMilestone, type LoopDeps } from './loop.ts';
import { runMilestone } from './run.ts';


/** A task: parse the input, run, check the output; a bad input is a ValidationError. */
function task<I, O>(parse: (raw: unknown) => I, run: (input: I) => Promise<O>, check: (out: O) => O) {
  return async (event: unknown): Promise<O> => {
    let input: I;
    try {
      input = parse(event ?? {});
    } catch (error) {
      if (error instanceof ZodError) {
        throw new ValidationError(
          'Invalid task input',
          error.issues.map((i) => ({ path: i.path.join('.') || '(input)', message: i.message })),
        );
      }
      throw error;
    }
    return check(await run(input));
  };
}

export function createNextMilestoneActivity(deps: DepsSource<LoopDeps>): (event: unknown) => Promise<NextMilestoneOutput> {
  const get = lazy(deps);
  return task(nextMilestoneInput.parse, (input) => nextMilestone(get(), input), nextMilestoneOutput.parse);
}

export function createRecordMilestoneActivity(deps: DepsSource<LoopDeps>): (event: unknown) => Promise<RecordMilestoneOutput> {
  const get = lazy(deps);
  return task(recordMilestoneInput.parse, (input) => recordMilestone(get(), input), recordMilestoneOutput.parse);
}

export function createRunMilestoneActivity(deps: DepsSource<MilestoneDeps>): (event: unknown) => Promise<RunMilestoneOutput> {
  const get = lazy(deps);
  return task(
    runMilestoneInput.parse,
    async (input) => {
      const deps = get();
      try {
        const out = await runMilestone(deps, input);
        deps.metrics?.count(METRIC.milestonePagesRun);
        return out;
      } finally {
        deps.metrics?.flush();
      }
    },
    runMilestoneOutput.parse,
  );
}

export interface MilestoneActivities {
  nextMilestone(event: unknown): Promise<NextMilestoneOutput>;
  recordMilestone(event: unknown): Promise<RecordMilestoneOutput>;
  runMilestone(event: unknown): Promise<RunMilestoneOutput>;
}

/** The three tasks over one set of dependencies (what the local runtime uses). */
export function createMilestoneActivities(deps: DepsSource<MilestoneDeps>): MilestoneActivities {
  return {
    nextMilestone: createNextMilestoneActivity(deps),
    recordMilestone: createRecordMilestoneActivity(deps),
    runMilestone: createRunMilestoneActivity(deps),
  };
}

export type { DepsSource, MilestoneDeps, LoopDeps };
