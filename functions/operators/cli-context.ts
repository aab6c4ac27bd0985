/**
 * Where the operator commands (`inkoop status|provider|decide|questions|dashboard`)
 * get their store, clock and execution status:
 *
 * - `--aws`: the deployed table and Step Functions, with the operator's own
 *   credentials (stack outputs, or INKOOP_TABLE / INKOOP_STATE_MACHINE_ARN);
 * - a local runtime running on the data folder (`<data>/runtime.json`): its
 *   DynamoDB Local, its virtual clock and executions (./runtime-bridge.ts);
 * - otherwise the data folder's DynamoDB Local, started for the command, with
 *   no execution status (nothing runs) and the system clock.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { systemClock } from '../commons/clock.ts';
import { openStore, STACK_NAME } from '../cli/context.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/dynamodb-local.ts';
import { readRuntimeFile } from '../local/runtime-file.ts';
import { createStore } from '../store/index.ts';
import type { OperatorDeps } from './deps.ts';
import { noExecutions } from './ports.ts';
import { connectRuntime } from './runtime-bridge.ts';
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

const context = (mode: OperatorContext['mode'], deps: OperatorDeps, close: () => Promise<void>, mailboxUrl?: string): OperatorContext => ({
  mode,
  deps,
  service: createOperatorService(deps),
  ...(mailboxUrl ? { mailboxUrl } : {}),
  close,
});

/** `refreshMs`: keep the runtime's clock and executions fresh (a long-running dashboard). */
export async function openOperatorContext(globals: GlobalOptions, options: { refreshMs?: number } = {}): Promise<OperatorContext> {
  if (globals.aws) {
    const opened = await openStore({ aws: true });
    const sfn = new SFNClient({});
    const stateMachineArn = process.env.INKOOP_STATE_MACHINE_ARN || (await stackOutput('StateMachineArn'));
    const deps: OperatorDeps = { store: opened.store, clock: systemClock, executions: sfnExecutions(sfn, stateMachineArn) };
    return context('aws', deps, async () => {
      sfn.destroy();
      await opened.close();
    });
  }

  const dataDir = globals.data ?? '.local';
  const runtime = readRuntimeFile(dataDir);
  if (runtime) {
    const bridge = await connectRuntime(runtime, options);
    const client = new DynamoDBClient({ endpoint: runtime.dynamodb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
    const deps: OperatorDeps = {
      store: createStore({ client, tableName: runtime.tableName, clock: bridge.clock }),
      clock: bridge.clock,
      executions: bridge.executions,
      clockControl: bridge.clockControl,
    };
    return context(
      'runtime',
      deps,
      async () => {
        bridge.close();
        client.destroy();
      },
      bridge.mailboxUrl,
    );
  }

  const opened = await openStore({ data: dataDir });
  return context('local', { store: opened.store, clock: systemClock, executions: noExecutions }, () => opened.close());
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
