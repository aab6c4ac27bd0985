import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { RECORDED_SES_EVENT_TYPES, SES_DETAIL_TYPES, type SesEventType } from '../../../functions/delivery/ses-events.ts';
import { deliveryKey, unreportedDeliveries } from '../../../functions/domain/messages.ts';
import { createDeliveryEventsHandler } from '../../../functions/handlers/delivery-events.ts';
import { keys } from '../../../functions/store/keys.ts';
import { createStore } from '../../../functions/store/index.ts';
import { aMessage, aProvider, T0 } from '../../support/factories.ts';
import { eventBridgeEvent, forMessage } from '../../support/ses-event-documents.ts';

const docMock = mockClient(DynamoDBDocumentClient);
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ENV = { TABLE_NAME: 't', PURCHASERS_EMAIL: 'inkoop@zorgverzekeraar.example' };
const provider = aProvider();
const contact = provider.contacts[0];
const message = {
  ...aMessage({ agb: provider.agb, recipients: [{ role: 'signatory', address: contact.email, contactId: contact.id }] }),
  status: 'sent',
  attempts: 1,
  createdAt: T0,
  updatedAt: T0,
  deliveries: unreportedDeliveries([{ address: contact.email }]),
};
const item = { ...message, ...keys.message(message.key) };
/** DynamoDB refusing the update's condition, with the item as it was (ReturnValuesOnConditionCheckFailure ALL_OLD), if there is one. */
const refused = (old?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, ...(old ? { Item: marshall(old, { removeUndefinedValues: true }) } : {}) });
const silent = { info: () => {}, warn: () => {}, error: () => {} };

let clock: VirtualClock;
const make = () => {
  const store = createStore({ client: doc, tableName: 't', clock });
  return createDeliveryEventsHandler({ store, clock, purchasersEmail: ENV.PURCHASERS_EMAIL, logger: silent });
};
const eventOf = (type: SesEventType, address = contact.email) => eventBridgeEvent(SES_DETAIL_TYPES[type], forMessage(type, message.key, address));

beforeEach(() => {
  docMock.reset();
  clock = new VirtualClock('2020-06-02T07:00:00Z');
  docMock.on(GetCommand, { Key: keys.provider(provider.agb) }).resolves({ Item: { ...provider, ...keys.provider(provider.agb) } });
  docMock.on(UpdateCommand).resolves({ Attributes: item });
  docMock.on(TransactWriteCommand).resolves({});
  vi.stubEnv('LOG_LEVEL', 'SILENT');
});
afterEach(() => vi.unstubAllEnvs());

const recorded = () =>
  docMock
    .commandCalls(UpdateCommand)
    .map((c) => c.args[0].input)
    .filter((i) => i.UpdateExpression?.startsWith('SET deliveries.'));
const messageReads = () => docMock.commandCalls(GetCommand).filter((c) => c.args[0].input.Key?.pk === keys.message(message.key).pk);

