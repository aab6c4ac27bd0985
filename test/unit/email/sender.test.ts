import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  MessageRejected,
  SendEmailCommand,
  SendingPausedException,
  SESv2Client,
  SESv2ServiceException,
  TooManyRequestsException,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createEmailSender, SendingHaltedError, type EmailSenderConfig, type SenderLogger } from '../../../functions/email/sender.ts';
import { decodeTagValue } from '../../../functions/email/tags.ts';
import { createFakeOutbox, type FakeOutbox } from './fake-outbox.ts';
import { ICS, LINK, SAMPLES } from './samples.ts';

const sesMock = mockClient(SESv2Client);
const ses = new SESv2Client({ region: 'eu-west-1' });

const throttled = () =>
  new TooManyRequestsException({ message: 'Too Many Requests', $metadata: { httpStatusCode: 429 } });
const serverError = () =>
  new SESv2ServiceException({ name: 'InternalFailure', $fault: 'server', message: 'oops', $metadata: { httpStatusCode: 500 } });

const CONFIG: EmailSenderConfig = { from: 'inkoop@example.nl', ratePerSecond: 10, maxAttempts: 4, batchSize: 3 };

let clock: VirtualClock;
let outbox: FakeOutbox;
let logs: Array<{ level: string; message: string; attributes: Record<string, unknown> }>;
/** Sleep on the virtual clock: yields, then moves time on. */
const sleep = async (ms: number) => {
  await new Promise<void>((resolve) => setImmediate(resolve));
  clock.advanceBy(ms);
};
const logger: SenderLogger = {
  info: (message, attributes) => logs.push({ level: 'info', message, attributes }),
  warn: (message, attributes) => logs.push({ level: 'warn', message, attributes }),
  error: (message, attributes) => logs.push({ level: 'error', message, attributes }),
};

function sender(config: Partial<EmailSenderConfig> = {}) {
  return createEmailSender({ outbox, ses, clock, sleep, config: { ...CONFIG, ...config }, random: () => 0.5, logger });
}

function enqueue(n: number, cycleId = 'msr-2021') {
  return Array.from({ length: n }, (_, i) =>
    outbox.add({ key: `${cycleId}#1234567${i}#step#reminder`, cycleId, template: 'reminder', params: SAMPLES.reminder }),
  );
}

const sentInputs = () => sesMock.commandCalls(SendEmailCommand).map((call) => call.args[0].input as SendEmailCommandInput);
const keyOf = (input: SendEmailCommandInput) => decodeTagValue(input.EmailTags?.find((t) => t.Name === 'message-key')?.Value ?? '');

beforeEach(() => {
  sesMock.reset();
  clock = new VirtualClock('2020-06-17T07:00:00Z');
  outbox = createFakeOutbox(clock);
  logs = [];
});

afterEach(() => {
  // Logs carry keys, templates and statuses: never addresses or links.
  const text = JSON.stringify(logs);
  expect(text).not.toMatch(/@/);
  expect(text).not.toContain(LINK);
});

