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
import type { Step } from '../../domain/index.ts';
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
import { generateYearPopulation, OVERLAP_SHARE, yearProviderFile, type Population, type YearPopulation } from './population.ts';
import { createProgress, type Progress } from './progress.ts';
import { buildReport, buildYearReport, type RehearsalReport, type YearReport } from './report.ts';
import { Simulation, type FollowUp, type SimulationTally } from './simulation.ts';
import { hasCheckpoint, readState, resetDataDir, writeState, type RehearsalState } from './state.ts';
import { addLocalDays, localAt, localDateOf } from './timing.ts';

export interface RehearseOptions {
  /**
   * A calendar file or id; several at once separated by commas (`msr-2021,zvt-2021,wlz-2021`: the insurer's
   * year, one population, one clock, one mailbox). With `resume`, the one(s) the rehearsal started with.
   */
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
  runtime?: Partial<Pick<LocalRuntimeOptions, 'sesRatePerSecond' | 'sendConcurrency' | 'ports' | 'crashAt' | 'sesFaults' | 'database'>>;
  /** Called once the runtime runs (the CLI prints its addresses; tests and the benchmark look inside). */
  onStarted?(runtime: LocalRuntime, info: { population: Population; calendar: Calendar; calendars: Calendar[]; year: YearPopulation; resumed: boolean }): void;
}

