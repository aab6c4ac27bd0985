import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, BatchGetCommand, GetCommand, TransactWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import { createStore } from '../../../functions/store/index.ts';
import { aProvider, aProviderContent } from '../../support/factories.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(doc);
const clock = new VirtualClock('2020-06-01T10:00:00Z');
const store = createStore({ client: doc, tableName: 'tbl', clock });

beforeEach(() => ddb.reset());

describe('providers', () => {
  it('creates the profile and one membership per care type in one transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const content = aProviderContent({ careTypes: ['msr', 'zg'] });
    const { outcome } = await store.putProvider(content, { previous: null });
    expect(outcome).toBe('created');
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items.map((i) => [i.Put?.Item?.pk, i.Put?.Item?.sk])).toEqual([
      [`PROVIDER#${content.agb}`, 'PROFILE'],
      ['CARETYPE#msr', `PROVIDER#${content.agb}`],
      ['CARETYPE#zg', `PROVIDER#${content.agb}`],
    ]);
    expect(items[0].Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
  });

  it('writes nothing for identical content', async () => {
    const previous = aProvider();
    expect((await store.putProvider(previous, { previous })).outcome).toBe('unchanged');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('updates conditionally and drops memberships of care types it left', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const previous = aProvider({ careTypes: ['msr', 'zg'] });
    await store.putProvider({ ...previous, careTypes: ['msr'] }, { previous });
    const items = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(items[0].Put).toMatchObject({ ConditionExpression: 'attribute_not_exists(revision) AND updatedAt = :prev', Item: { createdAt: previous.createdAt, updatedAt: '2020-06-01T10:00:00.000Z', revision: 1 } });
    expect(items.at(-1)?.Delete?.Key).toEqual({ pk: 'CARETYPE#zg', sk: `PROVIDER#${previous.agb}` });

    ddb.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'x', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }] }));
    await expect(store.putProvider({ ...previous, name: 'Nieuw' }, { previous })).rejects.toBeInstanceOf(ConflictError);
  });

  it('reads many profiles with BatchGet, retrying unprocessed keys', async () => {
    const [a, b] = [aProvider(), aProvider()];
    const item = (p: typeof a) => ({ ...p, pk: `PROVIDER#${p.agb}`, sk: 'PROFILE' });
    ddb
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { tbl: [item(a)] }, UnprocessedKeys: { tbl: { Keys: [{ pk: `PROVIDER#${b.agb}`, sk: 'PROFILE' }] } } })
      .resolves({ Responses: { tbl: [item(b)] } });
    const found = await store.getProviders([a.agb, b.agb, a.agb]);
    expect([...found.keys()].sort()).toEqual([a.agb, b.agb].sort());
    expect(ddb.commandCalls(BatchGetCommand)).toHaveLength(2);
  });

  it('lists the providers of a care type with a Query of its memberships', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.listProvidersOfCareType('msr', { limit: 10 });
    expect(ddb.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CARETYPE#msr' }, Limit: 10 });
  });
});

describe('steps', () => {
  const stepItem = { pk: 'CYCLE#c1', sk: 'STEP#s', cycleId: 'c1', stepId: 's', milestoneId: 'm', kind: 'policy-publication', phase: 'notify', localDate: '2020-04-01', at: '2020-04-01T07:00:00.000Z', status: 'done', attempts: 1 };

  it('moves a step only from the statuses that lead to the new one, with a new steps version on the cycle in the same transaction', async () => {
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(GetCommand).resolves({ Item: stepItem });
    expect(await store.updateStep('c1', 's', { status: 'done' })).toMatchObject({ stepId: 's', status: 'done' });
    const [step, cycle] = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(step.Update).toMatchObject({
      Key: { pk: 'CYCLE#c1', sk: 'STEP#s' },
      ConditionExpression: 'attribute_exists(pk) AND #status IN (:from0)',
      ExpressionAttributeValues: { ':from0': 'running', ':status': 'done' },
    });
    expect(cycle.Update).toMatchObject({ Key: { pk: 'CYCLE#c1', sk: 'CYCLE' }, UpdateExpression: 'SET #version = :version', ConditionExpression: 'attribute_exists(pk)' });
    expect(cycle.Update?.ExpressionAttributeValues?.[':version']).toEqual(expect.any(String));
  });

  it('a step that cannot move is a ConflictError naming where it is', async () => {
    ddb.on(TransactWriteCommand).rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {}, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] }));
    ddb.on(GetCommand).resolves({ Item: { ...stepItem, status: 'due' } });
    await expect(store.updateStep('c1', 's', { status: 'done' })).rejects.toMatchObject({ name: 'ConflictError', details: { from: 'due', to: 'done' } });
  });
});
