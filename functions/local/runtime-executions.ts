/**
 * Executions of the cycle workflow in the local runtime: what Step Functions'
 * StartExecution / DescribeExecution are in AWS. Implements the operators'
 * ExecutionsPort (status of a cycle's latest execution) and starts executions
 * for whoever needs one (a rehearsal, `--resume`, a milestone retry).
 *
 * Every execution runs the same definition (the one the CDK app synthesizes)
 * with the same handlers, on the runtime's one clock and driver. An execution
 * that hands over (its `states:startExecution` Task) starts its successor here,
 * under the same rules as in AWS: a name is used once, and a retried start of a
 * running execution with the same input answers with that execution.
 */
import { isDeepStrictEqual } from 'node:util';
import type { VirtualClock } from '../commons/clock.ts';
import { ConflictError } from '../commons/errors.ts';
import { EXECUTION_EXISTS_ERROR } from '../../workflows/cycle.ts';
import type { ExecutionStarter, StartedExecution } from '../cycles/executions.ts';
import type { ExecutionInfo, ExecutionStatus, ExecutionsPort } from '../operators/ports.ts';
import { ExecutionAbortedError, ExecutionFailedError, startExecution, type Execution, type LambdaHandler, type RunEvent } from './step-functions.ts';
import type { VirtualTimeDriver } from './virtual-time.ts';

export const LOCAL_STATE_MACHINE_NAME = 'Inkoopkalender-Cycle';

export interface LocalExecutionRecord {
  name: string;
  arn: string;
  cycleId: string;
  input: unknown;
  status: ExecutionStatus;
  /** Virtual instants, epoch ms. */
  startedAt: number;
  stoppedAt?: number;
  output?: unknown;
  /** The execution that started this one (a hand-over), and the one this one started. */
  predecessor?: string;
  successor?: string;
  error?: string;
  cause?: string;
  /** The engine's handle. */
  execution: Execution;
  /** Settles when the execution has ended (never rejects). */
  done: Promise<LocalExecutionRecord>;
}

export interface LocalExecutionsDeps {
  definition: string;
  handlers: Record<string, LambdaHandler>;
  clock: VirtualClock;
  driver: VirtualTimeDriver;
  /** Every event of every execution, in order. */
  onEvent?: (event: RunEvent, record: LocalExecutionRecord) => void;
  signal?: AbortSignal;
}

export const executionArn = (name: string): string =>
  `arn:aws:states:eu-west-1:000000000000:execution:${LOCAL_STATE_MACHINE_NAME}:${name}`;

export class LocalExecutions implements ExecutionsPort, ExecutionStarter {
  private readonly records = new Map<string, LocalExecutionRecord>();
  private counter = 0;

  constructor(private readonly deps: LocalExecutionsDeps) {}

  /**
   * Starts an execution of the cycle workflow with input `{ cycleId }` (the
   * workflow resumes at the cycle's first step that is not done). Refused while
   * another execution of the same cycle runs, as two would race on its steps.
   */
  start(cycleId: string, options: { name?: string; input?: unknown; predecessor?: LocalExecutionRecord } = {}): LocalExecutionRecord {
    const running = this.list().find((r) => r.cycleId === cycleId && r.status === 'RUNNING' && r !== options.predecessor);
    if (running) {
      throw new ConflictError(`An execution of ${cycleId} is running already (${running.name})`, { cycleId, name: running.name });
    }
    const { clock } = this.deps;
    const name = options.name ?? `${cycleId}-${new Date(clock.now()).toISOString().replace(/[^0-9]/g, '').slice(0, 14)}-${++this.counter}`;
    if (this.records.has(name)) throw new ConflictError(`An execution named ${name} exists already`, { name });
    const input = options.input ?? { cycleId };
    const record = { name, arn: executionArn(name), cycleId, input, status: 'RUNNING', startedAt: clock.now() } as LocalExecutionRecord;
    if (options.predecessor) {
      record.predecessor = options.predecessor.name;
      options.predecessor.successor = name;
    }
    record.execution = startExecution({
      definition: this.deps.definition,
      input,
      executionName: name,
      stateMachineName: LOCAL_STATE_MACHINE_NAME,
      handlers: this.deps.handlers,
      clock,
      mode: this.deps.driver.mode,
      driver: this.deps.driver,
      signal: this.deps.signal,
      onEvent: this.deps.onEvent ? (event) => this.deps.onEvent!(event, record) : undefined,
      startExecution: async (request) => {
        const successor = this.handOver(record, request);
        return { executionArn: successor.arn, startDate: new Date(successor.startedAt).toISOString() };
      },
    });
    record.done = record.execution.result.then(
      (output) => {
        record.output = output;
        return this.finish(record, 'SUCCEEDED');
      },
      (error: unknown) => {
        if (error instanceof ExecutionAbortedError) return this.finish(record, 'ABORTED');
        if (error instanceof ExecutionFailedError) {
          return this.finish(record, error.error === 'States.Timeout' ? 'TIMED_OUT' : 'FAILED', error.error, error.cause);
        }
        return this.finish(record, 'FAILED', (error as Error)?.name ?? 'Error', (error as Error)?.message ?? String(error));
      },
    );
    this.records.set(name, record);
    return record;
  }

