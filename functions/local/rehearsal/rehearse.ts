/**
 * A rehearsal: one contracting year of one calendar, on the local runtime,
 * with a simulated provider population and purchasers, ending in a report.
 *
 *   fresh:   reset the data folder's rehearsal state → start the runtime →
 *            create the cycle from the calendar → import the population's
 *            known providers through the real import code → start the
 *            simulation and an execution of the cycle workflow → wait for it.
 *   resume:  start the runtime on the data folder as it was left (DynamoDB,
 *            mailbox, clock) → rebuild the simulation's plan from the seed and
 *            the mailbox → start a new execution, which resumes at the cycle's
 *            first step that is not done.
 *
 * Ctrl-C (the Shutdown) freezes the clock, stops the simulation, stops the
 * runtime (the execution is aborted between states, servers closed, a last
 * checkpoint taken, DynamoDB Local stopped) and saves where the clock was.
 * A rehearsal killed outright (SIGKILL, a power cut) resumes from the
 * runtime's last checkpoint, which holds this rehearsal's state too.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Calendar } from '../../calendar/schema.ts';
import { buildTimeline } from '../../calendar/timeline.ts';
import { loadCalendar } from '../../calendar/validate.ts';
import { VirtualClock } from '../../commons/clock.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../commons/errors.ts';
import { createCycle, startCycle } from '../../cycles/create.ts';
import { resumeCycle } from '../../cycles/resume.ts';
import { parseProviders } from '../../providers/import.ts';
import { importProviders, type ImportReport } from '../../providers/write.ts';
import type { HeldLock } from '../file-lock.ts';
import type { Shutdown } from '../process.ts';
import { storedEmails } from '../runtime-mailbox.ts';
import { lockDataDir } from '../runtime-file.ts';
import { startLocalRuntime, type LocalRuntime, type LocalRuntimeOptions } from '../runtime.ts';
import type { ClockMode } from '../virtual-time.ts';
import { generatePopulation, providerFile, type Population } from './population.ts';
import { createProgress, type Progress } from './progress.ts';
import { buildReport, type RehearsalReport } from './report.ts';
import { Simulation } from './simulation.ts';
import { hasCheckpoint, readState, resetDataDir, writeState, type RehearsalState } from './state.ts';
import { addLocalDays, localAt, localDateOf } from './timing.ts';

export interface RehearseOptions {
  /** A calendar file or id; with `resume`, the one the rehearsal started with. */
  calendar?: string;
  providers?: number;
  seed?: string;
  /** Share (0..1) of the known providers whose every address bounces or complains (SES mailbox simulator). Default 0. */
  unreachableShare?: number;
  dataDir: string;
  mode: ClockMode;
  resume?: boolean;
  /** Keep the runtime running after the year (the caller stops it). */
  serve?: boolean;
  progress: 'bars' | 'lines' | 'none';
  /** Where progress and messages go (not the report). */
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  shutdown?: Shutdown;
  runtime?: Partial<Pick<LocalRuntimeOptions, 'sesRatePerSecond' | 'sendConcurrency' | 'ports' | 'crashAt' | 'sesFaults'>>;
  /** Called once the runtime runs (the CLI prints its addresses; tests and the benchmark look inside). */
  onStarted?(runtime: LocalRuntime, info: { population: Population; calendar: Calendar; resumed: boolean }): void;
}

export interface RehearsalResult {
  /** Undefined when the rehearsal was stopped before the year was over. */
  report?: RehearsalReport;
  population: Population;
  calendar: Calendar;
  /** Still running when `serve` was asked (the caller stops it). */
  runtime?: LocalRuntime;
  stopped: boolean;
  import?: ImportReport;
}

/** The rehearsal starts the day before the calendar's first step, at midnight (Europe/Amsterdam). */
export function rehearsalStart(calendar: Calendar): number {
  const first = buildTimeline(calendar)[0];
  if (!first) throw new ValidationError(`Calendar ${calendar.id} has no steps`);
  return localAt(addLocalDays(localDateOf(Date.parse(first.at)), -1), 0, 0) - 30_000;
}

export async function rehearse(options: RehearseOptions): Promise<RehearsalResult> {
  const wallStart = performance.now();
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const say = (line: string): void => {
    if (options.progress !== 'none') options.stream.write(`${line}\n`);
  };
  // Held from here on (the runtime releases it when it stops): nothing else touches the folder meanwhile.
  const lock = await lockDataDir(dataDir);
  let started = false;
  try {
    return await rehearseLocked(options, dataDir, lock, wallStart, say, () => (started = true));
  } finally {
    if (!started) await lock.release();
  }
}

