/**
 * What the commands load only when one of them runs. `inkoop <command>` starts
 * a process per call: importing every command's dependencies up front (the
 * operator service, the AWS SDK, the local runtime with the CDK app and the
 * Step Functions engine) cost seconds for `--help` or `calendar validate`, so a
 * command's action imports what it uses, and registering it imports nothing heavy.
 */
import type { GlobalOptions, OperatorContext } from '../operator-context.ts';

/** ../operator-context.ts's withOperatorContext, imported on first use. */
export async function withOperatorContext<T>(globals: GlobalOptions, fn: (ctx: OperatorContext) => Promise<T>): Promise<T> {
  const { withOperatorContext: open } = await import('../operator-context.ts');
  return open(globals, fn);
}

/** The audit trail's actor for a local operator (../../dashboard/app.ts localActor), imported on first use. */
export async function localActor(): Promise<string> {
  return (await import('../../dashboard/app.ts')).localActor();
}
