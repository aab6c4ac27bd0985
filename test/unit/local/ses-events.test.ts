import { describe, expect, it } from 'vitest';
import type { SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { outcomesOf, sesEventSchema } from '../../../functions/delivery/ses-events.ts';
import { encodeTagValue } from '../../../functions/email/tags.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { generatePopulation } from '../../../functions/local/rehearsal/population.ts';
import { asEventBridgeEvent, eventsForSend, simulatedOutcome, simulatorAddress } from '../../../functions/local/ses-events.ts';

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

  it('makes the records AWS publishes to us (no Send), in its order, each one a valid SES event with our tag', () => {
    const events = eventsForSend(send('a@praktijk.example', simulatorAddress('bounce', 'b'), simulatorAddress('complaint', 'c')), 'ses-1', AT);
    expect(events.map((e) => e.eventType)).toEqual(['Delivery', 'Bounce', 'Complaint']);
    for (const e of events) {
      const parsed = sesEventSchema.parse(JSON.parse(JSON.stringify(asEventBridgeEvent(e, AT).detail)));
      expect(outcomesOf(parsed).messageKey).toBe(KEY);
    }
    expect(outcomesOf(events[0]).outcomes.map((o) => o.address)).toEqual(['a@praktijk.example', simulatorAddress('complaint', 'c')]);
    expect(outcomesOf(events[1]).outcomes).toEqual([expect.objectContaining({ status: 'bounced', permanent: true })]);
    expect(outcomesOf(events[2]).outcomes).toEqual([expect.objectContaining({ status: 'complained', at: '2020-04-01T07:01:00.000Z' })]);
    expect(asEventBridgeEvent(events[1], AT)).toMatchObject({ source: 'aws.ses', 'detail-type': 'Email Bounced' });
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