async function rehearseLocked(
  options: RehearseOptions,
  dataDir: string,
  lock: HeldLock,
  wallStart: number,
  say: (line: string) => void,
  handedOver: () => void,
): Promise<RehearsalResult> {
  // -- what to rehearse
  let state = readState(dataDir);
  if (options.resume) {
    if (!state) throw new NotFoundError(`Nothing to resume in ${dataDir}: no rehearsal.json (start one without --resume)`);
    for (const [name, given, saved] of [
      ['--providers', options.providers, state.providers],
      ['--seed', options.seed, state.seed],
    ] as const) {
      if (given !== undefined && String(given) !== String(saved)) {
        throw new ValidationError(`${name} ${given} differs from the rehearsal being resumed (${saved}); leave it out with --resume`);
      }
    }
  } else {
    if (!options.calendar) throw new ValidationError('--calendar is required (a calendar file or id, e.g. msr-2021)');
    if (resetDataDir(dataDir)) say(`Starting afresh in ${dataDir} (the previous rehearsal there is replaced; --resume continues one).`);
    state = undefined;
  }
  const calendar = await loadCalendar(options.resume ? state!.calendar : options.calendar!);
  if (options.resume && options.calendar && calendar.id !== state!.calendarId) {
    throw new ValidationError(`--calendar ${options.calendar} is not the calendar of the rehearsal being resumed (${state!.calendarId})`);
  }
  const providers = options.resume ? state!.providers : (options.providers ?? 200);
  const seed = options.resume ? state!.seed : String(options.seed ?? '1');
  if (!Number.isInteger(providers) || providers < 0) throw new ValidationError(`--providers must be a whole number, got ${providers}`);
  const unreachableShare = options.resume ? state!.unreachableShare : (options.unreachableShare ?? 0);
  if (!(unreachableShare >= 0 && unreachableShare <= 1)) throw new ValidationError(`--unreachable must be a share between 0 and 1, got ${unreachableShare}`);
  const population = generatePopulation(calendar, providers, seed, { unreachableShare });
  const cycleId = calendar.id;
  const start = options.resume ? Date.parse(state!.clock) : rehearsalStart(calendar);
  const clock = new VirtualClock(start);

  if (options.resume && !hasCheckpoint(dataDir)) {
    throw new ConflictError(`The rehearsal in ${dataDir} has no database to resume (it was killed before its first checkpoint); start it afresh`);
  }

  const stepDurations: Record<string, number> = { ...(state?.stepDurations ?? {}) };
  const wallMsBefore = state?.wallMsBefore ?? 0;
  let current: RehearsalState = state ?? {
    version: 1,
    // A file is kept by its absolute path, so `--resume` works from any folder.
    calendar: existsSync(options.calendar!) ? resolve(options.calendar!) : options.calendar!,
    calendarId: calendar.id,
    cycleId,
    providers,
    seed,
    unreachableShare,
    startedAt: new Date(start).toISOString(),
    clock: new Date(start).toISOString(),
    status: 'running',
    stepDurations: {},
    ports: {},
    wallMsBefore: 0,
    followUps: [],
  };
  let finished = current.status === 'done';
  let simulation: Simulation | undefined;
  const snapshot = (): RehearsalState =>
    (current = {
      ...current,
      clock: new Date(clock.now()).toISOString(),
      status: finished ? 'done' : 'running',
      stepDurations: { ...stepDurations },
      wallMsBefore: wallMsBefore + (performance.now() - wallStart),
      followUps: simulation ? simulation.followUps() : current.followUps,
    });
  const save = (): void => writeState(dataDir, snapshot());
  // Registered before the runtime: runs after it stopped, with the clock where it ended.
  const unsave = options.shutdown?.add('rehearsal state', save);

  handedOver();
  const runtime = await startLocalRuntime({
    dataDir,
    clock,
    mode: options.mode,
    shutdown: options.shutdown,
    log: say,
    // One cycle is rehearsed: a step that needs next year's cycle is reported as skipped, not failed.
    skipStepsNeedingNextCycle: true,
    lock,
    checkpointState: snapshot,
    ...options.runtime,
    ports: { ...current.ports, ...options.runtime?.ports },
  });
  current = { ...current, ports: { ...runtime.ports } };
  // The database went away: the year stops here, with that one error.
  let lost: (error: Error) => void = () => undefined;
  const lostDatabase = new Promise<never>((_, reject) => (lost = reject));
  lostDatabase.catch(() => undefined);
  runtime.onFailure((error) => lost(error));
  // Nothing moves the clock until the cycle's execution runs (not an `inkoop clock advance`
  // that comes early either): the setup below happens at the start instant.
  let release: () => void = () => undefined;
  const held = runtime.driver.busy(() => new Promise<void>((resolve) => (release = resolve)));
  let progress: Progress | undefined;
  let failure: RehearsalReport['failure'];
  const cleanups: (() => unknown)[] = [];
  try {
    const { store } = runtime;
    let imported: ImportReport | undefined;
    if (!options.resume) {
      await createCycle(store, calendar, clock);
      // The known providers, through the same code as `inkoop providers import <file>`.
      const file = join(dataDir, 'providers.json');
      const text = providerFile(population);
      writeFileSync(file, text, { mode: 0o600 });
      imported = await importProviders(store, parseProviders(text, 'json', 'providers.json'));
      save();
      // Nothing runs yet (the clock is held): the first checkpoint, so a crash from here on resumes.
      runtime.checkpointNow();
    }
    options.onStarted?.(runtime, { population, calendar, resumed: !!options.resume });

    const steps = await store.getSteps(cycleId);
    if (options.resume && steps.length === 0) {
      throw new ConflictError(`The rehearsal in ${dataDir} has no cycle ${cycleId} in its database; start it afresh`);
    }
    if (finished || (steps.length > 0 && steps.every((s) => s.status === 'done'))) {
      finished = true;
      release();
    } else {
      progress = createProgress(
        { calendar, steps, mailboxSize: () => storedEmails().length, now: () => clock.now(), stream: options.stream, mode: options.progress },
        (timing) => {
          stepDurations[timing.stepId] = (stepDurations[timing.stepId] ?? 0) + timing.durationMs;
        },
      );
      cleanups.push(
        runtime.onRunEvent((event, execution) => {
          progress!.onRunEvent(event);
          // The year ends with the last execution of the chain: hold the clock before the simulation's next wait can move it.
          if (event.type === 'executionSucceeded' && !execution.successor) runtime.driver.setMode('interactive');
        }),
      );
      simulation = new Simulation({
        clock,
        driver: runtime.driver,
        store,
        calendar,
        cycleId,
        population,
        registrationUrl: runtime.urls.registration(cycleId),
        receivedAt: (i) => runtime.mailbox.receivedAt(i),
      });
      const sim = simulation;
      sim.restoreFollowUps(current.followUps);
      // Registered after the runtime: stops before it (the clock first, so nothing moves meanwhile).
      cleanups.push(options.shutdown?.add('simulation', () => sim.stop()) ?? (() => undefined));
      cleanups.push(options.shutdown?.add('virtual clock', () => runtime.driver.setMode('interactive')) ?? (() => undefined));
      // Hold the clock until the execution runs: between the simulation's first wait and the
      // workflow's first task the driver would otherwise see only the simulation waiting, and jump.
      const executionArn = await runtime.driver.busy(async () => {
        sim.start((onSent) => runtime.onEmailsSent(onSent));
        const cycle = await store.getCycle(cycleId);
        if (cycle?.status === 'planned') return (await startCycle(store, runtime.executions, cycleId)).executionArn;
        // Resumed: a new execution picks up at the first step that is not done (as `inkoop cycle resume` does).
        const resumed = await resumeCycle(
          store,
          { current: (c) => runtime.executions.describe(c), starter: runtime.executions },
          { cycleId, actor: { kind: 'operator', id: 'rehearsal' } },
        );
        return resumed.executionArn!;
      });
      release();
      await Promise.race([runtime.executions.get(executionArn)!.done, lostDatabase]);
      if (runtime.failure) throw runtime.failure;
      const ended = (await Promise.race([runtime.executions.chainEnd(cycleId), lostDatabase]))!;
      if (runtime.failure) throw runtime.failure;
      if (ended.status !== 'SUCCEEDED') {
        if (options.shutdown?.signal.aborted) {
          progress.stop();
          return { population, calendar, stopped: true, import: imported };
        }
        // A failed milestone: the year stops there. Report what ran; `inkoop milestone retry` and `--resume` go on.
        const steps = await store.getSteps(cycleId);
        const step = steps.find((s) => s.status === 'failed');
        failure = { execution: ended.name, status: ended.status, error: ended.error, cause: step?.cause ?? ended.cause, stepId: step?.stepId };
      }
      // The year is done (or stopped at a failure): late answers are moot; let the scheduled sender finish.
      await sim.stop();
      runtime.driver.setMode('fast');
      await runtime.drain();
      progress.stop();
      finished = !failure;
    }
    save();

    const counts = runtime.metrics.snapshot();
    const report = await buildReport({
      store,
      cycleId,
      calendar,
      emails: storedEmails(),
      counts,
      stepDurations,
      linkStatuses: { ...runtime.linkStatuses },
      rehearsal: {
        calendar: calendar.id,
        cycleId,
        providers,
        seed,
        mode: typeof options.mode === 'object' ? `speed ${options.mode.daysPerSecond} days/s` : options.mode,
        resumed: !!options.resume,
      },
      wallTimeMs: wallMsBefore + (performance.now() - wallStart),
      virtual: { from: Date.parse(current.startedAt), to: clock.now() },
      failure,
      executions: runtime.history.executions(),
      lambdaMemoryMb: { ...runtime.lambdaMemoryMb },
      sesFaults: { ...runtime.ses.faults },
      checkpoints: { ...runtime.checkpoints },
    });
    if (simulation?.tally.errors.length) {
      say(`The simulation hit ${simulation.tally.errors.length} errors; the first: ${simulation.tally.errors[0]}`);
    }
    if (options.serve) return { report, population, calendar, runtime, stopped: false, import: imported };
    await runtime.stop();
    return { report, population, calendar, stopped: false, import: imported };
  } catch (error) {
    release();
    await held;
    progress?.stop();
    await simulation?.stop();
    await runtime.stop();
    throw runtime.failure ?? error;
  } finally {
    if (!options.shutdown?.signal.aborted) {
      for (const c of cleanups) c();
      if (!options.serve) unsave?.();
    }
  }
}