describe('sending a queued message', () => {
  it('sends Simple content (HTML and text) to the recipients, tagged with the message key', async () => {
    const [m] = enqueue(1);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    const result = await sender({ configurationSet: 'inkoop' }).sendQueued();

    expect(result).toEqual({ sent: 1, failed: 0, more: false, unknownOutcome: 0 });
    const [input] = sentInputs();
    expect(input.FromEmailAddress).toBe('inkoop@example.nl');
    expect(input.Destination?.ToAddresses).toEqual([m.recipients[0].address]);
    expect(input.ConfigurationSetName).toBe('inkoop');
    expect(input.Content?.Simple?.Subject?.Data).toMatch(/^Herinnering: /);
    expect(input.Content?.Simple?.Body?.Html?.Data).toContain(`href="${LINK}"`);
    expect(input.Content?.Simple?.Body?.Text?.Data).toContain(LINK);
    expect(input.Content?.Simple?.Body?.Text?.Charset).toBe('UTF-8');
    // Reversibly encoded: an SES event finds its message by it.
    expect(input.EmailTags).toContainEqual({ Name: 'message-key', Value: 'msr-2021_2312345670_23step_23reminder' });
    expect(keyOf(input)).toBe('msr-2021#12345670#step#reminder');
    expect(outbox.get(m.key)).toMatchObject({ status: 'sent', sesMessageId: 'ses-1', attempts: 1 });
  });

  it('never puts a line break into the Subject header, even from a name stored before input was checked', async () => {
    outbox.add({ key: 'contracted', template: 'contracted', params: { ...SAMPLES.contracted, providerName: 'Kliniek\r\nBcc: evil@example.com\u2028X' } });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
    await sender().sendQueued();
    const subject = String(sentInputs()[0].Content?.Simple?.Subject?.Data);
    expect(subject).toMatch(/^Kliniek Bcc: evil@example\.com X gecontracteerd voor /);
    expect(subject).not.toMatch(/[\r\n\u2028]/);
  });

  it('sends an attachment in Simple content', async () => {
    outbox.add({ key: 'policy', template: 'policy-published', params: SAMPLES['policy-published'] });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    await sender().sendQueued();

    const [attachment] = sentInputs()[0].Content?.Simple?.Attachments ?? [];
    expect(attachment).toMatchObject({ FileName: expect.stringMatching(/\.ics$/), ContentType: 'text/calendar', ContentDisposition: 'ATTACHMENT' });
    expect(new TextDecoder().decode(attachment.RawContent)).toBe(ICS);
  });

  it('retries throttling (429) with backoff and sends the message exactly once', async () => {
    const [m] = enqueue(1);
    sesMock.on(SendEmailCommand).rejectsOnce(throttled()).rejectsOnce(throttled()).resolves({ MessageId: 'ses-after-429' });

    const result = await sender().sendQueued();

    expect(result).toMatchObject({ sent: 1, failed: 0, more: false });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(3);
    expect(outbox.get(m.key)).toMatchObject({ status: 'sent', sesMessageId: 'ses-after-429', attempts: 1 });
  });

  it('under throttling of every first two calls, sends each of many messages exactly once', async () => {
    const messages = enqueue(7);
    const failuresLeft = new Map<string, number>();
    const delivered: string[] = [];
    sesMock.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      const key = keyOf(input)!;
      const left = failuresLeft.get(key) ?? 2;
      failuresLeft.set(key, left - 1);
      if (left > 0) throw throttled();
      delivered.push(key);
      return { MessageId: `ses-${key}` };
    });

    const result = await sender().sendQueued();

    expect(result).toMatchObject({ sent: 7, failed: 0, more: false });
    expect(delivered.sort()).toEqual(messages.map((m) => m.key).sort());
    for (const m of messages) {
      expect(outbox.get(m.key)).toMatchObject({ status: 'sent', sesMessageId: `ses-${m.key}` });
    }
  });

  it('fails a permanently rejected message at once, with the reason and no address', async () => {
    const [m] = enqueue(1);
    sesMock
      .on(SendEmailCommand)
      .rejects(new MessageRejected({ message: `Email address is not verified: ${m.recipients[0].address}`, $metadata: {} }));

    const result = await sender().sendQueued();

    expect(result).toMatchObject({ sent: 0, failed: 1, more: false });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    const stored = outbox.get(m.key);
    expect(stored.status).toBe('failed');
    expect(stored.error).toMatch(/^MessageRejected: Email address is not verified/);
    expect(stored.error).not.toContain('@');
  });

  it('fails a message whose params do not fit its template without calling SES', async () => {
    outbox.add({ key: 'bad', template: 'reminder', params: { ...SAMPLES.reminder, actionUrl: undefined } });
    outbox.add({ key: 'unknown', template: 'no-such-template', params: {} });

    const result = await sender().sendQueued();

    expect(result).toMatchObject({ sent: 0, failed: 2 });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(outbox.get('bad').error).toMatch(/^not renderable: .*actionUrl/);
    expect(outbox.get('unknown').error).toMatch(/^not renderable: Unknown email template/);
  });

  it('puts a message back in the queue when SES stays unavailable, and stops the run', async () => {
    const [first, second] = enqueue(2);
    sesMock.on(SendEmailCommand).rejects(serverError());

    const result = await sender().sendQueued();

    expect(result).toMatchObject({ sent: 0, failed: 0, more: true });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(CONFIG.maxAttempts);
    expect(outbox.get(first.key)).toMatchObject({ status: 'queued', attempts: 1, error: 'InternalFailure: oops' });
    expect(outbox.get(second.key)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('fails a message for good once it has had maxAttempts claims', async () => {
    const [m] = enqueue(1);
    sesMock.on(SendEmailCommand).rejects(serverError());
    const s = sender({ maxAttempts: 2 });

    expect(await s.sendQueued()).toMatchObject({ failed: 0, more: true });
    expect(await s.sendQueued()).toMatchObject({ failed: 1, more: false });
    expect(outbox.get(m.key)).toMatchObject({ status: 'failed', attempts: 2, error: 'gave up after 2 claims: InternalFailure: oops' });
  });

  it('halts when the account cannot send, leaving the message queued', async () => {
    const [m] = enqueue(2);
    sesMock.on(SendEmailCommand).rejects(new SendingPausedException({ message: 'Sending paused', $metadata: {} }));

    await expect(sender().sendQueued()).rejects.toBeInstanceOf(SendingHaltedError);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(outbox.get(m.key).status).toBe('queued');
  });
});

describe('the rate limit', () => {
  it('N messages at R per second take at least (N-1)/R seconds of virtual time', async () => {
    const n = 10;
    const rate = 2;
    enqueue(n);
    const at: number[] = [];
    sesMock.on(SendEmailCommand).callsFake(() => {
      at.push(clock.now());
      return { MessageId: `ses-${at.length}` };
    });
    const start = clock.now();

    const result = await sender({ ratePerSecond: rate }).sendQueued();

    expect(result.sent).toBe(n);
    expect(clock.now() - start).toBeGreaterThanOrEqual(((n - 1) / rate) * 1000);
    for (let i = 1; i < at.length; i++) expect(at[i] - at[i - 1]).toBeGreaterThanOrEqual(1000 / rate);
  });

  it('counts retries against the rate too', async () => {
    enqueue(1);
    const at: number[] = [];
    sesMock.on(SendEmailCommand).callsFake(() => {
      at.push(clock.now());
      if (at.length < 3) throw throttled();
      return { MessageId: 'ses-1' };
    });

    await sender({ ratePerSecond: 1 }).sendQueued();

    expect(at).toHaveLength(3);
    expect(at[2] - at[0]).toBeGreaterThanOrEqual(2000);
  });
});

describe('concurrency and retries of the Lambda', () => {
  it('two senders racing over the same queue send each message exactly once', async () => {
    const messages = enqueue(12);
    const delivered: string[] = [];
    sesMock.on(SendEmailCommand).callsFake(async (input: SendEmailCommandInput) => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      delivered.push(keyOf(input)!);
      return { MessageId: `ses-${delivered.length}` };
    });

    const [a, b] = await Promise.all([sender().sendQueued(), sender().sendQueued()]);

    expect(a.sent + b.sent).toBe(12);
    expect(a.sent).toBeGreaterThan(0);
    expect(b.sent).toBeGreaterThan(0);
    expect(delivered).toHaveLength(12);
    expect(new Set(delivered).size).toBe(12);
    for (const m of messages) expect(outbox.get(m.key).status).toBe('sent');
    expect(logs.some((l) => l.message === 'email claimed by another sender')).toBe(true);
  });

  it('does not resend a message stuck in sending: it reports it failed with an unknown outcome', async () => {
    const stuck = outbox.add({
      key: 'stuck',
      template: 'reminder',
      params: SAMPLES.reminder,
      status: 'sending',
      attempts: 1,
      claimedAt: new Date(clock.now() - 20 * 60_000).toISOString(),
    });
    const inFlight = outbox.add({
      key: 'in-flight',
      template: 'reminder',
      params: SAMPLES.reminder,
      status: 'sending',
      attempts: 1,
      claimedAt: new Date(clock.now() - 60_000).toISOString(),
    });
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    const result = await sender().sendQueued();

    expect(result).toEqual({ sent: 0, failed: 1, more: false, unknownOutcome: 1 });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
    expect(outbox.get(stuck.key).status).toBe('failed');
    expect(outbox.get(stuck.key).error).toMatch(/^unknown-outcome: claimed at .* message-key=stuck/);
    expect(outbox.get(inFlight.key).status).toBe('sending');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'email outcome unknown' }));
  });

  it('a retried run after a crash between claim and send does not send twice', async () => {
    const [m] = enqueue(1);
    // The first invocation claimed the message, then died before SES answered.
    await outbox.claimMessage(m.key);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    expect(await sender().sendQueued()).toMatchObject({ sent: 0, failed: 0 });
    clock.advanceBy(16 * 60_000);
    expect(await sender().sendQueued()).toMatchObject({ sent: 0, failed: 1, unknownOutcome: 1 });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('batches, cycles and the time budget', () => {
  it('pages through the queue in batches', async () => {
    enqueue(8);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });
    expect(await sender({ batchSize: 3 }).sendQueued()).toMatchObject({ sent: 8, more: false });
  });

  it('sends only the given cycle, and says whether more of it remain', async () => {
    enqueue(2, 'zg-2024');
    const own = enqueue(2, 'msr-2021');
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    const result = await sender({ batchSize: 1 }).sendQueued({ cycleId: 'msr-2021' });

    expect(result).toMatchObject({ sent: 2, more: false });
    for (const m of own) expect(outbox.get(m.key).status).toBe('sent');
    expect([...outbox.messages.values()].filter((m) => m.status === 'queued')).toHaveLength(2);
  });

  it('stops when the time budget is spent and reports more', async () => {
    enqueue(5);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    // Sends at 0, 1, 2 s; 2 s is inside the budget, so a 4th starts (after the rate wait, at 3 s); then it stops.
    const result = await sender({ ratePerSecond: 1 }).sendQueued({ budgetMs: 2_500 });

    expect(result).toMatchObject({ sent: 4, more: true });
    expect(await sender({ ratePerSecond: 1 }).sendQueued()).toMatchObject({ sent: 1, more: false });
  });
});

