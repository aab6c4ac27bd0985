/**
 * Prepares an ASL (JSONPath) definition for aws-local-stepfunctions:
 * finds every Lambda Task and the handler it calls, and rewrites what that
 * engine cannot run on a virtual clock.
 *
 * - Wait states become Tasks answered by a local virtual-wait handler. The
 *   engine's own Wait (and its `waitTimeOverrides`) is a real `setTimeout` of a
 *   fixed number of ms per state name: it can neither follow a virtual clock nor
 *   wait longer than 2^31 ms (24.8 days) — beyond that the timer overflows and
 *   fires at once. The rewritten Task lets the engine evaluate the Wait's
 *   `Seconds`/`SecondsPath`/`Timestamp`/`TimestampPath` (and `InputPath`) and
 *   hands the result to the handler as `{ seconds | timestamp }`.
 * - Task `TimeoutSeconds` is clamped to what a timer can hold (and set when
 *   absent: the engine's 60 s default is not AWS's), for the same overflow.
 * - The top-level `TimeoutSeconds` is removed and returned, so the runner can
 *   enforce it on the virtual clock.
 * - `states:startExecution` Tasks (an execution handing over to its successor)
 *   are listed, for the runner to answer with the local runtime's executions.
 * - `$$.Execution.StartTime` is the real time in that engine: `pinStartTime`
 *   writes the execution's virtual start into the paths that read it.
 */
import { ValidationError, type Issue } from '../commons/errors.ts';

export type AslState = { Type: string; [field: string]: unknown };
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

/** Largest timer Node can hold: 2^31 - 1 ms, in whole seconds. */
export const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Resource of the Tasks that replace Wait states (never called: always overridden). */
export const VIRTUAL_WAIT_RESOURCE = 'arn:aws:states:::local:virtual-wait';

export interface LambdaTask {
  state: string;
  /** The FunctionName (or Resource) as written in the definition. */
  functionName: string;
  /** Key of the handler that answers it. */
  handlerKey: string;
  /** `arn:aws:states:::lambda:invoke`: the handler gets `Payload` and the state gets `{ Payload, StatusCode }`. */
  envelope: boolean;
}

/** What a rewritten Wait hands to the virtual-wait handler. */
export interface VirtualWaitParameters {
  /** The input after InputPath; only when the Wait has an InputPath. */
  input?: unknown;
  seconds?: unknown;
  timestamp?: unknown;
}

export interface PreparedDefinition {
  definition: AslDefinition;
  lambdaTasks: Map<string, LambdaTask>;
  waitStates: Set<string>;
  /** States with a Retry field. */
  retryStates: string[];
  /** `states:startExecution` Tasks (fire and forget: no `.sync`). */
  startExecutionTasks: Set<string>;
  /** The execution's TimeoutSeconds, taken out of the definition. */
  timeoutSeconds?: number;
}

/** Maps a FunctionName (name, ARN, `${Placeholder}`) to a handler key, or undefined. */
export type FunctionResolver = (functionName: string) => string | undefined;

const LAMBDA_INVOKE = /^arn:[^:]+:states:::lambda:invoke$/;
const LAMBDA_INVOKE_CALLBACK = /^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/;
const START_EXECUTION = /^arn:[^:]+:states:::states:startExecution$/;
const LAMBDA_ARN = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/;
const PLACEHOLDER = /^\$\{([^}]+)\}$/;

/**
 * The handler key for a FunctionName: an explicit mapping first, then the
 * string itself, the function name inside an ARN, or the name inside a
 * `${Name}` / `${Name.Arn}` placeholder.
 */
export function functionResolver(handlerKeys: Iterable<string>, aliases: Record<string, string> = {}): FunctionResolver {
  const keys = new Set(handlerKeys);
  return (functionName) => {
    const candidates = [aliases[functionName], functionName];
    const arn = LAMBDA_ARN.exec(functionName);
    if (arn) candidates.push(arn[1]);
    const placeholder = PLACEHOLDER.exec(functionName);
    if (placeholder) candidates.push(placeholder[1], placeholder[1].replace(/\.Arn$/, ''));
    return candidates.find((c): c is string => c !== undefined && keys.has(c));
  };
}

