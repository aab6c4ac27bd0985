import { describe, expect, it } from 'vitest';
import { deliveryKey, deliveryOf, unreportedDeliveries } from '../../../functions/domain/messages.ts';
import { UNREPORTED_RANK, type Message } from '../../../functions/domain/model.ts';
import { contactIdFor } from '../../../functions/domain/provider.ts';

const A = 'Info@Praktijk.example';
const B = 'b@praktijk.example';
const queued = { status: 'queued', deliveries: unreportedDeliveries([{ address: A }, { address: B }]) } satisfies Partial<Message>;

describe('what SES reported per recipient', () => {
  it('keys an entry by a hash of the normalised address: the contact id, no address in the name', () => {
    expect(deliveryKey(` ${A.toUpperCase()} `)).toBe(deliveryKey(A.toLowerCase()));
    expect(deliveryKey(A)).toBe(contactIdFor(A));
    expect(deliveryKey(A)).toMatch(/^c-[0-9a-f]{16}$/);
    expect(Object.keys(queued.deliveries)).toEqual([deliveryKey(A), deliveryKey(B)]);
    expect(Object.values(queued.deliveries)).toEqual([{ rank: UNREPORTED_RANK }, { rank: UNREPORTED_RANK }]);
  });

  it('nothing before the send; accepted at the sent mark until an event says more; then the event', () => {
    expect(deliveryOf(queued, A)).toBeUndefined();
    const sent = { ...queued, status: 'sent', sentAt: '2020-04-01T07:00:00.000Z' } satisfies Partial<Message>;
    expect(deliveryOf(sent, A)).toEqual({ status: 'accepted', at: '2020-04-01T07:00:00.000Z' });
    const bounced = { ...sent, deliveries: { ...sent.deliveries, [deliveryKey(B)]: { rank: 3, status: 'bounced', at: '2020-04-01T07:00:01.000Z', diagnostic: 'Permanent/General', permanent: true } } } satisfies Partial<Message>;
    expect(deliveryOf(bounced, B.toUpperCase())).toEqual({ status: 'bounced', at: '2020-04-01T07:00:01.000Z', diagnostic: 'Permanent/General', permanent: true });
    expect(deliveryOf(bounced, A)).toEqual({ status: 'accepted', at: '2020-04-01T07:00:00.000Z' });
    expect(deliveryOf({ ...queued, status: 'failed' }, A)).toBeUndefined();
  });
});
