/**
 * The local runtime: the whole AWS stack on one machine, all real, all started
 * here and stopped in order.
 *
 * - DynamoDB Local on a locked working copy of the data folder's last
 *   checkpoint (./runtime-database.ts);
 * - aws-ses-v2-local in-process on loopback (its page at `/` is the mailbox;
 *   the emails are kept in `<data>/mailbox.jsonl`);
 * - checkpoints of the database, the mailbox and the owner's state, taken at
 *   quiet moments (when a milestone step ended, and every few seconds of real
 *   time) and when it stops, so a killed runtime resumes from the last one
 *   (./runtime-checkpoint.ts);
 * - aws-local-stepfunctions running the state machine definition the CDK app
 *   synthesizes (infra/synth.ts), each Lambda task routed to the handler module
 *   that function bundles (./runtime-handlers.ts), the EventBridge schedule of
 *   the template on the same clock (./runtime-schedule.ts);
 * - the provider pages and the operators' dashboard, served on loopback by the
 *   same HTTP handlers the HTTP APIs run (functions/http/node-server.ts);
 * - one VirtualClock and one VirtualTimeDriver that everything above reads
 *   and waits on, and a control endpoint to move the clock from elsewhere
 *   (./control.ts), announced in `<data>/runtime.json`.
 *
 * The runtime holds the data folder's lock (./file-lock.ts) while it runs: a
 * second one on the same folder is refused. If its database goes away under it
 * (the working copy removed, DynamoDB Local gone), it stops at once with one
 * error (`failure`), and saves nothing from then on.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cycleWorkflowFromTemplate, type CycleWorkflow } from '../../infra/template.ts';
import type { VirtualClock } from '../commons/clock.ts';
import { createServices, type LocalServices } from './runtime-services.ts';
import { createStore, type Store } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';
import { retryMilestone } from '../cycles/retry.ts';
import { resumeCycle } from '../cycles/resume.ts';
import { createLinkIssuer } from '../links/issue.ts';
import { localActor } from '../dashboard/app.ts';
import { createFilePublicationStore } from '../publication/store.ts';
import { LocalLinkKeyProvider } from '../links/keys.ts';
import { createClockController, startControlServer, type ClockController, type ControlServer } from './control.ts';
import { ensureTable } from './dynamodb-local.ts';
import { cachedTemplate, keepEmptyDatabase } from './startup-cache.ts';
import { DB_FILE, startRuntimeDatabase, type RuntimeDatabase } from './runtime-database.ts';
import { freshDatabaseFile, type LaunchedDatabase } from './database-launch.ts';
import { Checkpoints, prepareCheckpoints, type Checkpoint, type CheckpointStats } from './runtime-checkpoint.ts';
import type { HeldLock } from './file-lock.ts';
import { CrashInjector, type CrashPoint } from './crash-points.ts';
import type { Shutdown } from './process.ts';
import { FACTORIES, loadDeliveryEventsHandler, loadWorkflowHandlers, pacingClock, type LocalHandlerDeps } from './runtime-handlers.ts';
import { FairRateLimiter, realSleep } from '../email/rate-limit.ts';
import { LocalExecutions, info, type LocalExecutionRecord } from './runtime-executions.ts';
import { HistoryCounter } from './history.ts';
import { lockDataDir, removeRuntimeFile, writeRuntimeFile, type RuntimeInfo } from './runtime-file.ts';
import { MailboxFile } from './runtime-mailbox.ts';
import { RuntimeMetrics } from './runtime-metrics.ts';
import { ScheduleRunner, schedulesFromTemplate } from './runtime-schedule.ts';
import { relaySesEvents } from './ses-events.ts';
import { createLocalSesClient, startSesLocal, type SesLocal } from './ses-local.ts';
import type { LambdaHandler, RunEvent } from './step-functions.ts';
import { VirtualTimeDriver, type ClockMode } from './virtual-time.ts';
import { freeStablePort } from './ports.ts';
import { NextCycleMissingError } from '../milestones/errors.ts';
import { logger } from '../commons/logger.ts';
import { DomainError } from '../commons/errors.ts';

export const DEFAULT_DATA_DIR = '.local';
/** Locally SES is as fast as the machine; the AWS quota (e.g. 14/s) does not apply. */
export const LOCAL_SES_RATE_PER_SECOND = 1000;
export const LOCAL_SENDER = 'inkoop@zorgverzekeraar.example';
/** Real time between checkpoints while something changes (besides one after every milestone step). */
export const CHECKPOINT_INTERVAL_MS = 5000;

