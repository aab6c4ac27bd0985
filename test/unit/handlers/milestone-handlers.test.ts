/** The three milestone Lambda handlers with a mocked DynamoDB document client. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { resetClients } from '../../../functions/commons/clients.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import type { Step } from '../../../functions/domain/model.ts';
import { createNextMilestoneHandler, handler as nextHandler } from '../../../functions/handlers/next-milestone.ts';
import { createRecordMilestoneHandler } from '../../../functions/handlers/record-milestone.ts';
import { createRunMilestoneHandler } from '../../../functions/handlers/run-milestone.ts';
import { milestoneConfigSchema } from '../../../functions/milestones/config.ts';
import { missingPublicationStore } from '../../../functions/publication/store.ts';
import { keys } from '../../../functions/store/keys.ts';
import { createStore } from '../../../functions/store/index.ts';
import { aCalendar } from '../../support/factories.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(DynamoDBDocumentClient);
let clock: VirtualClock;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

const calendar = aCalendar();
const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock: new VirtualClock('2020-01-01T00:00:00Z') });
const cycleItem = { ...cycle, ...keys.cycle(cycle.id) };
const stepItems = (patch: (s: Step, i: number) => Partial<Step> = () => ({})) => steps.map((s, i) => ({ ...s, ...patch(s, i), ...keys.step(cycle.id, s.stepId) }));

beforeEach(() => {
  ddb.reset();
  ddb.on(ScanCommand).rejects(new Error('no Scan, ever'));
  clock = new VirtualClock('2020-03-01T12:00:00Z');
  vi.stubEnv('LOG_LEVEL', 'SILENT');
});
afterEach(() => {
  vi.unstubAllEnvs();
  resetClients();
});

const deps = () => ({ store: createStore({ client: doc, tableName: 'tbl', clock }), clock, log: silent });

describe('next-milestone handler', () => {
  it('answers the next step, capping the wait at one day', async () => {
    ddb.on(GetCommand).resolves({ Item: cycleItem });
    ddb.on(QueryCommand).resolves({ Items: stepItems() });
    const out = await createNextMilestoneHandler(deps())({ cycleId: cycle.id });
    expect(out).toEqual({
      finished: false,
      due: false,
      waitUntil: '2020-03-02T12:00:00.000Z',
      step: { stepId: 'policy-publication#notify', milestoneId: 'policy-publication', kind: 'policy-publication', phase: 'notify', at: '2020-04-01T07:00:00.000Z' },
      handOver: null,
    });
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ TableName: 'tbl', ConsistentRead: true });
  });

  it('hands the wait over once its execution has waited 300 days, and records the execution it runs in', async () => {
    ddb.on(GetCommand).resolves({ Item: { ...cycleItem, status: 'running', executionArn: 'arn:before' } });
    ddb.on(QueryCommand).resolves({ Items: stepItems() });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...cycleItem, status: 'running', executionArn: 'arn:exec' } });
    const startedAt = (days: number) => new Date(Date.parse('2020-03-01T12:00:00.000Z') - days * 86_400_000).toISOString();
    const handler = createNextMilestoneHandler(deps());
    expect(await handler({ cycleId: cycle.id, executionId: 'arn:exec', executionStartedAt: startedAt(299) })).toMatchObject({ due: false, handOver: null });
    expect(await handler({ cycleId: cycle.id, executionId: 'arn:exec', executionStartedAt: startedAt(300) })).toMatchObject({
      due: false,
      handOver: `${cycle.id}--waits-20200301`,
    });
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues).toMatchObject({ ':arn': 'arn:exec', ':status': 'running' });
  });

  it('finishes and marks the cycle done when every step is done', async () => {
    ddb.on(GetCommand).resolves({ Item: cycleItem });
    ddb.on(QueryCommand).resolves({ Items: stepItems(() => ({ status: 'done' })) });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...cycleItem, status: 'done' } });
    expect(await createNextMilestoneHandler(deps())({ cycleId: cycle.id })).toMatchObject({ finished: true, step: null });
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues).toMatchObject({ ':status': 'done' });
  });

  it('fails with MilestoneFailedError at a failed step, and with ValidationError on a bad event', async () => {
    ddb.on(GetCommand).resolves({ Item: cycleItem });
    ddb.on(QueryCommand).resolves({ Items: stepItems((_s, i) => (i === 0 ? { status: 'done' } : i === 1 ? { status: 'failed', cause: 'Error: boom' } : {})) });
    const handler = createNextMilestoneHandler(deps());
    await expect(handler({ cycleId: cycle.id })).rejects.toMatchObject({ name: 'MilestoneFailedError', message: expect.stringContaining('inkoop milestone retry test-2021 registration') });
    await expect(handler({})).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('the default export builds its store from the environment on first use', async () => {
    vi.stubEnv('TABLE_NAME', 'from-env');
    ddb.on(GetCommand).resolves({});
    await expect(nextHandler({ cycleId: 'nope' })).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(ddb.commandCalls(GetCommand)[0].args[0].input.TableName).toBe('from-env');
  });
});

describe('record-milestone handler', () => {
  it('records a failure with the Lambda error\'s type and message, and fails the cycle', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: { ...stepItems()[0], status: 'failed' } });
    ddb.on(UpdateCommand, { Key: keys.cycle(cycle.id) }).resolves({ Attributes: { ...cycleItem, status: 'failed' } });
    const out = await createRecordMilestoneHandler(deps())({
      cycleId: cycle.id,
      stepId: 'policy-publication#notify',
      executionId: 'arn:exec',
      status: 'failed',
      error: { Error: 'NotFoundError', Cause: JSON.stringify({ errorType: 'NotFoundError', errorMessage: 'No cycle for zg 2025', trace: ['secret stack'] }) },
    });
    expect(out).toEqual({ cursor: null, more: false });
    // The step with a new steps version on the cycle, in one transaction; then the cycle's status.
    const step = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems![0].Update!;
    const [cycleUpdate] = ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(step.ExpressionAttributeValues).toMatchObject({ ':status': 'failed', ':cause': 'NotFoundError: No cycle for zg 2025' });
    expect(cycleUpdate.ExpressionAttributeValues).toMatchObject({ ':status': 'failed', ':cause': 'policy-publication#notify: NotFoundError: No cycle for zg 2025' });
  });

  it('marks running and starts the page cursor at the beginning', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand, { Key: keys.step(cycle.id, 'policy-publication#notify') }).resolves({ Item: { ...stepItems()[0], status: 'running', attempts: 1 } });
    ddb.on(GetCommand, { Key: keys.cycle(cycle.id) }).resolves({ Item: { ...cycleItem, status: 'running', executionArn: 'arn:exec' } });
    expect(await createRecordMilestoneHandler(deps())({ cycleId: cycle.id, stepId: 'policy-publication#notify', status: 'running', executionId: 'arn:exec' })).toEqual({
      cursor: null,
      more: true,
      // The successor's name: the cycle and the step, readable, without the `#` Step Functions refuses.
      name: `${cycle.id}--policy-publication-notify`,
    });
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0); // the cycle already runs this execution
  });
});

describe('run-milestone handler', () => {
  const runDeps = () => ({
    ...deps(),
    config: milestoneConfigSchema.parse({ linksBaseUrl: 'https://aanbieders.example.nl' }),
    publications: missingPublicationStore('not in this test'),
  });

  it('refuses a cursor it did not make, and a step that is not running', async () => {
    ddb.on(GetCommand).resolves({ Item: cycleItem });
    ddb.on(QueryCommand).resolves({ Items: stepItems() });
    const handler = createRunMilestoneHandler(runDeps());
    await expect(handler({ cycleId: cycle.id, stepId: 'policy-publication#notify', cursor: null })).rejects.toMatchObject({ name: 'ConflictError' });
    ddb.on(QueryCommand).resolves({ Items: stepItems((_s, i) => (i === 0 ? { status: 'running' } : {})) });
    await expect(handler({ cycleId: cycle.id, stepId: 'policy-publication#notify', cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(handler({ cycleId: cycle.id, stepId: 'policy-publication#notify' })).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('runs a page over the providers of the care type: a Query of its partition, never a Scan', async () => {
    ddb.on(GetCommand).resolves({ Item: cycleItem });
    ddb.on(QueryCommand).resolves({ Items: stepItems((_s, i) => (i === 0 ? { status: 'running' } : {})) });
    ddb.on(QueryCommand, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CARETYPE#test' } }).resolves({ Items: [] });
    expect(await createRunMilestoneHandler(runDeps())({ cycleId: cycle.id, stepId: 'policy-publication#notify', cursor: null })).toEqual({
      cursor: null,
      more: false,
      processed: 0,
    });
    const careTypeQuery = ddb.commandCalls(QueryCommand).find((c) => c.args[0].input.ExpressionAttributeValues?.[':pk'] === 'CARETYPE#test');
    expect(careTypeQuery?.args[0].input.Limit).toBe(100);
  });
});
