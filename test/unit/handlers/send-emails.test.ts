import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { resetClients } from '../../../functions/commons/clients.ts';
import { createSendEmailsHandler, handler, sendEmailsEnv, sendEmailsSettingsOf } from '../../../functions/handlers/send-emails.ts';
import { readEnv } from '../../../functions/commons/env.ts';
import { createFakeOutbox, type FakeOutbox } from '../email/fake-outbox.ts';
import { SAMPLES } from '../email/samples.ts';

const sesMock = mockClient(SESv2Client);
const ENV = {
  SENDER: 'inkoop@example.nl',
  CONFIGURATION_SET: 'inkoop-events',
  SES_RATE_PER_SECOND: '5',
  TABLE_NAME: 't',
  LINK_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:link',
  LINKS_BASE_URL: 'https://aanbieders.example.nl',
};

let clock: VirtualClock;
let outbox: FakeOutbox;
const sleep = async (ms: number) => {
  clock.advanceBy(ms);
};

beforeEach(() => {
  sesMock.reset();
  clock = new VirtualClock('2020-09-01T07:00:00Z');
  outbox = createFakeOutbox(clock);
  vi.stubEnv('LOG_LEVEL', 'SILENT');
});

afterEach(() => {
  vi.unstubAllEnvs();
  resetClients();
});

const make = (env: Record<string, string | undefined> = ENV) =>
  createSendEmailsHandler({ outbox, ses: new SESv2Client({ region: 'eu-west-1' }), clock, sleep, settings: sendEmailsSettingsOf(readEnv(sendEmailsEnv, env)) });

describe('send-emails handler', () => {
  it('sends the queued messages of the cycle through SES and returns the counts', async () => {
    outbox.add({ key: 'a', cycleId: 'msr-2021', template: 'reminder', params: SAMPLES.reminder });
    outbox.add({ key: 'b', cycleId: 'msr-2021', template: 'contracted', params: SAMPLES.contracted });
    outbox.add({ key: 'other', cycleId: 'zg-2024', template: 'contracted', params: SAMPLES.contracted });
    sesMock.on(SendEmailCommand).rejectsOnce(new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } })).resolves({ MessageId: 'ses-1' });

    const result = await make()({ cycleId: 'msr-2021' });

    expect(result).toEqual({ sent: 2, failed: 0, more: false });
    const inputs = sesMock.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(3);
    expect(inputs[0]).toMatchObject({ FromEmailAddress: 'inkoop@example.nl', ConfigurationSetName: 'inkoop-events' });
    expect(outbox.get('other').status).toBe('queued');
  });

  it('sends every cycle when no cycle is given (the every-minute schedule)', async () => {
    outbox.add({ key: 'a', cycleId: 'msr-2021', template: 'contracted', params: SAMPLES.contracted });
    outbox.add({ key: 'b', cycleId: 'zg-2024', template: 'contracted', params: SAMPLES.contracted });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    expect(await make()({ 'detail-type': 'Scheduled Event', source: 'aws.events' })).toEqual({ sent: 2, failed: 0, more: false });
  });

  it('reports more when the 60 s budget runs out', async () => {
    for (let i = 0; i < 8; i++) outbox.add({ key: `m${i}`, template: 'contracted', params: SAMPLES.contracted });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    // 0.1 message per second: a send every 10 virtual seconds.
    const result = await make({ ...ENV, SES_RATE_PER_SECOND: '0.1' })({ cycleId: 'msr-2021' });

    expect(result).toEqual({ sent: 7, failed: 0, more: true });
  });

  it('rejects input that does not match the contract', async () => {
    await expect(make()({ cycleId: 42 })).rejects.toThrow();
  });

  it('a missing or blank variable fails the first invocation, naming it; nothing is sent', async () => {
    outbox.add({ key: 'a', template: 'contracted', params: SAMPLES.contracted });
    for (const [k, v] of Object.entries(ENV)) vi.stubEnv(k, v);
    vi.stubEnv('SENDER', undefined);
    vi.stubEnv('CONFIGURATION_SET', ' ');
    await expect(createSendEmailsHandler()({})).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'Environment variables SENDER, CONFIGURATION_SET not set',
    });
    vi.stubEnv('SENDER', 'inkoop@example.nl');
    vi.stubEnv('CONFIGURATION_SET', 'inkoop-events');
    vi.stubEnv('SES_RATE_PER_SECOND', '-1');
    await expect(createSendEmailsHandler()({})).rejects.toThrow(/SES_RATE_PER_SECOND invalid/);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('wires the store and the SES client from the environment (exported handler)', async () => {
    const dynamoMock = mockClient(DynamoDBDocumentClient);
    dynamoMock.on(QueryCommand).resolves({ Items: [] });
    for (const [k, v] of Object.entries(ENV)) vi.stubEnv(k, v);

    expect(await handler({ cycleId: 'msr-2021' })).toEqual({ sent: 0, failed: 0, more: false });
    const queries = dynamoMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries[0]).toMatchObject({ TableName: 't', IndexName: 'gsi3' });
    dynamoMock.restore();
  });
});
