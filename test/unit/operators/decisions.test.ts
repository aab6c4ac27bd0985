/** A purchaser's decision: a transition of the table, with or without the application read already. */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import { recordDecision } from '../../../functions/operators/decisions.ts';
import { applicationItem } from '../../../functions/store/applications.ts';
import { createStore } from '../../../functions/store/index.ts';
import { anApplication } from '../../support/factories.ts';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const ddb = mockClient(doc);
const clock = new VirtualClock('2020-08-01T10:00:00Z');
const deps = { store: createStore({ client: doc, tableName: 'tbl', clock }), clock };
const app = anApplication({ cycleId: 'c1', agb: '12345678', track: 'new', state: 'under-review', version: 4 });
const input = { decision: 'eligible', reason: 'Voldoet aan de voorwaarden.', expectedVersion: 4 } as const;

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteCommand).resolves({});
  ddb.on(GetCommand).resolves({ Item: applicationItem(app) });
});

describe('recordDecision', () => {
  it('reads the application by its key, then moves it with the purchaser as actor', async () => {
    const out = await recordDecision(deps, { cycleId: 'c1', agb: app.agb }, input, 'inkoper-1');
    expect(out).toMatchObject({ state: 'eligible', version: 5, decision: 'eligible', by: 'inkoper-1' });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(1);
    const [put, event] = ddb.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(put.Put?.ExpressionAttributeValues).toEqual({ ':v': 4 });
    expect(event.Put?.Item).toMatchObject({ actor: { kind: 'purchaser', id: 'inkoper-1' }, reason: input.reason, trigger: { kind: 'purchaser', decision: 'eligible' } });
  });

  it('given the application just read, does not read it again; a stale one is a conflict', async () => {
    expect(await recordDecision(deps, app, input, 'inkoper-1')).toMatchObject({ state: 'eligible', version: 5 });
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
    await expect(recordDecision(deps, { ...app, version: 3 }, input, 'inkoper-1')).rejects.toBeInstanceOf(ConflictError);
    expect(ddb.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });
});
