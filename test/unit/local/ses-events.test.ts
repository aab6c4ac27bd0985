import { describe, expect, it } from 'vitest';
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { outcomesOf, sesEventSchema } from '../../../functions/delivery/ses-events.ts';
import { encodeTagValue } from '../../../functions/email/tags.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { generatePopulation } from '../../../functions/local/rehearsal/population.ts';
import { asEventBridgeEvent, eventsForSend, relaySesEvents, simulatedOutcome, simulatorAddress } from '../../../functions/local/ses-events.ts';

const KEY = 'msr-2021#12345678#policy-publication#notify#policy-published';
const send = (...to: string[]): SendEmailCommandInput => ({
  FromEmailAddress: 'inkoop@zorgverzekeraar.example',
  Destination: { ToAddresses: to },
  ConfigurationSetName: 'inkoop',
  Content: { Simple: { Subject: { Data: 'x' }, Body: { Text: { Data: 'x' } } } },
  EmailTags: [{ Name: 'message-key', Value: encodeTagValue(KEY) }],
});
const AT = Date.parse('2020-04-01T07:00:00Z');

describe('local SES events (the SES mailbox simulator)', () => {
  it('knows the simulator addresses, labels included', () => {
    expect(simulatedOutcome('bounce@simulator.amazonses.com')).toBe('bounce');
    expect(simulatedOutcome(simulatorAddress('bounce', '123-0'))).toBe('bounce');
    expect(simulatedOutcome('Complaint+x@SIMULATOR.amazonses.com')).toBe('complaint');
    expect(simulatedOutcome('suppressionlist@simulator.amazonses.com')).toBe('suppressed');
    expect(simulatedOutcome('success@simulator.amazonses.com')).toBe('delivered');
    expect(simulatedOutcome('bounce@praktijk.example')).toBe('delivered');
  });

  it('makes the records AWS publishes, in its order, each one a valid SES event with our tag', () => {
    const events = eventsForSend(send('a@praktijk.example', simulatorAddress('bounce', 'b'), simulatorAddress('complaint', 'c')), 'ses-1', AT);
    expect(events.map((e) => e.eventType)).toEqual(['Send', 'Delivery', 'Bounce', 'Complaint']);
    for (const e of events) {
      const parsed = sesEventSchema.parse(JSON.parse(JSON.stringify(asEventBridgeEvent(e, AT).detail)));
      expect(outcomesOf(parsed).messageKey).toBe(KEY);
    }
    expect(outcomesOf(events[1]).outcomes.map((o) => o.address)).toEqual(['a@praktijk.example', simulatorAddress('complaint', 'c')]);
    expect(outcomesOf(events[2]).outcomes).toEqual([expect.objectContaining({ status: 'bounced', permanent: true })]);
    expect(outcomesOf(events[3]).outcomes).toEqual([expect.objectContaining({ status: 'complained', at: '2020-04-01T07:01:00.000Z' })]);
    expect(asEventBridgeEvent(events[2], AT)).toMatchObject({ source: 'aws.ses', 'detail-type': 'Email Bounced' });
  });
});