export interface LocalRuntimeOptions {
  dataDir?: string;
  clock: VirtualClock;
  mode: ClockMode;
  /** Registers the runtime's cleanups (Ctrl-C); without it, call `stop()`. */
  shutdown?: Shutdown;
  sesRatePerSecond?: number;
  /** Outbox messages one send invocation works on at once. */
  sendConcurrency?: number;
  sender?: string;
  /** Fixed ports (default: free ones). A resumed rehearsal asks for its old ones: the links in its emails point there. */
  ports?: Partial<RuntimePorts>;
  /** Messages for the person running it (default: none). */
  log?: (line: string) => void;
  /**
   * A rehearsal: a step that needs next year's cycle (NextCycleMissingError) is
   * noted as skipped, with the reason, and the year goes on. Otherwise it fails as in AWS.
   */
  skipStepsNeedingNextCycle?: boolean;
  /** The data folder's lock, if the caller took it already (the runtime releases it when it stops). */
  lock?: HeldLock;
  /** The owner's state, kept in every checkpoint with the database and the mailbox (JSON). */
  checkpointState?: () => unknown;
  /** Share of SendEmail requests the local SES answers with throttling or 503 (./ses-local.ts). */
  sesFaults?: number;
  /** Crash injection (./crash-points.ts): SIGKILL of the process group at this point. */
  crashAt?: CrashPoint;
  /**
   * DynamoDB Local launched already on the kept empty database (`launchFreshDatabase`), so its JVM started
   * while the caller loaded its modules. Taken over if the data folder has no checkpoint; discarded otherwise.
   */
  database?: LaunchedDatabase;
}

export interface RuntimePorts {
  ses: number;
  links: number;
  operator: number;
  publications: number;
  control: number;
}

/** The ports asked for, the others chosen where a resume can take them back (./ports.ts freeStablePort). */
export async function stablePorts(asked: Partial<RuntimePorts> = {}): Promise<RuntimePorts> {
  const names = ['ses', 'links', 'operator', 'publications', 'control'] as const;
  const ports: Partial<RuntimePorts> = {};
  const taken = new Set(Object.values(asked));
  for (const name of names) {
    let port = asked[name];
    // A chosen port is still free until it is listened on: never hand out one twice, nor one asked for.
    while (port === undefined || (asked[name] === undefined && taken.has(port))) port = await freeStablePort();
    taken.add(port);
    ports[name] = port;
  }
  return ports as RuntimePorts;
}

export interface LocalRuntimeUrls {
  mailbox: string;
  /** Provider pages: the links in the emails point here. */
  links: string;
  /** The public registration form of a cycle. */
  registration(cycleId: string): string;
  /** The operators' dashboard, with its session token. */
  dashboard: string;
  control: string;
  /** Public documents (the contracted-provider list, the Q&A memo). */
  publications: string;
}

export interface LocalRuntime {
  readonly dataDir: string;
  readonly clock: VirtualClock;
  readonly driver: VirtualTimeDriver;
  readonly store: Store;
  readonly tableName: string;
  readonly db: RuntimeDatabase;
  readonly ses: SesLocal;
  readonly metrics: RuntimeMetrics;
  readonly executions: LocalExecutions;
  /** The history of every execution, counted as Step Functions would record it. */
  readonly history: HistoryCounter;
  /** The memory each workflow function is configured with in the template (MB), by handler key. */
  readonly lambdaMemoryMb: Readonly<Record<string, number>>;
  readonly clockControl: ClockController;
  readonly workflow: CycleWorkflow;
  readonly urls: LocalRuntimeUrls;
  /** The ports it listens on (all loopback). */
  readonly ports: RuntimePorts;
  readonly mailbox: MailboxFile;
  /** Provider-page responses by status code. */
  readonly linkStatuses: Readonly<Record<number, number>>;
  /** The checkpoint it started from (undefined: a fresh data folder). */
  readonly restored: Checkpoint | undefined;
  readonly checkpoints: CheckpointStats;
  /** Takes a checkpoint now if nothing runs (one event-loop turn later); returns whether it did. */
  checkpoint(): Promise<boolean>;
  /** Takes a checkpoint now: for a caller that knows nothing runs (it holds the clock and started nothing yet). */
  checkpointNow(): Promise<boolean>;
  /** Set when the runtime stopped because its database went away. */
  readonly failure: Error | undefined;
  /** Called once if the runtime stops because its database went away (after it stopped). */
  onFailure(listener: (error: Error) => void): void;
  /** Listens to every event of every execution. */
  onRunEvent(listener: (event: RunEvent, execution: LocalExecutionRecord) => void): () => void;
  /** Called (inside the invocation, before the clock can move) after every email send: workflow task or schedule. */
  onEmailsSent(listener: () => void | Promise<void>): () => void;
  /** Something outside the workflow may have enqueued emails: the scheduled sender runs at its next tick. */
  nudgeSchedule(): void;
  /** Waits until the scheduled sender has nothing pending (after the workflow ended; the clock must be able to move). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts everything (in the order their dependencies need) and returns the running runtime; `stop()` (or the Shutdown) stops it. */
export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const log = options.log ?? (() => undefined);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const lock = options.lock ?? (await lockDataDir(dataDir));

