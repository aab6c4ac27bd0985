/**
 * Where the operator commands (`inkoop status|provider|decide|questions|cycle|
 * calendar amend|milestone retry|providers import|dashboard`) get their
 * OperatorService:
 *
 * - `--aws`: the deployed operator API, SigV4-signed with your own AWS
 *   credentials (functions/cli/aws.ts); no table or state machine client;
 * - a local runtime running on the data folder (`<data>/runtime.json`): its
 *   DynamoDB Local, and its virtual clock, executions and clock control through
 *   its control endpoint (./runtime-bridge.ts);
 * - otherwise the data folder's DynamoDB Local, started for the command, with
 *   no execution status (nothing runs) and the system clock.
 *
 * Locally the actor is the OS user, labelled local (./app.ts localActor).
 */
import { openStore } from './context.ts';
import { localExecutionStarter } from '../local/control-client.ts';
import { readRuntimeFile } from '../local/runtime-file.ts';
import { adminPort } from '../operators/admin.ts';
import type { OperatorDeps } from '../operators/deps.ts';
import { noExecutions } from '../operators/ports.ts';
import { resumePort, retryPort } from '../operators/retry.ts';
import { connectRuntime, type RuntimeBridge } from './runtime-bridge.ts';
import { createOperatorService, type OperatorService } from '../operators/service.ts';

export interface OperatorContext {
  mode: 'aws' | 'runtime' | 'local';
  service: OperatorService;
  /** Local only: what the service runs on (the dashboard's pages use it). */
  deps?: OperatorDeps;
  mailboxUrl?: string;
  /** Where the data comes from, in words. */
  source: string;
  close(): Promise<void>;
}

export interface GlobalOptions {
  aws?: boolean;
  data?: string;
}

/** `refreshMs`: keep a running runtime's clock and executions fresh (a long-running dashboard). */
export async function openOperatorContext(globals: GlobalOptions, options: { refreshMs?: number } = {}): Promise<OperatorContext> {
  if (globals.aws) {
    const { openOperatorApi } = await import('./aws.ts'); // the AWS SDK's credential chain: only for --aws
    const api = await openOperatorApi();
    return { mode: 'aws', service: api.service, source: `the operator API at ${api.baseUrl} (SigV4, your AWS credentials)`, close: async () => undefined };
  }
  const cleanups: (() => unknown)[] = [];
  const close = async (): Promise<void> => {
    for (const c of cleanups.splice(0).reverse()) await c();
  };
  try {
    const data = globals.data ?? '.local';
    let bridge: RuntimeBridge | undefined;
    const running = readRuntimeFile(data);
    if (running) {
      bridge = await connectRuntime(running, options);
      cleanups.push(() => bridge?.close());
    }
    const opened = await openStore({ data, ...(bridge ? { clock: bridge.clock } : {}) });
    cleanups.push(() => opened.close());
    // `cycle start`, `milestone retry`, `cycle resume`: a rehearsal running on the data folder starts the execution (its control endpoint).
    const starter = await localExecutionStarter({ data });
    cleanups.push(() => starter?.close?.());
    const executions = bridge?.executions ?? noExecutions;
    const deps: OperatorDeps = {
      store: opened.store,
      clock: opened.clock,
      executions,
      ...(bridge ? { clockControl: bridge.clockControl } : {}),
      retry: retryPort(opened.store, starter),
      resume: resumePort(opened.store, starter, executions),
      admin: adminPort({ store: opened.store, clock: opened.clock, ...(starter ? { starter } : {}) }),
    };
    return {
      mode: bridge ? 'runtime' : 'local',
      deps,
      service: createOperatorService(deps),
      ...(bridge ? { mailboxUrl: bridge.mailboxUrl } : {}),
      source: bridge ? `the local runtime on ${data}` : `the DynamoDB Local data of ${data} (no rehearsal runs)`,
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
