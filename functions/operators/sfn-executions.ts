/**
 * The executions port in AWS: Step Functions. A cycle records the ARN of its
 * current execution (a retry starts a new one and records that); without one,
 * the newest execution whose name starts with the cycle id is taken
 * (ListExecutions returns the most recent first).
 */
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { EXECUTION_STATUSES, type ExecutionInfo, type ExecutionStatus, type ExecutionsPort } from './ports.ts';

const known = (status: string | undefined): ExecutionStatus =>
  (EXECUTION_STATUSES as readonly string[]).includes(status ?? '') ? (status as ExecutionStatus) : 'RUNNING';

export function sfnExecutions(client: Pick<SFNClient, 'send'>, stateMachineArn: string): ExecutionsPort {
  async function describe(executionArn: string): Promise<ExecutionInfo> {
    const out = await client.send(new DescribeExecutionCommand({ executionArn }));
    return {
      name: out.name ?? executionArn.split(':').pop() ?? executionArn,
      status: known(out.status),
      arn: executionArn,
      ...(out.startDate ? { startedAt: out.startDate.toISOString() } : {}),
      ...(out.stopDate ? { stoppedAt: out.stopDate.toISOString() } : {}),
      ...(out.error ? { error: out.error } : {}),
      ...(out.cause ? { cause: out.cause } : {}),
    };
  }

  return {
    async describe(cycle) {
      if (cycle.executionArn) return describe(cycle.executionArn);
      const out = await client.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 100 }));
      const latest = out.executions?.find((e) => e.name === cycle.id || e.name?.startsWith(`${cycle.id}-`));
      return latest?.executionArn ? describe(latest.executionArn) : undefined;
    },
  };
}
