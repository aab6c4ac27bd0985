/**
 * SES delivery events on the real local services: DynamoDB Local, and
 * aws-ses-v2-local whose sends are turned into the event records AWS publishes
 * (functions/local/ses-events.ts) and handed to the DeliveryEvents handler.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createReachability } from '../../../functions/delivery/reachability.ts';
import { SES_DETAIL_TYPES } from '../../../functions/delivery/ses-events.ts';
import { deliveryOf, messageKey } from '../../../functions/domain/messages.ts';
import type { MessageInput, Provider } from '../../../functions/domain/model.ts';
import { contactIdFor } from '../../../functions/domain/provider.ts';
import { createEmailSender } from '../../../functions/email/sender.ts';
import { createDeliveryEventsHandler } from '../../../functions/handlers/delivery-events.ts';
import { relaySesEvents, simulatorAddress, type SesEventRelay } from '../../../functions/local/ses-events.ts';
import { createLocalSesClient, startSesLocal, type SesLocal } from '../../../functions/local/ses-local.ts';
import { providerMessage } from '../../../functions/milestones/messages.ts';
import { storedEmails } from '../../../functions/local/runtime-mailbox.ts';
import type { Store } from '../../../functions/store/index.ts';
import { aContact, aCycle, aProviderContent } from '../../support/factories.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { eventBridgeEvent, forMessage } from '../../support/ses-event-documents.ts';
import { SAMPLES } from '../../unit/email/samples.ts';

const local = useDynamoDbLocal();
const PURCHASERS = 'inkoop@zorgverzekeraar.example';
const silent = { info: () => {}, warn: () => {}, error: () => {} };

let ses: SesLocal;
let client: SESv2Client;
let clock: VirtualClock;
let store: Store;
let relay: SesEventRelay;
let handle: ReturnType<typeof createDeliveryEventsHandler>;
const cycle = aCycle();

beforeAll(async () => {
  ses = await startSesLocal();
  client = createLocalSesClient(ses.endpoint);
});
afterAll(async () => {
  client?.destroy();
  await ses?.stop();
});

beforeEach(async () => {
  clock = new VirtualClock('2020-04-01T07:00:00Z');
  store = await local.freshStore(clock);
  await store.putCycle(cycle);
  handle = createDeliveryEventsHandler({ store, clock, purchasersEmail: PURCHASERS, logger: silent });
  // A fresh client per test: each carries one relay middleware.
  client?.destroy();
  client = createLocalSesClient(ses.endpoint);
  relay = relaySesEvents(client, clock, handle);
});

const sender = () =>
  createEmailSender({
    outbox: store,
    ses: client,
    clock,
    sleep: async () => {},
    config: { from: 'inkoop@zorgverzekeraar.example', ratePerSecond: 1000, maxAttempts: 1, batchSize: 50 },
    logger: silent,
  });

/** Sends what is queued and delivers the events SES would publish for it. */
async function sendAndDeliver(): Promise<void> {
  await sender().sendQueued();
  await relay.flush();
}

async function aProvider(emails: string[]): Promise<Provider> {
  const content = aProviderContent({ careTypes: [cycle.careType.code], contacts: emails.map((email, i) => aContact({ email, role: i === 0 ? 'signatory' : 'general' })) });
  return (await store.putProvider(content)).provider;
}

function notice(provider: Provider, cause = 'policy-publication#notify'): MessageInput {
  return {
    key: messageKey({ cycleId: cycle.id, agb: provider.agb, cause, template: 'policy-published' }),
    cycleId: cycle.id,
    agb: provider.agb,
    recipients: provider.contacts.filter((c) => !c.undeliverable).map((c) => ({ role: c.role, address: c.email, name: c.name, contactId: c.id })),
    template: 'policy-published',
    params: { ...SAMPLES['policy-published'], providerName: provider.name, agb: provider.agb },
  };
}

const escalations = async () => (await store.queryMessagesByStatus('queued')).items.filter((m) => m.template === 'unreachable-escalation');

