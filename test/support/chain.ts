/**
 * Runs a cycle's chain of executions on the local engine: the real definition
 * (workflows/cycle.ts), handlers given by the test, every hand-over through the
 * local executions (functions/local/runtime-executions.ts), on one virtual clock,
 * with the history of each execution counted the way AWS counts it.
 */
import type { VirtualClock } from '../../functions/commons/clock.ts';
import { HistoryCounter, type ExecutionHistory } from '../../functions/local/history.ts';
import { LocalExecutions, type LocalExecutionRecord } from '../../functions/local/runtime-executions.ts';
import type { LambdaHandler, RunEvent } from '../../functions/local/step-functions.ts';
import { VirtualTimeDriver } from '../../functions/local/virtual-time.ts';
import { buildCycleDefinition } from '../../workflows/cycle.ts';

export interface Chain {
  executions: LocalExecutions;
  history: HistoryCounter;
  /** Runs until the chain ends; the last execution and every execution's history. */
  run(cycleId: string, name?: string): Promise<{ last: LocalExecutionRecord; histories: ExecutionHistory[] }>;
  dispose(): void;
}

export function localChain(options: {
  clock: VirtualClock;
  handlers: Record<string, LambdaHandler>;
  onEvent?: (event: RunEvent, execution: LocalExecutionRecord) => void;
  /** Hand a milestone over after this many pages and sends (default: the deployed definition's). */
  maxTasksPerExecution?: number;
}): Chain {
  const driver = new VirtualTimeDriver(options.clock, 'fast');
  const history = new HistoryCounter(() => options.clock.now());
  const executions = new LocalExecutions({
    definition: JSON.stringify(buildCycleDefinition(undefined, { maxTasksPerExecution: options.maxTasksPerExecution })),
    handlers: options.handlers,
    clock: options.clock,
    driver,
    onEvent: (event, record) => {
      history.record(event, record);
      options.onEvent?.(event, record);
    },
  });
  return {
    executions,
    history,
    async run(cycleId, name = cycleId) {
      executions.start(cycleId, { name });
      const last = (await executions.chainEnd(cycleId))!;
      return { last, histories: history.executions() };
    },
    dispose: () => driver.dispose(),
  };
}