describe('relaying the events of the local SES', () => {
  /** A client whose SendEmail calls go through the relay's middleware only. */
  function relayed(deliver: (event: unknown) => Promise<unknown>) {
    let middleware: ((next: unknown, context: unknown) => (args: unknown) => Promise<unknown>) | undefined;
    const client = {
      middlewareStack: {
        add: (m: typeof middleware) => {
          middleware = m;
        },
      },
    };
    const relay = relaySesEvents(client as never, { now: () => AT }, deliver, { concurrency: 4 });
    let id = 0;
    const sendTo = async (key: string, ...to: string[]) => {
      const input = { ...send(...to), EmailTags: [{ Name: 'message-key', Value: encodeTagValue(key) }] };
      await middleware!(async () => ({ output: { MessageId: `ses-${++id}` } }), { commandName: 'SendEmailCommand' })({ input });
    };
    return { relay, sendTo };
  }
  const keyOf = (event: unknown) => outcomesOf(sesEventSchema.parse((event as { detail: unknown }).detail)).messageKey;
  const typeOf = (event: unknown) => (event as { detail: { eventType: string } }).detail.eventType;

  it("hands a provider's events over in order, one at a time, and different providers' at once", async () => {
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const { relay, sendTo } = relayed(async (event) => {
      running++;
      most = Math.max(most, running);
      log.push(`${keyOf(event)} ${typeOf(event)} start`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`${keyOf(event)} ${typeOf(event)} end`);
      running--;
    });
    await sendTo('msr-2021#111#a#t', 'x@praktijk.example', simulatorAddress('bounce', '1'));
    await sendTo('msr-2021#111#b#t', simulatorAddress('bounce', '2'));
    await sendTo('msr-2021#222#a#t', 'y@praktijk.example');
    expect(await relay.flush()).toBe(7);
    const ofProvider = log.filter((l) => l.startsWith('msr-2021#111#'));
    expect(ofProvider).toEqual([
      'msr-2021#111#a#t Send start', 'msr-2021#111#a#t Send end',
      'msr-2021#111#a#t Delivery start', 'msr-2021#111#a#t Delivery end',
      'msr-2021#111#a#t Bounce start', 'msr-2021#111#a#t Bounce end',
      'msr-2021#111#b#t Send start', 'msr-2021#111#b#t Send end',
      'msr-2021#111#b#t Bounce start', 'msr-2021#111#b#t Bounce end',
    ]);
    expect(most).toBe(2);
    expect(relay.counts).toEqual({ Send: 3, Delivery: 2, Bounce: 2 });
    expect(await relay.flush()).toBe(0);
  });

  it("a failing event fails the flush; that provider's later events wait for the next one, others' are handed over", async () => {
    let fail = true;
    const delivered: string[] = [];
    const { relay, sendTo } = relayed(async (event) => {
      if (fail && keyOf(event) === 'msr-2021#111#a#t' && typeOf(event) === 'Send') throw new Error('DynamoDB unwell');
      delivered.push(`${keyOf(event)} ${typeOf(event)}`);
    });
    await sendTo('msr-2021#111#a#t', 'x@praktijk.example');
    await sendTo('msr-2021#222#a#t', 'y@praktijk.example');
    await expect(relay.flush()).rejects.toThrow('DynamoDB unwell');
    expect(delivered).toEqual(['msr-2021#222#a#t Send', 'msr-2021#222#a#t Delivery']);
    fail = false;
    expect(await relay.flush()).toBe(1);
    expect(delivered.at(-1)).toBe('msr-2021#111#a#t Delivery');
  });
});

describe('unreachable providers in the population', () => {
  it('a share of 0 changes nothing; a share gives known providers simulator addresses only, on their own draws', async () => {
    const msr = await loadCalendar('msr-2021');
    const plain = generatePopulation(msr, 300, 1);
    expect(generatePopulation(msr, 300, 1, { unreachableShare: 0 })).toEqual(plain);
    const some = generatePopulation(msr, 300, 1, { unreachableShare: 0.2 });
    const flagged = some.providers.filter((p) => p.unreachable);
    expect(flagged.length).toBeGreaterThan(30);
    expect(flagged.length).toBeLessThan(90);
    expect(flagged.some((p) => p.unreachable === 'complains')).toBe(true);
    for (const [i, p] of some.providers.entries()) {
      const { contacts, unreachable, ...rest } = p;
      const { contacts: before, ...same } = plain.providers[i];
      expect(rest).toEqual(same);
      if (!unreachable) expect(contacts).toEqual(before);
      else {
        expect(p.kind).not.toBe('new');
        expect(contacts.map((c) => simulatedOutcome(c.email))).toEqual(before.map(() => (unreachable === 'bounces' ? 'bounce' : 'complaint')));
      }
    }
  });
});
