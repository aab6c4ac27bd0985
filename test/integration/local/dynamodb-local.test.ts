import { describe, expect, it } from 'vitest';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { INDEXES } from '../../../functions/store/table.ts';

describe('DynamoDB Local launcher', () => {
  const local = useDynamoDbLocal();

  it('creates the table with every index of the shared definition', async () => {
    const name = await local.freshTable();
    const { Table } = await local.db.client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName).sort()).toEqual(
      Object.values(INDEXES).map((i) => i.name).sort(),
    );
  });
});