describe('delivery status, recorded idempotently', () => {
  it('records the delivery of each recipient from the events of the local SES', async () => {
    const provider = await aProvider(['a@praktijk.example', 'b@praktijk.example']);
    await store.enqueueMessage(notice(provider));
    await sendAndDeliver();

    const message = await store.getMessage(notice(provider).key);
    expect(message && provider.contacts.map((c) => deliveryOf(message, c.email))).toEqual([
      { status: 'delivered', at: '2020-04-01T07:00:01.000Z', diagnostic: '250 2.6.0 Message received' },
      { status: 'delivered', at: '2020-04-01T07:00:01.000Z', diagnostic: '250 2.6.0 Message received' },
    ]);
    expect(relay.counts).toEqual({ Delivery: 1 });
  });

  it('the same event twice, a Delivery after a Bounce, or a delay after a delivery change nothing', async () => {
    const provider = await aProvider(['x@praktijk.example', 'y@praktijk.example']);
    const input = notice(provider);
    await store.enqueueMessage(input);
    await sendAndDeliver();
    const [x, y] = provider.contacts.map((c) => c.email);
    const event = (type: 'Bounce' | 'Delivery' | 'DeliveryDelay' | 'Complaint', address: string, timestamp: string) =>
      eventBridgeEvent(SES_DETAIL_TYPES[type], forMessage(type, input.key, address, { timestamp }));

    // x: bounced (after its delivery was recorded); a Delivery arriving later does not undo it.
    const bounce = event('Bounce', x, '2020-04-01T07:05:00.000Z');
    expect(await handle(bounce)).toMatchObject({ recorded: 1 });
    const afterBounce = await store.getMessage(input.key);
    expect(await handle(bounce)).toMatchObject({ recorded: 0, unchanged: 1 });
    expect(await handle(event('Delivery', x, '2020-04-01T07:06:00.000Z'))).toMatchObject({ recorded: 0, unchanged: 1 });
    expect(await store.getMessage(input.key)).toEqual(afterBounce);
    expect(deliveryOf(afterBounce!, x)).toEqual({ status: 'bounced', at: '2020-04-01T07:05:00.000Z', diagnostic: 'Permanent/General: smtp; 550 5.1.1 user unknown', permanent: true });

    // y: delivered; a late delay changes nothing, a complaint outranks the delivery.
    expect(await handle(event('DeliveryDelay', y, '2020-04-01T06:59:59.000Z'))).toMatchObject({ recorded: 0 });
    expect(await handle(event('Complaint', y, '2020-04-02T08:00:00.000Z'))).toMatchObject({ recorded: 1 });
    expect(deliveryOf((await store.getMessage(input.key))!, y)).toMatchObject({ status: 'complained', at: '2020-04-02T08:00:00.000Z' });

    // Both contacts undeliverable now: one escalation, however often the events come.
    await handle(bounce);
    await handle(event('Complaint', y, '2020-04-02T08:00:00.000Z'));
    expect(await escalations()).toHaveLength(1);
  });

  it('one event for several recipients: one outranked leaves the others recorded; a stranger\'s address and an unknown message write nothing', async () => {
    const provider = await aProvider(['p@praktijk.example', 'q@praktijk.example', 'r@praktijk.example']);
    const input = notice(provider);
    await store.enqueueMessage(input);
    await sender().sendQueued(); // no events handed over: this test hands its own
    const [p, q, r] = provider.contacts.map((c) => c.email);
    const delivered = (addresses: string[], timestamp: string) => {
      const doc = forMessage('Delivery', input.key, p, { timestamp }) as { delivery: Record<string, unknown> };
      return eventBridgeEvent(SES_DETAIL_TYPES.Delivery, { ...doc, delivery: { ...doc.delivery, recipients: addresses } });
    };

    expect(await handle(eventBridgeEvent(SES_DETAIL_TYPES.Bounce, forMessage('Bounce', input.key, q, { timestamp: '2020-04-01T07:01:00.000Z' })))).toMatchObject({ recorded: 1 });
    // p and r delivered, q's delivery outranked by its bounce: the first update is refused as a whole, the second writes p and r.
    expect(await handle(delivered([p, q, r], '2020-04-01T07:02:00.000Z'))).toMatchObject({ outcome: 'done', recorded: 2, unchanged: 1 });
    const message = (await store.getMessage(input.key))!;
    expect([p, q, r].map((a) => deliveryOf(message, a)?.status)).toEqual(['delivered', 'bounced', 'delivered']);
    // Case and spaces do not matter (SES may report the address as it was written).
    expect(await handle(delivered([` ${p.toUpperCase()}`], '2020-04-01T07:03:00.000Z'))).toMatchObject({ recorded: 0, unchanged: 1 });

    // Not a recipient: refused by the condition (no entry for that address), nothing written.
    expect(await handle(delivered(['vreemde@elders.example'], '2020-04-01T07:04:00.000Z'))).toMatchObject({ outcome: 'done', recorded: 0, unchanged: 0 });
    expect(await store.getMessage(input.key)).toEqual(message);
    // No such message: nothing created.
    expect(await handle(eventBridgeEvent(SES_DETAIL_TYPES.Delivery, forMessage('Delivery', `${input.key}-gone`, p)))).toMatchObject({ outcome: 'unmatched', reason: 'no such message' });
    expect(await store.getMessage(`${input.key}-gone`)).toBeUndefined();
  });

  it('events delivered concurrently for a provider\'s last two contacts escalate once', async () => {
    const provider = await aProvider([simulatorAddress('bounce', 'p1'), simulatorAddress('bounce', 'p2')]);
    const input = notice(provider);
    await store.enqueueMessage(input);
    await sender().sendQueued();
    const bounces = provider.contacts.map((c) => eventBridgeEvent('Email Bounced', forMessage('Bounce', input.key, c.email)));
    await Promise.all([...bounces, ...bounces].map((e) => handle(e)));
    expect(await escalations()).toHaveLength(1);
    const marked = await store.getProvider(provider.agb);
    expect(marked?.contacts.every((c) => c.undeliverable?.status === 'bounced')).toBe(true);
  });
});