  const cleanups: { name: string; run: () => unknown }[] = [];
  const onStop = (name: string, run: () => unknown): void => {
    cleanups.push({ name, run });
  };
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      for (let c = cleanups.pop(); c; c = cleanups.pop()) {
        try {
          await c.run();
        } catch (error) {
          log(`stopping ${c.name} failed: ${(error as Error)?.message ?? String(error)}`);
        }
      }
    })());
  const unregister = options.shutdown?.add('local runtime', stop);
  onStop('data folder lock', () => lock.release());
  onStop('shutdown registration', () => unregister?.());

  // The handlers log every email and page as structured JSON, as in Lambda; on one screen that drowns
  // everything else. LOG_LEVEL (read by the logger) keeps whatever level is asked for.
  if (!process.env.LOG_LEVEL) logger.setLogLevel('WARN');

  try {
    const { clock } = options;
    const metrics = new RuntimeMetrics();
    const driver = new VirtualTimeDriver(clock, options.mode);
    onStop('virtual time driver', () => driver.dispose());

    // -- DynamoDB Local: its JVM starts (seconds) while this process starts the rest
    const current = prepareCheckpoints(dataDir);
    const tableName = DEFAULT_TABLE_NAME;
    // A fresh data folder starts on a kept empty database with the table in it (./startup-cache.ts).
    const emptyDb = current ? undefined : freshDatabaseFile(tableName);
    const launched = current ? undefined : options.database;
    if (current) void options.database?.discard();
    const fromEmpty = emptyDb !== undefined && (launched ? launched.from === emptyDb : existsSync(emptyDb));
    const dbStarting = startRuntimeDatabase({ from: current?.db ?? (fromEmpty ? emptyDb : undefined), tableName, launched });
    dbStarting.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    onStop('DynamoDB Local', async () => (await dbStarting.catch(() => undefined))?.stop());

    // -- SES (one mailbox per process: empty it, then put back what this data folder had)
    const ports = await stablePorts(options.ports);
    const ses = await startSesLocal({ port: ports.ses, faults: options.sesFaults ? { rate: options.sesFaults } : undefined });
    onStop('local SES', () => ses.stop());
    await ses.clear();
    const mailbox = new MailboxFile(dataDir);
    // As many emails as the checkpoint had sent (all, in a folder from before checkpoints).
    const restored = mailbox.restore(current?.record?.mailbox);
    if (restored) log(`mailbox: ${restored} emails restored from ${mailbox.path}`);
    const sesClient = createLocalSesClient(ses.endpoint, { timeoutMs: 30_000 });
    if (options.crashAt) {
      sesClient.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          crash.count('send');
          return result;
        },
        { step: 'initialize', name: 'inkoopCrashSend' },
      );
    }
    onStop('SES client', () => sesClient.destroy());

    // -- the synthesized stack (the CDK is imported only to synthesize: it takes a while, as does the JVM)
    // From the start-up cache while infra/, functions/, workflows/ and the packages are unchanged.
    const template = await cachedTemplate(async () => {
      const { synthesizeStack } = await import('../../infra/synth.ts');
      return synthesizeStack({ bundling: false, validation: false });
    });
    const workflow = cycleWorkflowFromTemplate(template);

    const db = await dbStarting;
    const crash = new CrashInjector(options.crashAt);
    let milestonesRunning = 0;
    if (options.crashAt) {
      db.client.middlewareStack.add(
        (next, context) => async (args) => {
          const result = await next(args);
          if (milestonesRunning > 0 && /^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(String(context.commandName))) crash.count('fanout');
          return result;
        },
        { step: 'initialize', name: 'inkoopCrashFanout' },
      );
    }
    let failure: Error | undefined;
    const failureListeners: ((error: Error) => void)[] = [];
    db.onLost((reason) => {
      failure = new DatabaseLostError(`The local runtime on ${dataDir} lost its database: ${reason}. It stopped without saving; --resume continues from its last checkpoint.`);
      void stop().then(() => {
        for (const l of failureListeners) l(failure!);
      });
    });
    // The SDK's logger middleware filters every request and response for a logger that logs nothing.
    db.client.middlewareStack.remove('loggerMiddleware');
    metrics.instrument(db.client);
    await ensureTable(db.client, tableName);
    if (emptyDb && !fromEmpty) await keepEmptyDatabase(emptyDb, (file) => db.copyTo(file));

    // -- checkpoints: at quiet moments, when something changed since the last one
    const checkpoints = new Checkpoints(
      {
        dataDir,
        copyDatabase: (file) => db.copyTo(file),
        flushMailbox: () => mailbox.flush(),
        clock: () => clock.now(),
        state: () => options.checkpointState?.() ?? null,
      },
      current,
    );
    const requests = { active: 0 };
    const seen = { writes: -1, clock: clock.now(), at: performance.now(), steps: 0 };
    let stepsEnded = 0;
    // Whoever wrote (this process or an `inkoop` command), the database file changed.
    const written = (): number => statSync(join(db.workDir, DB_FILE), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const changed = (): boolean => written() !== seen.writes || clock.now() !== seen.clock;
    let taking: Promise<boolean> | undefined;
    /**
     * Takes a checkpoint with the clock held (nothing the clock wakes can start
     * meanwhile) if no request runs; call when nothing runs. Resolves whether it took one.
     */
    const takeCheckpoint = (): Promise<boolean> => {
      if (taking) return taking;
      if (failure || db.lost() || requests.active > 0) return Promise.resolve(false);
      taking = driver
        .busy(async () => {
          const at = { writes: written(), clock: clock.now(), at: performance.now(), steps: stepsEnded };
          try {
            await checkpoints.take();
          } catch (error) {
            log(`checkpoint failed (the previous one stays): ${(error as Error)?.message ?? String(error)}`);
            return false;
          } finally {
            Object.assign(seen, at);
          }
          return true;
        })
        .finally(() => {
          taking = undefined;
        });
      return taking;
    };
    const due = (): boolean => !stopping && changed() && (stepsEnded !== seen.steps || performance.now() - seen.at >= CHECKPOINT_INTERVAL_MS);
    driver.onQuiet(() => {
      if (due()) void takeCheckpoint();
    });
    onStop('quiet checkpoints', () => driver.onQuiet(undefined));
    // Interactive rehearsals (and long pauses): the clock does not move by itself.
    const ticker = setInterval(() => {
      if (due()) void driver.ifQuiet(() => void (due() && takeCheckpoint()));
    }, 1000);
    ticker.unref();
    onStop('checkpoint timer', () => clearInterval(ticker));
    // Runs once the executions, servers and schedules stopped, before DynamoDB Local does.
    onStop('final checkpoint', () => {
      if (!failure) return takeCheckpoint();
    });
    const store = createStore({ client: db.client, tableName, clock });

    // -- events, listeners
    const runListeners = new Set<(event: RunEvent, execution: LocalExecutionRecord) => void>();
    const sentListeners = new Set<() => void | Promise<void>>();
    let nextMilestoneAt: number | undefined;
    const nextStepOf = new Map<string, number>();
    const history = new HistoryCounter(() => clock.now());
    const onEvent = (event: RunEvent, record: LocalExecutionRecord): void => {
      history.record(event, record);
      if (event.type === 'stateEntered') metrics.stateTransitions++;
      if (event.type === 'stateExited') {
        const next = (event.output as { next?: { finished?: boolean; step?: { at?: string } | null } } | null)?.next;
        if (next && typeof next === 'object' && 'finished' in next) {
          const at = next.finished || !next.step?.at ? undefined : Date.parse(next.step.at);
          if (at !== nextStepOf.get(record.cycleId)) stepsEnded++;
          // Several cycles at once (a rehearsal of the year): the next milestone is the earliest of theirs.
          if (at === undefined) nextStepOf.delete(record.cycleId);
          else nextStepOf.set(record.cycleId, at);
          nextMilestoneAt = nextStepOf.size ? Math.min(...nextStepOf.values()) : undefined;
        }
      }
      for (const listener of runListeners) listener(event, record);
    };

    // -- provider pages and operator tools (need the store; the link issuer needs the pages' URL)
    const keys = new LocalLinkKeyProvider(dataDir);
    const publicationsDir = join(dataDir, 'publications');
    mkdirSync(publicationsDir, { recursive: true });

    let schedule: ScheduleRunner | undefined;
    const nudgeSchedule = (): void => schedule?.nudge();

    // The executions exist once the handlers do, and those need the pages' address: a late binding.
    const executionsRef: { current?: LocalExecutions } = {};
    const executionsPort = { describe: async (cycle: { id: string; executionArn?: string }) => executionsRef.current?.describe(cycle) };
    const clockControl = createClockController({ clock, driver, nextMilestone: () => nextMilestoneAt });

    const services: LocalServices = await createServices({
      store,
      clock,
      keys,
      dataDir,
      publicationsDir,
      executions: executionsPort,
      clockControl,
      retry: (cycleId, milestone) =>
        retryMilestone(store, executionsRef.current, { cycleId, milestone, actor: { kind: 'operator', id: localActor() } }),
      resume: (cycleId, by) =>
        resumeCycle(
          store,
          { current: (cycle) => executionsPort.describe(cycle), starter: executionsRef.current },
          { cycleId, actor: { kind: 'operator', id: by } },
        ),
      mailboxUrl: ses.mailboxUrl,
      afterRequest: () => {
        crash.count('action');
        nudgeSchedule();
      },
      requests,
      ports,
    });
    onStop('HTTP servers', () => services.close());
    const publications = createFilePublicationStore({ dir: publicationsDir, baseUrl: services.publicationsUrl });
    const linkIssuer = createLinkIssuer({ keys, baseUrl: services.linksUrl, clock });

    // -- workflow handlers, counted, and the email listeners after every send
    const sesRatePerSecond = options.sesRatePerSecond ?? LOCAL_SES_RATE_PER_SECOND;
    const handlerDeps: LocalHandlerDeps = {
      store,
      clock,
      ses: sesClient,
      linkIssuer,
      publications,
      // One SES account: the workflow tasks of every cycle and the scheduled sender share its rate, round-robin by cycle.
      limiter: new FairRateLimiter(sesRatePerSecond, pacingClock(clock), realSleep),
      config: {
        tableName,
        sender: options.sender ?? LOCAL_SENDER,
        sesRatePerSecond,
        linksBaseUrl: services.linksUrl,
        publicationsUrl: services.publicationsUrl,
        sendConcurrency: options.sendConcurrency ?? 8,
      },
    };
    const raw = await loadWorkflowHandlers(workflow, handlerDeps);
    // SES events: every send of the local SES becomes the event records AWS would publish, handed to the
    // DeliveryEvents function right after the send (./ses-events.ts); an escalation it queues goes out at
    // the sender's next tick.
    const deliveryEvents = await loadDeliveryEventsHandler(handlerDeps);
    let escalated = false;
    const sesEvents = relaySesEvents(sesClient, clock, async (event) => {
      const result = (await deliveryEvents(event)) as { undeliverable?: number } | undefined;
      if (result?.undeliverable) escalated = true;
      return result;
    });
    const sendEntry = Object.keys(FACTORIES).find((e) => e.endsWith('/send-emails.ts'));
    const runEntry = Object.keys(FACTORIES).find((e) => e.endsWith('/run-milestone.ts'));
    const handlers: Record<string, LambdaHandler> = {};
    for (const [key, handler] of Object.entries(raw)) {
      const sends = workflow.substitutions[key].entry === sendEntry;
      const runsMilestone = workflow.substitutions[key].entry === runEntry;
      const runs = runsMilestone && options.skipStepsNeedingNextCycle === true;
      handlers[key] = async (event) => {
        const started = performance.now();
        if (runsMilestone) milestonesRunning++;
        const result = await handler(event)
          .catch(async (error: unknown) => {
            if (!runs || !(error instanceof NextCycleMissingError)) throw error;
            const { cycleId, stepId } = event as { cycleId: string; stepId: string };
            await store.noteStepSkipped(cycleId, stepId, error.message);
            log(`${stepId} of ${cycleId} skipped: ${error.message}`);
            return { cursor: null, more: false };
          })
          .finally(() => {
            if (runsMilestone) milestonesRunning--;
            metrics.countLambda(key, performance.now() - started);
          });
        if (sends) {
          await sesEvents.flush();
          if (escalated) {
            escalated = false;
            nudgeSchedule();
          }
          mailbox.stamp(clock.now());
          for (const listener of sentListeners) await listener();
        }
        return result;
      };
    }

    const executions = new LocalExecutions({ definition: workflow.definitionString, handlers, clock, driver, onEvent });
    executionsRef.current = executions;
    onStop('executions', () => executions.stopAll());

    // -- the template's schedules (the every-minute sender)
    for (const s of schedulesFromTemplate(template)) {
      const key = Object.keys(workflow.substitutions).find((k) => workflow.substitutions[k].logicalId === s.functionLogicalId);
      if (!key) {
        log(`schedule ${s.ruleId}: its function is not one of the workflow's, not run locally`);
        continue;
      }
      schedule = new ScheduleRunner({
        clock,
        driver,
        schedule: s,
        invoke: (input) => handlers[key](input),
        again: (result) => (result as { more?: boolean } | null)?.more === true,
        onError: (error) => log(`scheduled ${key} failed: ${(error as Error)?.message ?? String(error)}`),
      });
      onStop(`schedule ${s.ruleId}`, () => schedule?.stop());
    }
    // Resumed from a checkpoint: a provider's action just before it may have queued a confirmation for the
    // sender's next tick, a wait that was not saved. Nudge it: the tick comes at the same instant it would have.
    if (current) nudgeSchedule();

    // -- control endpoint and runtime.json
    const control: ControlServer = await startControlServer({
      controller: clockControl,
      executions,
      port: ports.control,
      status: () => ({
        dataDir,
        executions: executions.list().map((r) => ({ cycleId: r.cycleId, arn: r.arn, ...info(r) })),
        nextMilestone: nextMilestoneAt === undefined ? null : new Date(nextMilestoneAt).toISOString(),
      }),
    });
    onStop('control endpoint', () => control.close());
    const runtimeInfo: RuntimeInfo = {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      dataDir,
      tableName,
      dynamodb: { endpoint: db.endpoint },
      ses: { endpoint: ses.endpoint, mailboxUrl: ses.mailboxUrl },
      links: { url: services.linksUrl },
      operator: { url: services.operatorUrl },
      control: { url: control.url, secret: control.secret },
    };
    writeRuntimeFile(dataDir, runtimeInfo);
    onStop('runtime.json', () => removeRuntimeFile(dataDir));

    return {
      dataDir,
      clock,
      driver,
      store,
      tableName,
      db,
      ses,
      metrics,
      executions,
      history,
      lambdaMemoryMb: Object.fromEntries(
        Object.entries(workflow.substitutions).map(([key, ref]) => [key, Number(template.Resources[ref.logicalId]?.Properties?.MemorySize ?? 128)]),
      ),
      clockControl,
      workflow,
      mailbox,
      linkStatuses: services.linkStatuses,
      restored: current?.record,
      checkpoints: checkpoints.stats,
      checkpoint: async () => {
        let took: Promise<boolean> = Promise.resolve(false);
        return (await driver.ifQuiet(() => (took = takeCheckpoint()))) && took;
      },
      checkpointNow: takeCheckpoint,
      get failure() {
        return failure;
      },
      onFailure(listener) {
        failureListeners.push(listener);
      },
      ports: { ses: ses.port, control: Number(new URL(control.url).port), ...services.ports },
      urls: {
        mailbox: ses.mailboxUrl,
        links: services.linksUrl,
        registration: services.registrationUrl,
        dashboard: services.dashboardUrl,
        control: control.url,
        publications: services.publicationsUrl,
      },
      onRunEvent(listener) {
        runListeners.add(listener);
        return () => runListeners.delete(listener);
      },
      onEmailsSent(listener) {
        sentListeners.add(listener);
        return () => sentListeners.delete(listener);
      },
      nudgeSchedule,
      async drain() {
        for (;;) {
          await driver.settled();
          if (!schedule?.active) return;
          await new Promise((r) => setTimeout(r, 10));
        }
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The runtime's database went away under it (the runtime stopped; nothing was saved after its last checkpoint). */
export class DatabaseLostError extends DomainError {
  readonly code = 'DatabaseLost';
  readonly httpStatus = 503;
  override readonly exitCode = 2;
}
