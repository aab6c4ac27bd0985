import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import { createStore } from '../../../functions/store/index.ts';
import { aMessage } from '../../support/factories.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(doc);
const clock = new VirtualClock('2020-06-01T10:00:00Z');
const store = createStore({ client: doc, tableName: 'tbl', clock });
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });

beforeEach(() => ddb.reset());

describe('outbox', () => {
  it('enqueues with a conditional put keyed by the idempotency key', async () => {
    ddb.on(PutCommand).resolves({});
    const msg = aMessage();
    expect(await store.enqueueMessage(msg)).toEqual({ created: true });
    expect(ddb.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: `MSG#${msg.key}`,
        sk: 'MSG',
        status: 'queued',
        attempts: 0,
        gsi3pk: 'MSGSTATUS#queued',
        gsi3sk: `2020-06-01T10:00:00.000Z#${msg.key}`,
        gsi2pk: `PROVIDER#${msg.agb}`,
      },
    });
  });

  it('reports an existing key as not created', async () => {
    ddb.on(PutCommand).rejects(conditionFailed());
    expect(await store.enqueueMessage(aMessage())).toEqual({ created: false });
  });

  it('enqueues a batch as one transaction of conditional puts', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await store.enqueueMessages([aMessage(), aMessage(), aMessage()])).toEqual({ created: 3, existing: 0 });
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items).toHaveLength(3);
    expect(items.every((i) => i.Put?.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('a key that exists is named by the cancelled transaction; the others go again in one more transaction', async () => {
    const messages = [aMessage(), aMessage(), aMessage()];
    ddb
      .on(TransactWriteCommand)
      .rejectsOnce(
        new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }),
      )
      .resolves({});
    expect(await store.enqueueMessages(messages)).toEqual({ created: 2, existing: 1 });
    const second = ddb.commandCalls(TransactWriteCommand)[1].args[0].input.TransactItems!;
    expect(second.map((i) => i.Put?.Item?.key)).toEqual([messages[0].key, messages[2].key]);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('falls back to one conditional put per message when the transaction is invalid', async () => {
    ddb.on(TransactWriteCommand).rejects(Object.assign(new Error('invalid'), { name: 'ValidationException' }));
    ddb.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed()).resolves({});
    expect(await store.enqueueMessages([aMessage(), aMessage(), aMessage()])).toEqual({ created: 2, existing: 1 });
    expect(ddb.commandCalls(PutCommand).every((c) => c.args[0].input.ConditionExpression === 'attribute_not_exists(pk)')).toBe(true);
  });

  it('claims only a queued (or abandoned) message', async () => {
    const item = { ...aMessage(), status: 'queued', attempts: 0, createdAt: '2020-06-01T09:00:00.000Z', updatedAt: '2020-06-01T09:00:00.000Z' };
    ddb.on(GetCommand).resolves({ Item: item });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...item, status: 'sending', attempts: 1 } });
    expect(await store.claimMessage(item.key)).toMatchObject({ status: 'sending', attempts: 1 });
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      ConditionExpression: '#status = :queued OR (#status = :sending AND claimedAt < :stale)',
      ExpressionAttributeValues: { ':stale': '2020-06-01T09:55:00.000Z', ':g3pk': 'MSGSTATUS#sending' },
    });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    expect(await store.claimMessage(item.key)).toBeUndefined();
  });

  it('marks a failure without storing addresses, and refuses to mark a message it does not send', async () => {
    const item = { ...aMessage(), status: 'sending', attempts: 1, createdAt: '2020-06-01T09:00:00.000Z', updatedAt: '2020-06-01T09:00:00.000Z' };
    ddb.on(GetCommand).resolves({ Item: item });
    ddb.on(UpdateCommand).resolves({ Attributes: { ...item, status: 'failed' } });
    await store.markMessageFailed(item.key, 'MessageRejected: Email address is not verified: anna@oost.example.nl');
    expect(ddb.commandCalls(UpdateCommand)[0].args[0].input.ExpressionAttributeValues).toMatchObject({
      ':error': 'MessageRejected: Email address is not verified: [email]',
      ':g3pk': 'MSGSTATUS#failed',
    });
    ddb.on(UpdateCommand).rejects(conditionFailed());
    await expect(store.markMessageSent(item.key, 'ses-1')).rejects.toBeInstanceOf(ConflictError);
  });
});