describe('batched claims and marks', () => {
  it('claims a page in one call and marks its sent messages in one call', async () => {
    enqueue(3);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    expect(await sender({ batchSize: 10 }).sendQueued()).toMatchObject({ sent: 3, more: false });

    expect(outbox.calls).toEqual({ queryMessagesByStatus: 2, claimMessages: 1, markMessagesSent: 1 });
  });

  it('a second run sends nothing again', async () => {
    enqueue(4);
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    expect(await sender().sendQueued()).toMatchObject({ sent: 4 });
    expect(await sender().sendQueued()).toMatchObject({ sent: 0, failed: 0, more: false });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(4);
  });

  it('a message claimed by another sender between listing and claim is skipped; the rest of the batch is sent', async () => {
    const [a, b, c] = enqueue(3);
    outbox.beforeClaim = () => {
      outbox.beforeClaim = undefined;
      outbox.messages.set(b.key, { ...outbox.get(b.key), status: 'sending', claimedAt: new Date(clock.now()).toISOString(), attempts: 1 });
    };
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    expect(await sender().sendQueued()).toMatchObject({ sent: 2, failed: 0 });
    expect(sentInputs().map(keyOf)).toEqual([a, c].map((m) => m.key));
    expect(logs).toContainEqual(expect.objectContaining({ message: 'email claimed by another sender', attributes: expect.objectContaining({ messageKey: b.key }) }));
  });

  it('a message that left `sending` before the batch of marks is reported sent but not recorded; the others are marked', async () => {
    const [a, b, c] = enqueue(3);
    outbox.beforeMarkSent = () => {
      outbox.messages.set(b.key, { ...outbox.get(b.key), status: 'failed', error: 'reported meanwhile' });
    };
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    expect(await sender().sendQueued()).toMatchObject({ sent: 3 });
    expect(outbox.get(a.key).status).toBe('sent');
    expect(outbox.get(b.key).status).toBe('failed');
    expect(outbox.get(c.key).status).toBe('sent');
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'email sent but not recorded', attributes: expect.objectContaining({ messageKey: b.key }) }));
    expect(outbox.calls.markMessageSent).toBeUndefined();
  });

  it('a batch of marks that fails is done again one by one', async () => {
    const messages = enqueue(3);
    const failing: typeof outbox = { ...outbox, markMessagesSent: () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });

    const s = createEmailSender({ outbox: failing, ses, clock, sleep, config: CONFIG, random: () => 0.5, logger });
    expect(await s.sendQueued()).toMatchObject({ sent: 3 });
    expect(outbox.calls.markMessageSent).toBe(3);
    for (const m of messages) expect(outbox.get(m.key)).toMatchObject({ status: 'sent', sesMessageId: 'ses-1' });
  });

  it('claims no more than can be sent within the time budget', async () => {
    enqueue(5);
    const sizes: number[] = [];
    const spied: typeof outbox = {
      ...outbox,
      claimMessages: (requests) => {
        sizes.push(requests.length);
        return outbox.claimMessages(requests);
      },
    };
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    const s = createEmailSender({ outbox: spied, ses, clock, sleep, config: { ...CONFIG, batchSize: 10, ratePerSecond: 1 }, random: () => 0.5, logger });
    expect(await s.sendQueued({ budgetMs: 2_500 })).toMatchObject({ sent: 4, more: true });
    // 2.5 s at 1/s: sends at 0, 1 and 2 s; then 0.5 s left, room for one more.
    expect(sizes).toEqual([3, 1]);
    expect([...outbox.messages.values()].filter((m) => m.status === 'sending')).toHaveLength(0);
  });

  it('when SES halts, the claims not yet sent go back to the queue uncounted', async () => {
    const [first, second, third] = enqueue(3);
    sesMock.on(SendEmailCommand).rejects(new SendingPausedException({ message: 'Sending paused', $metadata: {} }));

    await expect(sender().sendQueued()).rejects.toBeInstanceOf(SendingHaltedError);
    expect(outbox.get(first.key)).toMatchObject({ status: 'queued', attempts: 1 });
    expect(outbox.get(second.key)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(outbox.get(third.key)).toMatchObject({ status: 'queued', attempts: 0 });
  });

  it('a message whose claim failed in the store stays queued and the run reports more', async () => {
    const [a, b] = enqueue(2);
    const contended: typeof outbox = {
      ...outbox,
      claimMessages: async (requests) => {
        const rest = await outbox.claimMessages(requests.filter((r) => r.message.key !== a.key));
        return requests.map((r) => (r.message.key === a.key ? { status: 'error' as const, error: new Error('TransactionConflict') } : rest.shift()!));
      },
    };
    sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses' });

    const s = createEmailSender({ outbox: contended, ses, clock, sleep, config: CONFIG, random: () => 0.5, logger });
    expect(await s.sendQueued()).toMatchObject({ sent: 1, more: true });
    expect(outbox.get(a.key)).toMatchObject({ status: 'queued', attempts: 0 });
    expect(outbox.get(b.key).status).toBe('sent');
  });

  it('looks for abandoned claims at most once every 5 minutes per outbox and cycle', async () => {
    const statuses: string[] = [];
    const spied: typeof outbox = {
      ...outbox,
      queryMessagesByStatus: (status, page) => {
        statuses.push(status);
        return outbox.queryMessagesByStatus(status, page);
      },
    };
    const s = () => createEmailSender({ outbox: spied, ses, clock, sleep, config: CONFIG, random: () => 0.5, logger });

    await s().sendQueued();
    await s().sendQueued();
    await s().sendQueued({ cycleId: 'msr-2021' });
    clock.advanceBy(4 * 60_000);
    await s().sendQueued();
    expect(statuses.filter((x) => x === 'sending')).toHaveLength(2);
    clock.advanceBy(60_000);
    await s().sendQueued();

    expect(statuses.filter((x) => x === 'sending')).toHaveLength(3);
  });
});

