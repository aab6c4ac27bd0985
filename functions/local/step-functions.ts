/**
 * Runs a Step Functions definition in-process with aws-local-stepfunctions,
 * with local handlers for its Lambda Tasks and its Waits on a VirtualClock.
 *
 * Facts of aws-local-stepfunctions 3.0.0 this module works around (see asl.ts
 * for the definition rewrites): Task overrides are keyed by state name; for
 * `lambda:invoke` they receive and must return the Lambda envelope; a thrown
 * error becomes `{ Error: name, Cause: message }`; its timers overflow past
 * 2^31 ms; `$$.Execution.StartTime` is always the real time (pinned here to
 * the virtual start).
 */
import {
  StateMachine,
  ExecutionAbortedError as EngineAbortedError,
  ExecutionError as EngineExecutionError,
  type RunOptions,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { VirtualClock } from '../commons/clock.ts';
import {
  functionResolver,
  pinStartTime,
  prepareDefinition,
  type AslDefinition,
  type LambdaTask,
  type VirtualWaitParameters,
} from './asl.ts';
import { checkOnce } from './startup-cache.ts';
import { VirtualTimeDriver, type ClockMode } from './virtual-time.ts';

export type { ClockMode } from './virtual-time.ts';

// Each handler declares its own event type; the definition decides what it gets,
// so the runtime cannot name one type for all of them.
// biome-ignore lint/suspicious/noExplicitAny: the parameter is checked by each handler's own schema
export type LambdaHandler = (event: any) => Promise<unknown>;

export interface RunStateMachineOptions {
  /** ASL (JSONPath), as an object or the template's DefinitionString. */
  definition: AslDefinition | string;
  input: unknown;
  executionName: string;
  /** Used in `$$.Execution.Id` and `$$.StateMachine`. */
  stateMachineName?: string;
  /** Handlers by function name or logical id. */
  handlers: Record<string, LambdaHandler>;
  /** FunctionName strings (`${Placeholder}`, ARNs) that need an explicit handler key. */
  functionNames?: Record<string, string>;
  clock: VirtualClock;
  /** How the clock moves while the workflow waits; ignored (the driver's own mode) when `driver` is given. */
  mode: ClockMode;
  /**
   * A driver shared with other users of the clock (the local runtime's simulation and
   * schedule wait on it too, and hold it still with `busy`); it must drive `clock`.
   * Default: a driver of this execution's own, disposed when it ends.
   */
  driver?: VirtualTimeDriver;
  /**
   * Answers the definition's `states:startExecution` Tasks (required when it has any):
   * starts `name` with `input` and returns what StartExecution returns. An existing
   * name must be refused with an error named `StepFunctions.ExecutionAlreadyExistsException`.
   */
  startExecution?: (request: StartExecutionRequest) => Promise<{ executionArn: string; startDate: string }>;
  /** Called for every event, in order (a few microtasks after it happened, before the clock moves); a throwing listener aborts the run. */
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export interface StartExecutionRequest {
  stateMachineArn: string;
  name: string;
  input: unknown;
}

interface At {
  /** Virtual time, epoch ms. */
  at: number;
}
interface InState extends At {
  state: string;
  /** Map iteration index, for states inside a Map. */
  iteration?: number;
}
export type RunEvent =
  | (At & { type: 'executionStarted'; input: unknown })
  | (At & { type: 'executionSucceeded'; output: unknown })
  | (At & { type: 'executionFailed'; error: string; cause: string })
  | (At & { type: 'executionAborted' })
  | (InState & { type: 'stateEntered'; stateType: string; input: unknown })
  | (InState & { type: 'stateExited'; stateType: string; output: unknown })
  | (InState & { type: 'stateFailed'; error: string; cause: string })
  | (InState & { type: 'stateRetried'; attempt: number })
  | (InState & { type: 'stateCaught'; next: string })
  | (InState & { type: 'taskStarted'; function: string })
  | (InState & { type: 'taskSucceeded'; function: string })
  | (InState & { type: 'taskFailed'; function: string; error: string; cause: string })
  | (InState & { type: 'waitStarted'; until: number })
  | (InState & { type: 'waitFinished'; until: number });

/** The execution failed; `error` and `cause` as Step Functions reports them. */
export class ExecutionFailedError extends Error {
  constructor(
    readonly error: string,
    readonly cause: string,
  ) {
    super(`Execution failed: ${error}: ${cause}`);
    this.name = 'ExecutionFailedError';
  }
}

export class ExecutionAbortedError extends Error {
  constructor() {
    super('Execution aborted');
    this.name = 'ExecutionAbortedError';
  }
}

export interface Execution {
  readonly name: string;
  /** The output, or rejects with ExecutionFailedError / ExecutionAbortedError. */
  readonly result: Promise<unknown>;
  /** Lambda invocations so far, by handler key. */
  readonly invocations: Readonly<Record<string, number>>;
  setMode(mode: ClockMode): void;
  /** When the earliest waiting state wakes up (for "skip to next" in interactive mode). */
  nextWakeUp(): number | undefined;
  /** Stops at the next state; running handlers finish first. */
  abort(): void;
  /** Aborts and resolves once everything has settled; never rejects. */
  stop(): Promise<void>;
}

export async function runStateMachine(options: RunStateMachineOptions): Promise<unknown> {
  return startExecution(options).result;
}

/** Starts an execution; throws at once if the definition cannot run locally or `signal` is already aborted. */
export function startExecution(options: RunStateMachineOptions): Execution {
  const { clock, handlers, executionName } = options;
  if (options.signal?.aborted) throw new ExecutionAbortedError();
  const stateMachineName = options.stateMachineName ?? 'local';
  const prepared = prepareDefinition(options.definition, functionResolver(Object.keys(handlers), options.functionNames));
  validateOnce(options.definition);
  if (prepared.startExecutionTasks.size > 0 && !options.startExecution) {
    throw new Error(`The definition starts executions (${[...prepared.startExecutionTasks].join(', ')}): pass startExecution`);
  }
  pinStartTime(prepared.definition, new Date(clock.now()).toISOString());

  const ownDriver = options.driver === undefined;
  const driver = options.driver ?? new VirtualTimeDriver(clock, options.mode);
  const lifetime = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const invocations: Record<string, number> = {};
  // Wake-up instants of waits that started, read when their StateEntered event arrives.
  const waitTargets = new Map<string, number[]>();
  let timedOut = false;
  let listenerError: unknown;

  const invokeLambda = async (task: LambdaTask, input: unknown): Promise<unknown> => {
    invocations[task.handlerKey] = (invocations[task.handlerKey] ?? 0) + 1;
    const event = task.envelope ? ((input as { Payload?: unknown }).Payload ?? {}) : input;
    const run = driver.busy(() => handlers[task.handlerKey](event));
    inFlight.add(run);
    try {
      const payload = toJson(await run);
      // lambda:invoke answers with the Lambda envelope; ResultSelector picks from it.
      return task.envelope ? { Payload: payload, StatusCode: 200 } : payload;
    } catch (error) {
      throw asLambdaError(error);
    } finally {
      inFlight.delete(run);
    }
  };

  const virtualWait = async (state: string, parameters: VirtualWaitParameters): Promise<unknown> => {
    const target = waitTarget(parameters, clock.now());
    const targets = waitTargets.get(state) ?? [];
    targets.push(target);
    waitTargets.set(state, targets);
    await driver.until(target, { signal: lifetime.signal });
    return parameters.input;
  };

  // The engine's JSONValue type is not exported: what the handlers return is JSON by contract.
  type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
  type EngineValue = Awaited<ReturnType<LocalHandlers[string]>>;
  const taskResourceLocalHandlers: LocalHandlers = {};
  for (const task of prepared.lambdaTasks.values()) taskResourceLocalHandlers[task.state] = async (input) => (await invokeLambda(task, input)) as EngineValue;
  for (const state of prepared.waitStates) {
    taskResourceLocalHandlers[state] = async (input) => (await virtualWait(state, input as unknown as VirtualWaitParameters)) as EngineValue;
  }
  for (const state of prepared.startExecutionTasks) {
    taskResourceLocalHandlers[state] = async (value) => {
      const input = value as { StateMachineArn?: string; Name?: string; Input?: unknown };
      const started = await options.startExecution!({
        stateMachineArn: String(input.StateMachineArn),
        name: String(input.Name),
        // The service integration accepts Input as JSON text or as an object.
        input: typeof input.Input === 'string' ? JSON.parse(input.Input) : (input.Input ?? {}),
      });
      return { ExecutionArn: started.executionArn, StartDate: started.startDate } as EngineValue;
    };
  }
  // The engine reads this object at every retry, so setMode can change it.
  const retryIntervalOverrides: Record<string, number> = {};
  const applyRetryMode = (mode: ClockMode): void => {
    for (const state of prepared.retryStates) {
      if (mode === 'fast') retryIntervalOverrides[state] = 0;
      else delete retryIntervalOverrides[state];
    }
  };
  applyRetryMode(driver.mode);

  // The engine runs the first state synchronously inside run(): be ready to abort before it returns.
  let engine: ReturnType<StateMachine['run']> | undefined;
  let abortRequested = false;
  const abort = (): void => {
    abortRequested = true;
    engine?.abort(); // first, so the engine stops before the waits below reject
    lifetime.abort(new ExecutionAbortedError());
  };
  options.signal?.addEventListener('abort', abort, { once: true });

  const machine = new StateMachine(prepared.definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const startedAt = clock.now();
  const executionArn = `arn:aws:states:eu-west-1:000000000000:execution:${stateMachineName}:${executionName}`;
  engine = machine.run(options.input as never, {
    overrides: { taskResourceLocalHandlers, retryIntervalOverrides },
    context: {
      Execution: { Id: executionArn, Name: executionName },
      StateMachine: {
        Id: `arn:aws:states:eu-west-1:000000000000:stateMachine:${stateMachineName}`,
        Name: stateMachineName,
      },
    },
  });
  if (abortRequested) engine.abort();

  if (prepared.timeoutSeconds !== undefined) {
    driver
      .until(startedAt + prepared.timeoutSeconds * 1000, { signal: lifetime.signal, blocking: false })
      .then(() => {
        timedOut = true;
        abort();
      })
      .catch(() => undefined);
  }

  const emit = (event: RunEvent): void => {
    if (!options.onEvent || listenerError !== undefined) return;
    try {
      options.onEvent(event);
    } catch (error) {
      listenerError = error;
      abort();
    }
  };
  const events = forwardEvents(engine.eventLogs, {
    emit,
    clock,
    lambdaTasks: prepared.lambdaTasks,
    waitStates: prepared.waitStates,
    waitTargets,
    timedOut: () => timedOut,
  });

  const result = (async () => {
    let output: unknown;
    let failure: unknown;
    try {
      output = await engine.result;
    } catch (error) {
      failure = error;
    }
    await events;
    await Promise.allSettled([...inFlight]);
    lifetime.abort(new ExecutionAbortedError()); // releases the deadline and any leftover wait
    if (ownDriver) driver.dispose();
    options.signal?.removeEventListener('abort', abort);

    if (listenerError !== undefined) throw listenerError;
    if (timedOut) throw new ExecutionFailedError('States.Timeout', `The execution ran longer than ${prepared.timeoutSeconds} s (virtual)`);
    if (failure instanceof EngineAbortedError) throw new ExecutionAbortedError();
    if (failure instanceof EngineExecutionError) {
      const cause = failure.cause as Error;
      throw new ExecutionFailedError(cause.name, cause.message);
    }
    if (failure !== undefined) throw failure;
    return output;
  })();

  return {
    name: executionName,
    result,
    invocations,
    setMode: (mode) => {
      driver.setMode(mode);
      applyRetryMode(mode);
    },
    nextWakeUp: () => driver.nextWakeUp(),
    abort,
    stop: async () => {
      abort();
      await result.catch(() => undefined);
    },
  };
}

const validated = new Set<string>();

/**
 * Validates the definition as written (fields, paths; ARNs may be placeholders).
 * The engine's validator takes about a second of CPU (it compiles its schemas), so each
 * definition is checked once, and once for all processes while the packages stay the same
 * (./startup-cache.ts).
 */
function validateOnce(definition: AslDefinition | string): void {
  const text = typeof definition === 'string' ? definition : JSON.stringify(definition);
  if (validated.has(text)) return;
  checkOnce('asl-validator', text, () => {
    new StateMachine(JSON.parse(text), { validationOptions: { checkArn: false } });
  });
  validated.add(text);
}

/** The instant a rewritten Wait ends; invalid values fail like Step Functions' States.Runtime. */
function waitTarget(parameters: VirtualWaitParameters, now: number): number {
  const { seconds, timestamp } = parameters;
  if (seconds !== undefined) {
    if (!Number.isInteger(seconds) || (seconds as number) < 0) throw runtimeError(`Wait seconds must be an integer >= 0, got ${JSON.stringify(seconds)}`);
    return now + (seconds as number) * 1000;
  }
  if (timestamp !== undefined) {
    const instant = typeof timestamp === 'string' && RFC3339.test(timestamp) ? Date.parse(timestamp) : NaN;
    if (Number.isNaN(instant)) throw runtimeError(`Wait timestamp must be an RFC 3339 timestamp, got ${JSON.stringify(timestamp)}`);
    return instant;
  }
  throw runtimeError('Wait state without Seconds, SecondsPath, Timestamp or TimestampPath');
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function runtimeError(message: string): Error {
  const error = new Error(message);
  error.name = 'States.Runtime';
  return error;
}

/** Results cross a JSON boundary in AWS too: Dates become strings, undefined becomes null. */
function toJson(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * What Step Functions reports for a failed `lambda:invoke`: Error is the error
 * type, Cause the function's error payload as a JSON string.
 */
function asLambdaError(error: unknown): Error {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const trace = error instanceof Error ? (error.stack?.split('\n') ?? []) : [];
  const failure = new Error(JSON.stringify({ errorType, errorMessage, trace }));
  failure.name = errorType;
  return failure;
}

type EngineEvent = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

interface ForwardContext {
  emit(event: RunEvent): void;
  clock: VirtualClock;
  lambdaTasks: Map<string, LambdaTask>;
  waitStates: Set<string>;
  waitTargets: Map<string, number[]>;
  timedOut(): boolean;
}

/**
 * Translates the engine's event log. It arrives a few microtasks late, but
 * before the clock can move (the clock moves in timers), so `clock.now()` is
 * the virtual time of the event.
 */
async function forwardEvents(logs: AsyncGenerator<EngineEvent>, ctx: ForwardContext): Promise<void> {
  const { emit, clock } = ctx;
  const waitsUntil = new Map<string, number>();
  for await (const event of logs) {
    const at = clock.now();
    switch (event.type) {
      case 'ExecutionStarted':
        emit({ type: 'executionStarted', at, input: event.input });
        break;
      case 'ExecutionSucceeded':
        emit({ type: 'executionSucceeded', at, output: event.output });
        break;
      case 'ExecutionFailed':
        emit({ type: 'executionFailed', at, error: event.Error, cause: String(event.Cause) });
        break;
      case 'ExecutionAborted':
        if (ctx.timedOut()) emit({ type: 'executionFailed', at, error: 'States.Timeout', cause: 'execution timeout (virtual)' });
        else emit({ type: 'executionAborted', at });
        break;
      case 'StateEntered':
      case 'StateExited':
      case 'StateFailed':
      case 'StateRetried':
      case 'StateCaught': {
        const state = event.state.name;
        const base = { at, state, ...(event.index === undefined ? {} : { iteration: event.index }) };
        const task = ctx.lambdaTasks.get(state);
        const stateType = ctx.waitStates.has(state) ? 'Wait' : event.state.type;
        const waitKey = `${state}#${event.index ?? ''}`;
        if (event.type === 'StateEntered') {
          emit({ ...base, type: 'stateEntered', stateType, input: event.state.input });
          if (task) emit({ ...base, type: 'taskStarted', function: task.handlerKey });
          const until = ctx.waitTargets.get(state)?.shift();
          if (until !== undefined) {
            waitsUntil.set(waitKey, until);
            emit({ ...base, type: 'waitStarted', until });
          }
        } else if (event.type === 'StateExited') {
          if (task) emit({ ...base, type: 'taskSucceeded', function: task.handlerKey });
          const until = waitsUntil.get(waitKey);
          if (until !== undefined) emit({ ...base, type: 'waitFinished', until });
          emit({ ...base, type: 'stateExited', stateType, output: event.state.output });
        } else if (event.type === 'StateFailed') {
          const cause = String(event.Cause);
          if (task) emit({ ...base, type: 'taskFailed', function: task.handlerKey, error: event.Error, cause });
          emit({ ...base, type: 'stateFailed', error: event.Error, cause });
        } else if (event.type === 'StateRetried') {
          emit({ ...base, type: 'stateRetried', attempt: event.retry.attempt });
        } else {
          emit({ ...base, type: 'stateCaught', next: event.catch.catcher.Next });
        }
        break;
      }
      default:
        break; // Map iteration and Parallel branch events: their states are reported above.
    }
  }
}
