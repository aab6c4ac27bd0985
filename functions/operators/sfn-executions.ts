/**
 * The executions port in AWS: Step Functions. A cycle records the ARN of its
 * current execution (a retry starts a new one and records that); without one,
 * the newest execution whose name starts with the cycle id is taken
 * (ListExecutions returns the most recent first).
 *
 * A cycle runs as a chain (workflows/cycle.ts): an execution that handed over
 * succeeded with its successor's name as output. The cycle records each
 * successor when it first runs, so following at most a few hand-overs from the
 * recorded ARN reaches the execution the cycle is on now.
 */
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { EXECUTION_STATUSES, type ExecutionInfo, type ExecutionStatus, type ExecutionsPort } from './ports.ts';

const known = (status: string | undefined): ExecutionStatus =>
  (EXECUTION_STATUSES as readonly string[]).includes(status ?? '') ? (status as ExecutionStatus) : 'RUNNING';

/** Hand-overs followed from the recorded execution before giving up (each successor records itself at once). */
const MAX_HOPS = 5;

/** The successor an execution handed over to, from its output (`{ name, … }`), if it did. */
export function successorName(output: string | undefined): string | undefined {
  try {
    const parsed = JSON.parse(output ?? '') as { name?: unknown };
    return typeof parsed?.name === 'string' ? parsed.name : undefined;
  } catch {
    return undefined;
  }
}

export function sfnExecutions(client: Pick<SFNClient, 'send'>, stateMachineArn: string): ExecutionsPort {
  async function describe(first: string): Promise<ExecutionInfo> {
    let executionArn = first;
    let out = await client.send(new DescribeExecutionCommand({ executionArn }));
    for (let hop = 0; hop < MAX_HOPS && out.status === 'SUCCEEDED'; hop++) {
      const next = successorName(out.output);
      if (!next) break;
      executionArn = `${executionArn.slice(0, executionArn.lastIndexOf(':') + 1)}${next}`;
      out = await client.send(new DescribeExecutionCommand({ executionArn }));
    }
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
