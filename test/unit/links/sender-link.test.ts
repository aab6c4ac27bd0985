/**
 * The sender issues a message's action link at send time, bound to the
 * application version the message was enqueued with, else the one read after
 * the claim (functions/email/sender.ts +
 * functions/links/issue.ts); nothing is stored per link.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createEmailSender, type LinkIssuerPort } from '../../../functions/email/sender.ts';
import { createLinkIssuer } from '../../../functions/links/issue.ts';
import { verifyToken } from '../../../functions/links/token.ts';
import { createFakeOutbox, type FakeOutbox } from '../email/fake-outbox.ts';
import { SAMPLES } from '../email/samples.ts';

const sesMock = mockClient(SESv2Client);
const ses = new SESv2Client({ region: 'eu-west-1' });
const KEY = new Uint8Array(32).fill(3);
const DEADLINE_ISO = '2020-07-01T21:59:59.999Z';
const silent = { info() {}, warn() {}, error() {} };

let clock: VirtualClock;
let outbox: FakeOutbox;

beforeEach(() => {
  sesMock.reset();
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
  clock = new VirtualClock('2020-06-17T07:00:00Z');
  outbox = createFakeOutbox(clock);
});

const issuer = () =>
  createLinkIssuer({ keys: { getKey: async () => KEY }, baseUrl: 'https://links.example.nl', clock });

function sender(linkIssuer?: LinkIssuerPort) {
  return createEmailSender({
    outbox,
    ses,
    clock,
    sleep: async (ms) => void clock.advanceBy(ms),
    config: { from: 'inkoop@example.nl', ratePerSecond: 100, maxAttempts: 3, batchSize: 10 },
    logger: silent,
    linkIssuer,
  });
}

const { actionUrl: _placeholder, ...params } = SAMPLES.reminder;
const withLink = (key: string) =>
  outbox.add({
    key,
    template: 'reminder',
    agb: '12345678',
    params,
    link: { action: 'submit-registration', contactId: 'c-anna', expiresAt: DEADLINE_ISO },
  });

describe('sender with a link issuer', () => {
  it('issues the link at send time, bound to the application version then, and renders it as actionUrl', async () => {
    withLink('m1');
    outbox.versions.set('12345678', 7);
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 1, failed: 0 });

    const input = sesMock.commandCalls(SendEmailCommand)[0].args[0].input as SendEmailCommandInput;
    const url = /https:\/\/links\.example\.nl\/l\/([A-Za-z0-9_.-]+)/.exec(input.Content!.Simple!.Body!.Text!.Data!)!;
    expect(url).not.toBeNull();
    const claims = verifyToken(KEY, url[1], clock);
    expect(claims).toMatchObject({ cycleId: 'msr-2021', agb: '12345678', action: 'submit-registration', contactId: 'c-anna', expiresAt: Date.parse(DEADLINE_ISO), version: 7, issuedAt: clock.now() });
    // One read of the applications for the chunk.
    expect(outbox.calls.getApplications).toBe(1);
    // The token never lands in the outbox item.
    expect(JSON.stringify(outbox.get('m1'))).not.toContain(url[1]);
  });

  it('a message enqueued with the version its link is bound to gets that version, and no application is read', async () => {
    outbox.add({
      key: 'm1',
      template: 'reminder',
      agb: '12345678',
      params,
      link: { action: 'submit-registration', contactId: 'c-anna', expiresAt: DEADLINE_ISO, version: 4 },
    });
    withLink('m2');
    outbox.versions.set('12345678', 7);
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 2, failed: 0 });
    const versions = sesMock.commandCalls(SendEmailCommand).map((c) => {
      const input = c.args[0].input as SendEmailCommandInput;
      const token = /https:\/\/links\.example\.nl\/l\/([A-Za-z0-9_.-]+)/.exec(input.Content!.Simple!.Body!.Text!.Data!)![1];
      return [input.EmailTags!.find((t) => t.Name === 'message-key')!.Value, verifyToken(KEY, token, clock).version];
    });
    // The enqueued version even though the application is at 7 now: moved since, its link is dead, as an older email's is.
    expect(versions).toEqual([
      ['m1', 4],
      ['m2', 7],
    ]);
    // Read only for the message without one.
    expect(outbox.calls.getApplications).toBe(1);
    outbox.calls.getApplications = 0;
    outbox.add({ key: 'm3', template: 'reminder', agb: '12345678', params, link: { action: 'submit-registration', contactId: 'c-anna', expiresAt: DEADLINE_ISO, version: 7 } });
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 1 });
    expect(outbox.calls.getApplications ?? 0).toBe(0);
  });

  it('a sent message is not claimed again, so it never gets a second link', async () => {
    withLink('m1');
    await sender(issuer()).sendQueued();
    await sender(issuer()).sendQueued();
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('reads the applications of a chunk once, per cycle', async () => {
    withLink('m1');
    withLink('m2');
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 2, failed: 0 });
    expect(outbox.calls.getApplications).toBe(1);
  });

  it('a single-use link whose application does not exist fails its message; nothing is sent', async () => {
    withLink('m1');
    outbox.versions.set('12345678', null);
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 0, failed: 1 });
    expect(outbox.get('m1')).toMatchObject({ status: 'failed', error: expect.stringMatching(/^no link: .*no application/) });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('a failed read of the applications puts the message back in the queue', async () => {
    withLink('m1');
    outbox.getApplications = () => Promise.reject(new Error('ProvisionedThroughputExceeded'));
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 0, more: true });
    expect(outbox.get('m1')).toMatchObject({ status: 'queued' });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('a message claimed by another sender first gets no link; the rest of the batch is sent with theirs', async () => {
    withLink('m1');
    withLink('m2');
    withLink('m3');
    outbox.beforeClaim = () => {
      outbox.beforeClaim = undefined;
      outbox.messages.set('m2', { ...outbox.get('m2'), status: 'sending', claimedAt: new Date(clock.now()).toISOString(), attempts: 1 });
    };
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 2, failed: 0 });
    const keys = sesMock.commandCalls(SendEmailCommand).map((c) => (c.args[0].input as SendEmailCommandInput).EmailTags!.find((t) => t.Name === 'message-key')!.Value);
    expect(keys).toEqual(['m1', 'm3']);
    expect(outbox.get('m2')).toMatchObject({ status: 'sending', attempts: 1 });
  });

  it('a message whose link cannot be made is claimed without one and fails; the others get theirs', async () => {
    withLink('m1');
    outbox.add({ key: 'no-agb', template: 'reminder', params, link: { action: 'submit-registration', contactId: 'c-anna', expiresAt: DEADLINE_ISO } });
    expect(await sender(issuer()).sendQueued()).toMatchObject({ sent: 1, failed: 1 });
    expect(outbox.get('no-agb')).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/^no link: .*agb/) });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('without an issuer a message with a link fails, not renderable', async () => {
    withLink('m1');
    expect(await sender().sendQueued()).toMatchObject({ sent: 0, failed: 1 });
    expect(outbox.get('m1')).toMatchObject({ status: 'failed', error: expect.stringMatching(/no link issuer/) });
  });

  it('a store error while issuing puts the message back in the queue', async () => {
    withLink('m1');
    const failing: LinkIssuerPort = { issue: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    expect(await sender(failing).sendQueued()).toMatchObject({ sent: 0, more: true });
    expect(outbox.get('m1')).toMatchObject({ status: 'queued' });
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
