/**
 * The ports' implementations outside the local engine: Step Functions
 * (aws-sdk-client-mock) and a runtime in another process (a fake control endpoint).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectRuntime } from '../../../functions/cli/runtime-bridge.ts';
import { sfnExecutions } from '../../../functions/operators/sfn-executions.ts';
import type { RuntimeInfo } from '../../../functions/local/runtime-file.ts';

const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Cycle';
const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:execution:Cycle:${name}`;

describe('Step Functions executions', () => {
  const sfn = mockClient(SFNClient);
  beforeEach(() => sfn.reset());

  it('describes the execution the cycle recorded, with a failure’s error and cause', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: arn('msr-2021-retry-1') }).resolves({
      executionArn: arn('msr-2021-retry-1'),
      stateMachineArn: MACHINE,
      name: 'msr-2021-retry-1',
      status: 'FAILED',
      startDate: new Date('2020-09-01T07:00:00Z'),
      stopDate: new Date('2020-09-01T07:05:00Z'),
      error: 'MilestoneFailed',
      cause: 'A milestone failed',
    });
    const port = sfnExecutions(new SFNClient({}), MACHINE);
    expect(await port.describe({ id: 'msr-2021', executionArn: arn('msr-2021-retry-1') })).toEqual({
      name: 'msr-2021-retry-1',
      status: 'FAILED',
      arn: arn('msr-2021-retry-1'),
      startedAt: '2020-09-01T07:00:00.000Z',
      stoppedAt: '2020-09-01T07:05:00.000Z',
      error: 'MilestoneFailed',
      cause: 'A milestone failed',
    });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });

  it('without a recorded ARN, takes the newest execution named after the cycle; none: undefined', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        { executionArn: arn('zg-2024-1'), stateMachineArn: MACHINE, name: 'zg-2024-1', status: 'RUNNING', startDate: new Date() },
        { executionArn: arn('msr-2021-1'), stateMachineArn: MACHINE, name: 'msr-2021-1', status: 'SUCCEEDED', startDate: new Date() },
      ],
    });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: arn('msr-2021-1'), stateMachineArn: MACHINE, name: 'msr-2021-1', status: 'SUCCEEDED', startDate: new Date('2020-03-31T00:00:00Z') });
    const port = sfnExecutions(new SFNClient({}), MACHINE);
    expect(await port.describe({ id: 'msr-2021' })).toMatchObject({ name: 'msr-2021-1', status: 'SUCCEEDED' });
    expect(sfn.commandCalls(ListExecutionsCommand)[0].args[0].input).toEqual({ stateMachineArn: MACHINE, maxResults: 100 });
    expect(await port.describe({ id: 'wlz-2021' })).toBeUndefined();
  });

  it('follows the chain: an execution that handed over names its successor in its output', async () => {
    const handedOver = (name: string, successor: string) => ({
      executionArn: arn(name),
      stateMachineArn: MACHINE,
      name,
      status: 'SUCCEEDED' as const,
      startDate: new Date('2020-09-01T07:00:00Z'),
      output: JSON.stringify({ name: successor, input: { cycleId: 'msr-2021' } }),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: arn('msr-2021') }).resolves(handedOver('msr-2021', 'msr-2021--policy-publication-notify'));
    sfn.on(DescribeExecutionCommand, { executionArn: arn('msr-2021--policy-publication-notify') }).resolves(
      handedOver('msr-2021--policy-publication-notify', 'msr-2021--registration-opens'),
    );
    sfn.on(DescribeExecutionCommand, { executionArn: arn('msr-2021--registration-opens') }).resolves({
      executionArn: arn('msr-2021--registration-opens'),
      stateMachineArn: MACHINE,
      name: 'msr-2021--registration-opens',
      status: 'ABORTED',
      startDate: new Date('2020-05-01T07:00:00Z'),
      stopDate: new Date('2020-05-02T07:00:00Z'),
    });
    const port = sfnExecutions(new SFNClient({}), MACHINE);
    expect(await port.describe({ id: 'msr-2021', executionArn: arn('msr-2021') })).toMatchObject({
      name: 'msr-2021--registration-opens',
      status: 'ABORTED',
      arn: arn('msr-2021--registration-opens'),
    });
    // The last execution of a finished cycle succeeded without a successor: it is the answer.
    sfn.on(DescribeExecutionCommand, { executionArn: arn('msr-2021--signing-deadline-deadline') }).resolves({
      executionArn: arn('msr-2021--signing-deadline-deadline'),
      stateMachineArn: MACHINE,
      name: 'msr-2021--signing-deadline-deadline',
      status: 'SUCCEEDED',
      startDate: new Date('2021-01-01T00:00:00Z'),
      output: JSON.stringify({ cycleId: 'msr-2021', next: { finished: true } }),
    });
    expect(await port.describe({ id: 'msr-2021', executionArn: arn('msr-2021--signing-deadline-deadline') })).toMatchObject({ status: 'SUCCEEDED' });
  });
});

describe('a runtime in another process', () => {
  let server: Server;
  let info: RuntimeInfo;
  let now = '2020-07-01T22:00:00.000Z';
  const seen: string[] = [];
  const SECRET = 's'.repeat(40);

  beforeEach(async () => {
    server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization === `Bearer ${SECRET}` ? 'authorised' : 'anonymous'}`);
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/clock/advance') {
          const from = now;
          now = '2020-09-01T07:00:00.000Z';
          expect(JSON.parse(body)).toEqual({ nextMilestone: true });
          return res.end(JSON.stringify({ moved: { from, to: now }, clock: {} }));
        }
        res.end(
          JSON.stringify({
            clock: { now, mode: 'interactive', nextWakeUp: '2020-09-01T07:00:00.000Z' },
            executions: [
              { cycleId: 'msr-2021', name: 'msr-2021-1', status: 'FAILED', startedAt: '2020-03-31T00:00:00.000Z' },
              { cycleId: 'msr-2021', name: 'msr-2021-retry-1', status: 'RUNNING', startedAt: '2020-07-01T00:00:00.000Z' },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    info = {
      version: 1,
      pid: process.pid,
      startedAt: '',
      dataDir: '/tmp/x',
      tableName: 't',
      dynamodb: { endpoint: 'http://127.0.0.1:1' },
      ses: { endpoint: 'http://127.0.0.1:2', mailboxUrl: 'http://127.0.0.1:2/' },
      control: { url, secret: SECRET },
    };
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads the virtual clock and the latest execution; advancing moves and re-reads', async () => {
    const bridge = await connectRuntime(info);
    expect(bridge.clock.now()).toBe(Date.parse('2020-07-01T22:00:00.000Z'));
    expect(bridge.clockControl.interactive()).toBe(true);
    expect(bridge.clockControl.nextWakeUp()).toBe(Date.parse('2020-09-01T07:00:00.000Z'));
    expect(await bridge.executions.describe({ id: 'msr-2021' })).toEqual({ name: 'msr-2021-retry-1', status: 'RUNNING', startedAt: '2020-07-01T00:00:00.000Z' });
    expect(await bridge.executions.describe({ id: 'zg-2024-2025' })).toBeUndefined();
    expect(bridge.mailboxUrl).toBe('http://127.0.0.1:2/');

    expect(await bridge.clockControl.advanceToNext()).toEqual({ from: Date.parse('2020-07-01T22:00:00.000Z'), to: Date.parse('2020-09-01T07:00:00.000Z') });
    expect(bridge.clock.now()).toBe(Date.parse('2020-09-01T07:00:00.000Z'));
    expect(seen.every((s) => s.endsWith('authorised'))).toBe(true);
    bridge.close();
  });
});