export function prepareDefinition(source: AslDefinition | string, resolve: FunctionResolver): PreparedDefinition {
  const definition: AslDefinition = typeof source === 'string' ? JSON.parse(source) : structuredClone(source);
  const prepared: PreparedDefinition = {
    definition,
    lambdaTasks: new Map(),
    waitStates: new Set(),
    retryStates: [],
    startExecutionTasks: new Set(),
  };
  const issues: Issue[] = [];
  const seen = new Set<string>();

  const visit = (states: Record<string, AslState>): void => {
    for (const [name, state] of Object.entries(states)) {
      // The engine's overrides are keyed by state name across nested machines.
      if (seen.has(name)) issues.push({ path: name, message: 'state name is used more than once' });
      seen.add(name);
      if (Array.isArray(state.Retry)) prepared.retryStates.push(name);

      if (state.Type === 'Task') {
        prepareTask(name, state, resolve, prepared, issues);
      } else if (state.Type === 'Wait') {
        states[name] = waitAsTask(state);
        prepared.waitStates.add(name);
      } else if (state.Type === 'Parallel') {
        for (const branch of (state.Branches as AslDefinition[] | undefined) ?? []) visit(branch.States);
      } else if (state.Type === 'Map') {
        // The engine runs a Distributed Map inline, but would silently ignore where its items come from.
        if (state.ItemReader !== undefined) issues.push({ path: name, message: 'ItemReader (Distributed Map) is not supported' });
        const processor = (state.ItemProcessor ?? state.Iterator) as AslDefinition | undefined;
        if (processor) visit(processor.States);
      }
    }
  };
  visit(definition.States);

  if (issues.length > 0) {
    throw new ValidationError(
      `The state machine cannot run locally:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`,
      issues,
    );
  }
  if (definition.TimeoutSeconds !== undefined) {
    prepared.timeoutSeconds = definition.TimeoutSeconds;
    delete definition.TimeoutSeconds;
  }
  return prepared;
}

function prepareTask(name: string, state: AslState, resolve: FunctionResolver, prepared: PreparedDefinition, issues: Issue[]): void {
  const resource = String(state.Resource);
  const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
  const refuse = (message: string): void => {
    issues.push({ path: name, message });
  };
  let functionName: string | undefined;
  let envelope = false;

  if (LAMBDA_INVOKE.test(resource)) {
    envelope = true;
    if (typeof parameters.FunctionName === 'string') functionName = parameters.FunctionName;
    else {
      refuse('FunctionName.$' in parameters ? 'FunctionName.$ (chosen at run time) is not supported' : 'lambda:invoke without Parameters.FunctionName');
      return;
    }
    if (parameters.InvocationType !== undefined && parameters.InvocationType !== 'RequestResponse') {
      refuse(`InvocationType ${String(parameters.InvocationType)} is not supported`);
      return;
    }
  } else if (START_EXECUTION.test(resource)) {
    prepared.startExecutionTasks.add(name);
    clampTimeout(state);
    return;
  } else if (LAMBDA_INVOKE_CALLBACK.test(resource)) {
    refuse('.waitForTaskToken is not supported by aws-local-stepfunctions');
    return;
  } else if (LAMBDA_ARN.test(resource) || PLACEHOLDER.test(resource)) {
    functionName = resource;
  } else {
    refuse(`Task resource ${resource} is not supported locally (only Lambda and states:startExecution)`);
    return;
  }

  const handlerKey = resolve(functionName);
  if (handlerKey === undefined) {
    refuse(`no handler for function ${functionName}`);
    return;
  }
  prepared.lambdaTasks.set(name, { state: name, functionName, handlerKey, envelope });
  clampTimeout(state);
}

function clampTimeout(state: AslState): void {
  const timeout = state.TimeoutSeconds;
  if (state.TimeoutSecondsPath === undefined && (typeof timeout !== 'number' || timeout > MAX_TIMER_SECONDS)) {
    state.TimeoutSeconds = MAX_TIMER_SECONDS;
  }
}

const START_TIME_PATH = '$$.Execution.StartTime';

/**
 * Replaces every `"<field>.$": "$$.Execution.StartTime"` in Parameters (also nested,
 * also in Map and Parallel branches) by `"<field>": <startTime>`, in place.
 */
export function pinStartTime(definition: AslDefinition, startTime: string): void {
  const rewrite = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) rewrite(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    for (const [key, field] of Object.entries(object)) {
      if (key.endsWith('.$') && field === START_TIME_PATH) {
        delete object[key];
        object[key.slice(0, -2)] = startTime;
      } else {
        rewrite(field);
      }
    }
  };
  rewrite(definition.States);
}

/**
 * A Wait's output is its input after InputPath and OutputPath. Without InputPath,
 * `ResultPath: null` passes the input through untouched (even `null`, which a
 * `$` path cannot select); with InputPath the handler hands back `input`, the
 * input after InputPath, and it becomes the result. Next/End, OutputPath and
 * Comment are kept.
 */
function waitAsTask(wait: AslState): AslState {
  const { Type: _type, Seconds, SecondsPath, Timestamp, TimestampPath, ...rest } = wait;
  const withInputPath = rest.InputPath !== undefined;
  const parameters: Record<string, unknown> = withInputPath ? { 'input.$': '$' } : {};
  if (Seconds !== undefined) parameters.seconds = Seconds;
  else if (SecondsPath !== undefined) parameters['seconds.$'] = SecondsPath;
  else if (Timestamp !== undefined) parameters.timestamp = Timestamp;
  else if (TimestampPath !== undefined) parameters['timestamp.$'] = TimestampPath;
  return {
    ...rest,
    Type: 'Task',
    Resource: VIRTUAL_WAIT_RESOURCE,
    Parameters: parameters,
    ...(withInputPath ? {} : { ResultPath: null }),
    TimeoutSeconds: MAX_TIMER_SECONDS,
  };
}
