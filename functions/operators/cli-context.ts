/**
 * Where the operator commands (`inkoop status|provider|decide|questions|dashboard`)
 * get their store, clock, execution status and milestone retries. The store
 * comes from the CLI's openStore (functions/cli/context.ts), so:
 *
 * - `--aws`: the deployed table; Step Functions for executions and retries
 *   (stack outputs, or INKOOP_TABLE / INKOOP_STATE_MACHINE_ARN); your own credentials;
 * - a local runtime running on the data folder (`<data>/runtime.json`): its
 *   DynamoDB Local, and its virtual clock, executions and clock control through
 *   its control endpoint (./runtime-bridge.ts);
 * - otherwise the data folder's DynamoDB Local, started for the command, with
 *   no execution status (nothing runs) and the system clock.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { SFNClient } from '@aws-sdk/client-sfn';
import { openStore, STACK_NAME } from '../cli/context.ts';
import { createSfnExecutionStarter, openLocalExecutionStarter } from '../cycles/executions.ts';
import { readRuntimeFile } from '../local/runtime-file.ts';
import type { OperatorDeps } from './deps.ts';
import { noExecutions } from './ports.ts';
import { retryPort } from './retry.ts';
import { connectRuntime, type RuntimeBridge } from './runtime-bridge.ts';
import { createOperatorService, type OperatorService } from './service.ts';
import { sfnExecutions } from './sfn-executions.ts';

export interface OperatorContext {
  mode: 'aws' | 'runtime' | 'local';
  deps: OperatorDeps;
  service: OperatorService;
  mailboxUrl?: string;
  close(): Promise<void>;
}

export interface GlobalOptions {
  aws?: boolean;
  data?: string;
}

export async function stackOutput(key: string): Promise<string> {
  const cfn = new CloudFormationClient({});
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: STACK_NAME }));
    const value = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    if (!value) throw new Error(`Stack ${STACK_NAME} has no output ${key}`);
    return value;
  } finally {
    cfn.destroy();
  }
}

/** `refreshMs`: keep a running runtime's clock and executions fresh (a long-running dashboard). */
export async function openOperatorContext(globals: GlobalOptions, options: { refreshMs?: number } = {}): Promise<OperatorContext> {
  const cleanups: (() => unknown)[] = [];
  const close = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    let bridge: RuntimeBridge | undefined;
    if (!globals.aws) {
      const running = readRuntimeFile(globals.data ?? '.local');
      if (running) {
        bridge = await connectRuntime(running, options);
        cleanups.push(() => bridge?.close());
      }
    }
    const opened = await openStore({ aws: globals.aws, data: globals.data, ...(bridge ? { clock: bridge.clock } : {}) });
    cleanups.push(() => opened.close());

    let deps: OperatorDeps;
    if (globals.aws) {
      const sfn = new SFNClient({});
      cleanups.push(() => sfn.destroy());
      const stateMachineArn = process.env.INKOOP_STATE_MACHINE_ARN || (await stackOutput('StateMachineArn'));
      deps = {
        store: opened.store,
        clock: opened.clock,
        executions: sfnExecutions(sfn, stateMachineArn),
        retry: retryPort(opened.store, createSfnExecutionStarter({ client: sfn, stateMachineArn })),
      };
    } else {
      const starter = await openLocalExecutionStarter({ data: globals.data });
      cleanups.push(() => starter?.close?.());
      deps = {
        store: opened.store,
        clock: opened.clock,
        executions: bridge?.executions ?? noExecutions,
        ...(bridge ? { clockControl: bridge.clockControl } : {}),
        retry: retryPort(opened.store, starter),
      };
    }
    return {
      mode: globals.aws ? 'aws' : bridge ? 'runtime' : 'local',
      deps,
      service: createOperatorService(deps),
      ...(bridge ? { mailboxUrl: bridge.mailboxUrl } : {}),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Opens the context, runs `fn`, always closes it. */
export async function withOperatorContext<T>(globals: GlobalOptions, fn: (ctx: OperatorContext) => Promise<T>): Promise<T> {
  const ctx = await openOperatorContext(globals);
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