describe('a provider with one bouncing contact', () => {
  it('is escalated once, listed as unreachable, and after a purchaser corrects the address the notice is delivered there exactly once', async () => {
    const bouncing = simulatorAddress('bounce', 'solo');
    const provider = await aProvider([bouncing]);
    const input = notice(provider);
    await store.enqueueMessage(input);
    await sendAndDeliver();

    // The bounce: the contact is undeliverable, the provider unreachable, the purchasers told once.
    const marked = await store.getProvider(provider.agb);
    expect(marked?.contacts[0].undeliverable).toMatchObject({ status: 'bounced', messageKey: input.key });
    const [escalation] = await escalations();
    expect(escalation).toMatchObject({ recipients: [{ role: 'purchaser', address: PURCHASERS }], params: { agb: provider.agb, providerName: provider.name, failed: [{ address: bouncing, status: 'bounced' }] } });
    expect((await store.listUnreachable()).map((r) => r.agb)).toEqual([provider.agb]);

    // A milestone's next notice finds nobody to send to (the undeliverable contact is left out).
    const { keyDates, ics, policyUrl } = SAMPLES['policy-published'];
    expect(providerMessage({ cycle, step: { stepId: 'reminder' } } as never, marked!, 'policy-published', { keyDates, ics, policyUrl })).toBeUndefined();

    // The escalation goes out (delivered) and the sender runs again: still one escalation, nothing to the bounced address.
    await sendAndDeliver();
    await sendAndDeliver();
    expect(await store.queryMessagesByStatus('queued')).toMatchObject({ items: [] });
    expect(storedEmails().filter((e) => e.destination.to.includes(PURCHASERS) && e.subject.includes(provider.agb))).toHaveLength(1);

    // A purchaser corrects the address.
    const corrected = 'nieuw@praktijk.example';
    const reach = createReachability({ store, clock, logger: silent });
    const result = await reach.correctAddress({ agb: provider.agb, contactId: provider.contacts[0].id, email: corrected, reason: 'gebeld: nieuw adres', by: 'inkoper-1' });
    expect(result).toMatchObject({ newContactId: contactIdFor(corrected), resolvedEpisode: 1 });
    expect(result.resent).toMatch(/~resend-/);
    await expect(reach.correctAddress({ agb: provider.agb, contactId: provider.contacts[0].id, email: corrected, reason: 'nog eens', by: 'inkoper-1' })).rejects.toThrow(/no contact/);
    expect(await store.listUnreachable()).toEqual([]);
    expect(await store.listContactCorrections(provider.agb)).toMatchObject([{ by: 'inkoper-1', reason: 'gebeld: nieuw adres', from: bouncing, to: corrected, resentKey: result.resent }]);

    await sendAndDeliver();
    await sendAndDeliver();
    const toNew = storedEmails().filter((e) => e.destination.to.includes(corrected));
    expect(toNew).toHaveLength(1);
    expect(toNew[0].subject).toBe(storedEmails().find((e) => e.destination.to.includes(bouncing))!.subject);
    const resent = await store.getMessage(result.resent!);
    expect(resent).toMatchObject({ status: 'sent', recipients: [{ address: corrected, contactId: contactIdFor(corrected) }] });
    expect(deliveryOf(resent!, corrected)).toMatchObject({ status: 'delivered' });
    expect((await store.getProvider(provider.agb))?.contacts).toEqual([{ ...provider.contacts[0], id: contactIdFor(corrected), email: corrected }]);
  });
});