describe('senders of several cycles sharing one rate (FairRateLimiter)', () => {
  it("one cycle's large batch does not starve another's few emails: the cycles take turns", async () => {
    const { FairRateLimiter } = await import('../../../functions/email/rate-limit.ts');
    const limiter = new FairRateLimiter(10, clock, sleep);
    enqueue(60, 'msr-2021');
    enqueue(4, 'zvt-2021');
    sesMock.on(SendEmailCommand).callsFake(async () => ({ MessageId: `ses-${sesMock.calls().length}` }));
    const of = (cycleId: string) =>
      createEmailSender({ outbox, ses, clock, sleep, limiter, config: { ...CONFIG, batchSize: 100, concurrency: 8 }, random: () => 0.5, logger }).sendQueued({ cycleId });
    const big = of('msr-2021');
    const small = of('zvt-2021');
    const [a, b] = await Promise.all([big, small]);
    expect([a.sent, b.sent]).toEqual([60, 4]);
    const cycles = sentInputs().map((input) => input.EmailTags?.find((t) => t.Name === 'cycle')?.Value);
    // Every one of the small cycle's emails went out within the first rounds, not after the 60.
    expect(cycles.lastIndexOf('zvt-2021')).toBeLessThan(10);
    // And the shared rate held for both together: 64 calls at 10/s.
    expect(clock.now() - Date.parse('2020-06-17T07:00:00Z')).toBeGreaterThanOrEqual(6300);
  });
});