describe('delivery-events handler: one SES event of each type', () => {
  const expected: Record<Exclude<SesEventType, 'Send'>, { status: string; permanent?: boolean }> = {
    Delivery: { status: 'delivered' },
    Bounce: { status: 'bounced', permanent: true },
    Complaint: { status: 'complained', permanent: true },
    Reject: { status: 'rejected' },
    'Rendering Failure': { status: 'rejected' },
    DeliveryDelay: { status: 'delayed' },
  };

  it.each(RECORDED_SES_EVENT_TYPES)('%s: recorded on the tagged message, for its recipient, in one conditional update and no read', async (type) => {
    const result = await make()(eventOf(type));

    expect(result).toMatchObject({ outcome: 'done', eventType: type, messageKey: message.key, recorded: 1 });
    expect(recorded()).toHaveLength(1);
    const [update] = recorded();
    expect(update.Key).toEqual(keys.message(message.key));
    // The entry is keyed by a hash of the address: no address in an attribute name.
    expect(update.ExpressionAttributeNames).toEqual({ '#e0': deliveryKey(contact.email), '#rank': 'rank' });
    expect(JSON.stringify(update.ExpressionAttributeNames)).not.toContain('@');
    expect(update.UpdateExpression).toBe('SET deliveries.#e0 = :d0');
    expect(update.ExpressionAttributeValues?.[':d0']).toMatchObject({ status: expected[type as keyof typeof expected].status });
    expect(update.ConditionExpression).toBe('deliveries.#e0.#rank < :r0');
    expect(update).toMatchObject({ ReturnValues: 'ALL_NEW', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
    expect(messageReads()).toHaveLength(0);
    // Only a hard bounce or a complaint touches the provider's contacts.
    const contactWrites = docMock.commandCalls(TransactWriteCommand).length;
    expect(contactWrites > 0).toBe(!!expected[type as keyof typeof expected].permanent);
  });

  it('a Send event (no longer published to us) is ignored: nothing read or written', async () => {
    expect(await make()(eventOf('Send'))).toMatchObject({ outcome: 'ignored' });
    expect(docMock.calls()).toHaveLength(0);
  });

  it('a hard bounce marks the contact undeliverable on the profile and its care-type copies', async () => {
    await make()(eventOf('Bounce'));
    const [write] = docMock.commandCalls(TransactWriteCommand).map((c) => c.args[0].input);
    const puts = write.TransactItems!.map((i) => i.Put!);
    expect(puts.map((p) => p.Item!.pk)).toEqual([keys.provider(provider.agb).pk, ...provider.careTypes.map((c) => keys.careTypeMember(c, provider.agb).pk)]);
    expect(puts[0].ConditionExpression).toBe('attribute_not_exists(revision) AND updatedAt = :prev');
    expect(puts[0].Item!.revision).toBe(1);
    for (const put of puts) {
      expect(put.Item!.contacts[0].undeliverable).toMatchObject({ status: 'bounced', messageKey: message.key, diagnostic: 'Permanent/General: smtp; 550 5.1.1 user unknown' });
      expect(put.Item!.contacts[1].undeliverable).toBeUndefined();
    }
  });

  it('an event for an address that is not a recipient is refused by the condition: nothing recorded, nobody marked', async () => {
    docMock.on(UpdateCommand, { Key: keys.message(message.key) }).rejects(refused(item));
    const result = await make()(eventOf('Bounce', 'someone-else@example.org'));
    expect(result).toMatchObject({ outcome: 'done', recorded: 0, unchanged: 0, undeliverable: 0 });
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(messageReads()).toHaveLength(0);
  });

  it('a repeated hard bounce (outranked: refused) still finishes marking the contact, with the message the refusal returned', async () => {
    const bounced = { ...item, deliveries: { [deliveryKey(contact.email)]: { rank: 3, status: 'bounced', at: T0, permanent: true } } };
    docMock.on(UpdateCommand, { Key: keys.message(message.key) }).rejects(refused(bounced));
    const result = await make()(eventOf('Bounce'));
    expect(result).toMatchObject({ outcome: 'done', recorded: 0, unchanged: 1, undeliverable: 1 });
    expect(recorded()).toHaveLength(1); // no second round: the only outcome is outranked
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
    expect(messageReads()).toHaveLength(0);
  });

  it('an event without our tag, or for an unknown message, is reported unmatched and writes nothing', async () => {
    const untagged = eventBridgeEvent('Email Delivered', { ...forMessage('Delivery', message.key, contact.email), mail: { messageId: 'x', timestamp: T0, destination: [] } });
    expect(await make()(untagged)).toMatchObject({ outcome: 'unmatched', reason: 'no message-key tag' });
    expect(docMock.commandCalls(UpdateCommand)).toHaveLength(0);
    docMock.on(UpdateCommand, { Key: keys.message('gone') }).rejects(refused());
    expect(await make()(eventBridgeEvent('Email Bounced', forMessage('Bounce', 'gone', contact.email)))).toMatchObject({ outcome: 'unmatched', reason: 'no such message' });
    expect(docMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses what is not an SES event from EventBridge, and a missing purchasers address', async () => {
    await expect(make()({ source: 'schedule' })).rejects.toThrow();
    vi.stubEnv('TABLE_NAME', 't');
    await expect(createDeliveryEventsHandler()(eventOf('Delivery'))).rejects.toMatchObject({ name: 'ConfigurationError', message: 'Environment variable PURCHASERS_EMAIL not set' });
    vi.stubEnv('PURCHASERS_EMAIL', 'inkoop');
    await expect(createDeliveryEventsHandler()(eventOf('Delivery'))).rejects.toThrow(/PURCHASERS_EMAIL invalid/);
    expect(docMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });
});
