/**
 * Starting a cycle's workflow execution, behind a port: in AWS the Step
 * Functions state machine (StartExecution), locally the runtime that owns its
 * executions (functions/local). Execution input: `{ "cycleId": "…" }`.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { ConflictError } from '../commons/errors.ts';

export interface StartedExecution {
  /** The execution's ARN (AWS) or the local runtime's id for it. */
  executionArn: string;
}

export interface ExecutionStarter {
  /** Starts the cycle workflow for `cycleId` under `name` (unique per state machine). */
  startExecution(request: { name: string; cycleId: string }): Promise<StartedExecution>;
}

/** AWS: StartExecution on the cycle state machine (its ARN is the stack output `StateMachineArn`). */
export function createSfnExecutionStarter(options: { client: Pick<SFNClient, 'send'>; stateMachineArn: string }): ExecutionStarter {
  return {
    async startExecution({ name, cycleId }) {
      try {
        const out = await options.client.send(
          new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name, input: JSON.stringify({ cycleId }) }),
        );
        return { executionArn: out.executionArn! };
      } catch (error) {
        if ((error as { name?: string }).name === 'ExecutionAlreadyExists') {
          throw new ConflictError(`An execution named ${name} exists already`, { name });
        }
        throw error;
      }
    },
  };
}

/** A local starter and how to let go of it (the CLI closes it when a command is done). */
export type LocalExecutionStarter = ExecutionStarter & { close?(): Promise<void> };
export type LocalExecutionStarterFactory = (options: { data?: string }) => Promise<LocalExecutionStarter | undefined>;

let localFactory: LocalExecutionStarterFactory | undefined;

/**
 * The local runtime registers how the CLI starts an execution locally (e.g. by
 * asking the running rehearsal). Without one, local retries only put the step
 * back; the runtime picks it up when it next runs the cycle.
 */
export function provideLocalExecutionStarter(factory: LocalExecutionStarterFactory | undefined): void {
  localFactory = factory;
}

export async function openLocalExecutionStarter(options: { data?: string }): Promise<LocalExecutionStarter | undefined> {
  return localFactory ? localFactory(options) : undefined;
}
