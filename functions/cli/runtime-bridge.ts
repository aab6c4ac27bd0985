/**
 * The operator ports over a local runtime running in another process (an
 * `inkoop rehearse` in a second terminal), through its control endpoint
 * (functions/local/control.ts, found via `<data>/runtime.json`): the virtual
 * clock, the executions' status, moving the clock in interactive mode.
 *
 * The ports are synchronous where the operator code reads them (`now()`,
 * `interactive()`), so the bridge keeps the last status and refreshes it:
 * once on connect, after every move, and (for a long-running dashboard) on
 * an interval.
 */
import type { Clock } from '../commons/clock.ts';
import { controlRequest, controlStatus, type ControlStatus } from '../local/control-client.ts';
import type { RuntimeInfo } from '../local/runtime-file.ts';
import type { ClockControlPort, ExecutionInfo, ExecutionsPort } from '../operators/ports.ts';

type StatusExecution = ExecutionInfo & { cycleId: string };

export interface RuntimeBridge {
  clock: Clock;
  executions: ExecutionsPort;
  clockControl: ClockControlPort;
  mailboxUrl: string;
  refresh(): Promise<void>;
  /** Stops the interval refresh, if any. */
  close(): void;
}

export async function connectRuntime(info: RuntimeInfo, options: { refreshMs?: number } = {}): Promise<RuntimeBridge> {
  let status: ControlStatus = await controlStatus(info);
  const refresh = async (): Promise<void> => {
    status = await controlStatus(info);
  };
  const timer = options.refreshMs ? setInterval(() => void refresh().catch(() => undefined), options.refreshMs) : undefined;
  timer?.unref();

  const executionsOf = (): StatusExecution[] => (Array.isArray(status.executions) ? (status.executions as StatusExecution[]) : []);

  return {
    clock: { now: () => Date.parse(status.clock.now) },
    executions: {
      async describe(cycle) {
        const mine = executionsOf().filter((e) => e.cycleId === cycle.id);
        const found = mine.find((e) => e.arn !== undefined && e.arn === cycle.executionArn) ?? mine.at(-1);
        if (!found) return undefined;
        const { cycleId: _cycle, ...execution } = found;
        return execution;
      },
    },
    clockControl: {
      interactive: () => status.clock.mode === 'interactive',
      nextWakeUp: () => (status.clock.nextWakeUp ? Date.parse(status.clock.nextWakeUp) : undefined),
      async advanceToNext() {
        const result = await controlRequest<{ moved: { from: string; to: string } | null }>(info, 'POST', '/clock/advance', { nextMilestone: true });
        await refresh();
        return result.moved ? { from: Date.parse(result.moved.from), to: Date.parse(result.moved.to) } : undefined;
      },
    },
    mailboxUrl: info.ses.mailboxUrl,
    refresh,
    close: () => clearInterval(timer),
  };
}