  /**
   * StartExecution from a running execution's hand-over Task. Like AWS: a name in use
   * is refused with ExecutionAlreadyExists, unless that execution runs with the same input.
   */
  private handOver(from: LocalExecutionRecord, request: { name: string; input: unknown }): LocalExecutionRecord {
    const existing = this.records.get(request.name);
    if (existing) {
      if (existing.status === 'RUNNING' && isDeepStrictEqual(existing.input, request.input)) return existing;
      const error = new Error(`Execution ${request.name} already exists`);
      error.name = EXECUTION_EXISTS_ERROR;
      throw error;
    }
    const cycleId = (request.input as { cycleId?: unknown } | null)?.cycleId;
    if (typeof cycleId !== 'string') throw new Error(`Hand-over from ${from.name}: the input has no cycleId`);
    return this.start(cycleId, { name: request.name, input: request.input, predecessor: from });
  }

  /** The last execution of the cycle's chain, once it has ended (it started no successor). */
  async chainEnd(cycleId: string): Promise<LocalExecutionRecord | undefined> {
    for (let last = this.latest(cycleId); last; ) {
      await last.done;
      const now = this.latest(cycleId);
      if (now === last) return last;
      last = now;
    }
    return undefined;
  }

  /** ExecutionStarter (functions/cycles): what `startCycle` and `retryMilestone` call. */
  async startExecution(request: { name: string; cycleId: string }): Promise<StartedExecution> {
    return { executionArn: this.start(request.cycleId, { name: request.name }).arn };
  }

  private finish(record: LocalExecutionRecord, status: ExecutionStatus, error?: string, cause?: string): LocalExecutionRecord {
    record.status = status;
    record.stoppedAt = this.deps.clock.now();
    if (error) record.error = error;
    if (cause) record.cause = cause;
    return record;
  }

  get(nameOrArn: string): LocalExecutionRecord | undefined {
    return this.records.get(nameOrArn) ?? [...this.records.values()].find((r) => r.arn === nameOrArn);
  }

  /** The cycle's latest execution. */
  latest(cycleId: string): LocalExecutionRecord | undefined {
    return [...this.records.values()].filter((r) => r.cycleId === cycleId).at(-1);
  }

  list(): LocalExecutionRecord[] {
    return [...this.records.values()];
  }

  running(): LocalExecutionRecord[] {
    return this.list().filter((r) => r.status === 'RUNNING');
  }

  /** ExecutionsPort: the cycle's execution by its recorded ARN (following its hand-overs), else its latest one here. */
  async describe(cycle: { id: string; executionArn?: string }): Promise<ExecutionInfo | undefined> {
    let record = (cycle.executionArn && this.get(cycle.executionArn)) || this.latest(cycle.id);
    while (record?.successor && this.records.has(record.successor)) record = this.records.get(record.successor);
    return record ? info(record) : undefined;
  }

  /** Aborts every running execution and waits until they have settled. */
  async stopAll(): Promise<void> {
    const running = this.running();
    for (const r of running) r.execution.abort();
    await Promise.all(running.map((r) => r.done));
  }
}

export function info(record: LocalExecutionRecord): ExecutionInfo {
  return {
    name: record.name,
    status: record.status,
    startedAt: new Date(record.startedAt).toISOString(),
    ...(record.stoppedAt !== undefined ? { stoppedAt: new Date(record.stoppedAt).toISOString() } : {}),
    ...(record.error ? { error: record.error } : {}),
    ...(record.cause ? { cause: record.cause } : {}),
  };
}
