import { describe, expect, it } from 'vitest';
import { outcomesOf, outranks, RECORDED_SES_EVENT_TYPES, sesEventSchema, SES_EVENT_TYPES } from '../../../functions/delivery/ses-events.ts';
import { decodeTagValue, encodeTagValue } from '../../../functions/email/tags.ts';
import { forMessage, SES_DOCUMENTS } from '../../support/ses-event-documents.ts';

const KEY = 'msr-2021#12345678#registration-closes#reminder';
const ADDRESS = 'info@zorg.example';
const outcomes = (type: (typeof SES_EVENT_TYPES)[number]) => outcomesOf(sesEventSchema.parse(forMessage(type, KEY, ADDRESS)));

describe('SES event documents (as the SES Developer Guide prints them)', () => {
  it.each(SES_EVENT_TYPES)('%s parses as documented', (type) => {
    expect(sesEventSchema.safeParse(SES_DOCUMENTS[type]).success).toBe(true);
  });

  it('Send: nothing to record (the sent mark says SES accepted it), and not among the types published to us', () => {
    expect(outcomes('Send')).toEqual({ eventType: 'Send', messageKey: KEY, sesMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000', outcomes: [] });
    expect(RECORDED_SES_EVENT_TYPES).toEqual(['Delivery', 'Bounce', 'Complaint', 'Reject', 'Rendering Failure', 'DeliveryDelay']);
  });

  it('Delivery: delivered at the delivery time, with the SMTP response', () => {
    expect(outcomes('Delivery').outcomes).toEqual([
      { address: ADDRESS, status: 'delivered', at: '2016-10-19T23:21:04.133Z', diagnostic: '250 2.6.0 Message received', permanent: false },
    ]);
  });

  it('Bounce (Permanent): bounced, permanent, with type and diagnostic code', () => {
    expect(outcomes('Bounce').outcomes).toEqual([
      { address: ADDRESS, status: 'bounced', at: '2017-08-05T00:41:02.669Z', diagnostic: 'Permanent/General: smtp; 550 5.1.1 user unknown', permanent: true },
    ]);
  });

  it('Bounce (Transient): bounced but not permanent', () => {
    const doc = forMessage('Bounce', KEY, ADDRESS) as { bounce: { bounceType: string } };
    doc.bounce.bounceType = 'Transient';
    expect(outcomesOf(sesEventSchema.parse(doc)).outcomes[0]).toMatchObject({ status: 'bounced', permanent: false });
  });

  it('Complaint: complained, permanent, with the feedback type', () => {
    expect(outcomes('Complaint').outcomes).toEqual([
      { address: ADDRESS, status: 'complained', at: '2017-08-05T00:41:02.669Z', diagnostic: 'complaint: abuse', permanent: true },
    ]);
  });

  it('Reject: every destination rejected, with the reason', () => {
    expect(outcomes('Reject').outcomes).toEqual([
      { address: ADDRESS, status: 'rejected', at: '2016-10-14T17:38:15.211Z', diagnostic: 'rejected: Bad content', permanent: false },
    ]);
  });

  it('Rendering Failure: rejected (never sent), with the error message', () => {
    expect(outcomes('Rendering Failure').outcomes).toEqual([
      {
        address: ADDRESS,
        status: 'rejected',
        at: '2018-01-22T18:43:06.197Z',
        diagnostic: "rendering failure: Attribute 'attributeName' is not present in the rendering data.",
        permanent: false,
      },
    ]);
  });

  it('DeliveryDelay: delayed, with the delay type and diagnostic', () => {
    expect(outcomes('DeliveryDelay').outcomes).toEqual([
      {
        address: ADDRESS,
        status: 'delayed',
        at: '2020-06-16T00:25:40.095Z',
        diagnostic: 'TransientCommunicationFailure: smtp; 421 4.4.1 Unable to connect to remote host',
        permanent: false,
      },
    ]);
  });

  it('an email without our tag has no message key', () => {
    expect(outcomesOf(sesEventSchema.parse(SES_DOCUMENTS.Delivery)).messageKey).toBeUndefined();
  });

  it('Open and Click are not delivery events', () => {
    expect(sesEventSchema.safeParse({ ...SES_DOCUMENTS.Delivery, eventType: 'Open' }).success).toBe(false);
  });
});

describe('the message-key tag', () => {
  it.each([KEY, 'zg-2024#-#submit-registration@v3#registration-received', 'a_b#ü', 'plain-key'])('round-trips %s within the SES tag alphabet', (key) => {
    const value = encodeTagValue(key);
    expect(value).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeTagValue(value)).toBe(key);
  });

  it('refuses values that are not encodings', () => {
    expect(decodeTagValue('msr_2')).toBeUndefined();
    expect(decodeTagValue('a_zz')).toBeUndefined();
    expect(decodeTagValue('a.b')).toBeUndefined();
  });
});

describe('precedence', () => {
  it('a delivery replaces a delay, never a bounce; a complaint replaces a delivery', () => {
    expect(outranks('delivered', 'delayed')).toBe(true);
    expect(outranks('delivered', 'bounced')).toBe(false);
    expect(outranks('complained', 'delivered')).toBe(true);
    expect(outranks('delayed', 'delivered')).toBe(false);
    expect(outranks('delivered', 'delivered')).toBe(false);
    expect(outranks('accepted', undefined)).toBe(true);
  });
});