export interface RehearsalResult {
  /** One calendar: its report. Undefined when the rehearsal was stopped before the year was over, or for several (`yearReport`). */
  report?: RehearsalReport;
  /** Several calendars: the report with a section per cycle and the totals. */
  yearReport?: YearReport;
  /** Of the (first) calendar. */
  population: Population;
  calendar: Calendar;
  calendars: Calendar[];
  year: YearPopulation;
  /** Still running when `serve` was asked (the caller stops it). */
  runtime?: LocalRuntime;
  stopped: boolean;
  /** What each cycle's simulation did by its own account (its errors, pages it had to try again), by cycle. */
  simulation?: Record<string, SimulationTally>;
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
    if (!options.calendar) throw new ValidationError('--calendar is required (a calendar file or id, e.g. msr-2021; several: msr-2021,zvt-2021,wlz-2021)');
    if (resetDataDir(dataDir)) say(`Starting afresh in ${dataDir} (the previous rehearsal there is replaced; --resume continues one).`);
    state = undefined;
  }
  const named = options.resume ? (state!.calendars ?? [state!.calendar]) : splitCalendars(options.calendar!);
  const calendars = await Promise.all(named.map((c) => loadCalendar(c)));
  const ids = calendars.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new ValidationError(`--calendar names ${duplicate} twice; each cycle is rehearsed once`);
  if (options.resume && options.calendar) {
    const given = await Promise.all(splitCalendars(options.calendar).map((c) => loadCalendar(c)));
    if (given.map((c) => c.id).join(',') !== ids.join(',')) {
      throw new ValidationError(`--calendar ${options.calendar} is not the calendar of the rehearsal being resumed (${ids.join(',')})`);
    }
  }
  const several = calendars.length > 1;
  const [calendar] = calendars;
  const providers = options.resume ? state!.providers : (options.providers ?? 200);
  const seed = options.resume ? state!.seed : String(options.seed ?? '1');
  if (!Number.isInteger(providers) || providers < 0) throw new ValidationError(`--providers must be a whole number, got ${providers}`);
  const unreachableShare = options.resume ? state!.unreachableShare : (options.unreachableShare ?? 0);
  if (!(unreachableShare >= 0 && unreachableShare <= 1)) throw new ValidationError(`--unreachable must be a share between 0 and 1, got ${unreachableShare}`);
  const year = generateYearPopulation(calendars, providers, seed, { unreachableShare });
  const population = year.cycles[calendar.id];
  const cycleId = calendar.id;
  // One clock for all: from the earliest cycle's start to the latest's end.
  const start = options.resume ? Date.parse(state!.clock) : Math.min(...calendars.map(rehearsalStart));
  const clock = new VirtualClock(start);

  if (options.resume && !hasCheckpoint(dataDir)) {
    throw new ConflictError(`The rehearsal in ${dataDir} has no database to resume (it was killed before its first checkpoint); start it afresh`);
  }

  // By step id; of several cycles, by `<cycle> <step id>` (the cycles share step ids).
  const stepDurations: Record<string, number> = { ...(state?.stepDurations ?? {}) };
  const durationKey = (cycle: string, stepId: string): string => (several ? `${cycle} ${stepId}` : stepId);
  const wallMsBefore = state?.wallMsBefore ?? 0;
  const kept = (c: string): string => (existsSync(c) ? resolve(c) : c);
  let current: RehearsalState = state ?? {
    version: 1,
    // A file is kept by its absolute path, so `--resume` works from any folder.
    calendar: kept(named[0]),
    calendarId: calendar.id,
    cycleId,
    ...(several ? { calendars: named.map(kept) } : {}),
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
  const simulations = new Map<string, Simulation>();
  const followUps = (): FollowUp[] =>
    simulations.size
      ? [...simulations].flatMap(([id, sim]) => sim.followUps().map((f) => (several ? { ...f, cycleId: id } : f)))
      : current.followUps;
  const snapshot = (): RehearsalState =>
    (current = {
      ...current,
      clock: new Date(clock.now()).toISOString(),
      status: finished ? 'done' : 'running',
      stepDurations: { ...stepDurations },
      wallMsBefore: wallMsBefore + (performance.now() - wallStart),
      followUps: followUps(),
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
    // The cycles of one year are rehearsed: a step that needs next year's cycle is reported as skipped, not failed.
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
  // Nothing moves the clock until the cycles' executions run (not an `inkoop clock advance`
  // that comes early either): the setup below happens at the start instant.
  let release: () => void = () => undefined;
  const held = runtime.driver.busy(() => new Promise<void>((resolve) => (release = resolve)));
  const progresses: Progress[] = [];
  const failures = new Map<string, NonNullable<RehearsalReport['failure']>>();
  const cleanups: (() => unknown)[] = [];
  const stopSimulations = () => Promise.all([...simulations.values()].map((sim) => sim.stop()));
  try {
    const { store } = runtime;
    let imported: ImportReport | undefined;
    if (!options.resume) {
      for (const c of calendars) await createCycle(store, c, clock);
      // The known providers, once each, through the same code as `inkoop providers import <file>`.
      const file = join(dataDir, 'providers.json');
      const text = yearProviderFile(year);
      writeFileSync(file, text, { mode: 0o600 });
      imported = await importProviders(store, parseProviders(text, 'json', 'providers.json'));
      save();
      // Nothing runs yet (the clock is held): the first checkpoint, so a crash from here on resumes.
      await runtime.checkpointNow();
    }
    options.onStarted?.(runtime, { population, calendar, calendars, year, resumed: !!options.resume });

    const stepsOf = new Map<string, Step[]>();
    for (const c of calendars) {
      const steps = await store.getSteps(c.id);
      if (options.resume && steps.length === 0) {
        throw new ConflictError(`The rehearsal in ${dataDir} has no cycle ${c.id} in its database; start it afresh`);
      }
      stepsOf.set(c.id, steps);
    }
    const allDone = [...stepsOf.values()].every((steps) => steps.length > 0 && steps.every((st) => st.status === 'done'));
    if (finished || allDone) {
      finished = true;
      release();
    } else {
      const ended = new Set<string>();
      for (const c of calendars) {
        const progress = createProgress(
          {
            calendar: c,
            steps: stepsOf.get(c.id)!,
            mailboxSize: () => storedEmails().length,
            now: () => clock.now(),
            stream: options.stream,
            // One set of bars per terminal: several cycles print a line per step, each with its cycle.
            mode: several && options.progress === 'bars' ? 'lines' : options.progress,
            ...(several ? { label: c.id } : {}),
          },
          (timing) => {
            const key = durationKey(c.id, timing.stepId);
            stepDurations[key] = (stepDurations[key] ?? 0) + timing.durationMs;
          },
        );
        progresses.push(progress);
        cleanups.push(
          runtime.onRunEvent((event, execution) => {
            if (execution.cycleId !== c.id) return;
            progress.onRunEvent(event);
            const over = event.type === 'executionSucceeded' || event.type === 'executionFailed' || event.type === 'executionAborted';
            if (!over || execution.successor) return;
            // The cycle's year ends with the last execution of its chain: of several, its providers stop acting
            // before the clock moves on for the others (later answers are moot, as for one calendar)...
            if (several) void simulations.get(c.id)?.stop();
            ended.add(c.id);
            // ...and when every cycle's has: hold the clock before a simulation's next wait can move it.
            if (event.type === 'executionSucceeded' && ended.size === calendars.length) runtime.driver.setMode('interactive');
          }),
        );
        const sim = new Simulation({
          clock,
          driver: runtime.driver,
          store,
          calendar: c,
          cycleId: c.id,
          population: year.cycles[c.id],
          registrationUrl: runtime.urls.registration(c.id),
          receivedAt: (i) => runtime.mailbox.receivedAt(i),
        });
        sim.restoreFollowUps(current.followUps.filter((f) => (several ? f.cycleId === c.id : true)));
        simulations.set(c.id, sim);
      }
      // Registered after the runtime: stops before it (the clock first, so nothing moves meanwhile).
      cleanups.push(options.shutdown?.add('simulation', () => stopSimulations()) ?? (() => undefined));
      cleanups.push(options.shutdown?.add('virtual clock', () => runtime.driver.setMode('interactive')) ?? (() => undefined));
      // Hold the clock until the executions run: between the simulations' first waits and the
      // workflows' first tasks the driver would otherwise see only the simulations waiting, and jump.
      const executionArns = await runtime.driver.busy(async () => {
        for (const sim of simulations.values()) sim.start((onSent) => runtime.onEmailsSent(onSent));
        const arns: string[] = [];
        for (const c of calendars) {
          const cycle = await store.getCycle(c.id);
          if (cycle?.status === 'planned') {
            arns.push((await startCycle(store, runtime.executions, c.id)).executionArn);
            continue;
          }
          if (stepsOf.get(c.id)!.every((st) => st.status === 'done')) continue; // this cycle's year was over already
          // Resumed: a new execution picks up at the first step that is not done (as `inkoop cycle resume` does).
          const resumed = await resumeCycle(
            store,
            { current: (cy) => runtime.executions.describe(cy), starter: runtime.executions },
            { cycleId: c.id, actor: { kind: 'operator', id: 'rehearsal' } },
          );
          arns.push(resumed.executionArn!);
        }
        return arns;
      });
      for (const c of calendars) if (stepsOf.get(c.id)!.every((st) => st.status === 'done')) void simulations.get(c.id)?.stop();
      release();
      await Promise.race([Promise.all(executionArns.map((arn) => runtime.executions.get(arn)!.done)), lostDatabase]);
      if (runtime.failure) throw runtime.failure;
      const ends = (await Promise.race([Promise.all(calendars.map((c) => runtime.executions.chainEnd(c.id))), lostDatabase]))!;
      if (runtime.failure) throw runtime.failure;
      for (const [i, end] of ends.entries()) {
        if (!end || end.status === 'SUCCEEDED') continue;
        if (options.shutdown?.signal.aborted) {
          for (const progress of progresses) progress.stop();
          return { population, calendar, calendars, year, stopped: true, import: imported };
        }
        // A failed milestone: that cycle's year stops there. Report what ran; `inkoop milestone retry` and `--resume` go on.
        const id = calendars[i].id;
        const step = (await store.getSteps(id)).find((st) => st.status === 'failed');
        failures.set(id, { execution: end.name, status: end.status, error: end.error, cause: step?.cause ?? end.cause, stepId: step?.stepId });
      }
      // The year is done (or stopped at a failure): late answers are moot; let the scheduled sender finish.
      await stopSimulations();
      runtime.driver.setMode('fast');
      await runtime.drain();
      for (const progress of progresses) progress.stop();
      finished = failures.size === 0;
    }
    save();

    const counts = runtime.metrics.snapshot();
    const mode = typeof options.mode === 'object' ? `speed ${options.mode.daysPerSecond} days/s` : options.mode;
    const common = {
      store,
      emails: storedEmails(),
      counts,
      linkStatuses: { ...runtime.linkStatuses },
      wallTimeMs: wallMsBefore + (performance.now() - wallStart),
      virtual: { from: Date.parse(current.startedAt), to: clock.now() },
      executions: runtime.history.executions(),
      lambdaMemoryMb: { ...runtime.lambdaMemoryMb },
      sesFaults: { ...runtime.ses.faults },
      checkpoints: { ...runtime.checkpoints },
    };
    let report: RehearsalReport | undefined;
    let yearReport: YearReport | undefined;
    if (several) {
      const overlap = year.roles.filter((r) => r.second);
      yearReport = await buildYearReport({
        ...common,
        cycles: calendars.map((c) => ({
          cycleId: c.id,
          calendar: c,
          failure: failures.get(c.id),
          stepDurations: Object.fromEntries(
            Object.entries(stepDurations).flatMap(([key, ms]) => (key.startsWith(`${c.id} `) ? [[key.slice(c.id.length + 1), ms]] : [])),
          ),
        })),
        rehearsal: {
          calendars: ids,
          providers,
          seed,
          mode,
          resumed: !!options.resume,
          overlap: {
            share: OVERLAP_SHARE,
            providers: overlap.length,
            holds: overlap.filter((r) => r.second!.part === 'holds').length,
            seeks: overlap.filter((r) => r.second!.part === 'seeks').length,
          },
        },
      });
    } else {
      report = await buildReport({
        ...common,
        cycleId,
        calendar,
        stepDurations,
        rehearsal: { calendar: calendar.id, cycleId, providers, seed, mode, resumed: !!options.resume },
        failure: failures.get(cycleId),
      });
    }
    const errors = [...simulations.values()].flatMap((sim) => sim.tally.errors);
    if (errors.length) say(`The simulation hit ${errors.length} errors; the first: ${errors[0]}`);
    const simulation = Object.fromEntries([...simulations].map(([id, sim]) => [id, sim.tally]));
    const retried = [...simulations.values()].flatMap((sim) => sim.tally.retried);
    if (retried.length) say(`Provider pages answered 5xx or not at all ${retried.length} times (tried again); the first: ${retried[0]}`);
    const result = { report, yearReport, population, calendar, calendars, year, stopped: false, import: imported, simulation };
    if (options.serve) return { ...result, runtime };
    await runtime.stop();
    return result;
  } catch (error) {
    release();
    await held;
    for (const progress of progresses) progress.stop();
    await stopSimulations();
    await runtime.stop();
    throw runtime.failure ?? error;
  } finally {
    if (!options.shutdown?.signal.aborted) {
      for (const c of cleanups) c();
      if (!options.serve) unsave?.();
    }
  }
}

/** `msr-2021,zvt-2021` → the calendars named, each trimmed. */
export function splitCalendars(value: string): string[] {
  const names = value.split(',').map((c) => c.trim());
  if (names.some((n) => !n)) throw new ValidationError(`--calendar ${value}: an empty name between commas`);
  return names;
}
