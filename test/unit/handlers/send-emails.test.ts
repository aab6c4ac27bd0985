import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendEmailCommand, SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { resetClients } from '../../../functions/commons/clients.ts';
import { createSendEmailsHandler, handler } from '../../../functions/handlers/send-emails.ts';
import { createFakeOutbox, type FakeOutbox } from '../email/fake-outbox.ts';
import { SAMPLES } from '../email/samples.ts';

const sesMock = mockClient(SESv2Client);
const ENV = { SENDER: 'inkoop@example.nl', CONFIGURATION_SET: 'inkoop-events', SES_RATE_PER_SECOND: '5', TABLE_NAME: 't' };

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

const make = (env: Record<string, string | undefined> = ENV) => createSendEmailsHandler({ outbox, clock, sleep, env });

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

  it('omits the configuration set when none is configured', async () => {
    outbox.add({ key: 'a', template: 'contracted', params: SAMPLES.contracted });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    await make({ SENDER: 'inkoop@example.nl', CONFIGURATION_SET: '' })({});

    expect(sesMock.commandCalls(SendEmailCommand)[0].args[0].input.ConfigurationSetName).toBeUndefined();
  });

  it('rejects input that does not match the contract, and a missing SENDER', async () => {
    await expect(make()({ cycleId: 42 })).rejects.toThrow();
    await expect(make({ CONFIGURATION_SET: 'x' })({})).rejects.toThrow(/SENDER/);
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
