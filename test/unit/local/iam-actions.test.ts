import { describe, expect, it } from 'vitest';
import { asFunction, currentFunction, functionOfEntry, grantedActions, iamActionsOf } from '../../../functions/local/iam-actions.ts';

describe('iamActionsOf', () => {
  it('names the item action of a plain request', () => {
    expect(iamActionsOf('GetItem', { TableName: 't' })).toEqual(['dynamodb:GetItem']);
    expect(iamActionsOf('BatchGetItem', { RequestItems: {} })).toEqual(['dynamodb:BatchGetItem']);
  });

  it('tells a table query from an index query', () => {
    expect(iamActionsOf('Query', { TableName: 't' })).toEqual(['dynamodb:Query']);
    expect(iamActionsOf('Query', { TableName: 't', IndexName: 'gsi2' })).toEqual(['dynamodb:Query index/gsi2']);
  });

  it('authorises a transaction per part, as IAM does', () => {
    const parts = [{ Put: {} }, { Update: {} }, { Delete: {} }, { ConditionCheck: {} }];
    expect(iamActionsOf('TransactWriteItems', { TransactItems: parts })).toEqual([
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:ConditionCheckItem',
    ]);
  });
});

describe('running as a function', () => {
  it('attributes work, also after an await, and only inside', async () => {
    expect(currentFunction()).toBeUndefined();
    const seen = await asFunction('sendEmails', async () => {
      await new Promise((r) => setTimeout(r, 1));
      return currentFunction();
    });
    expect(seen).toBe('sendEmails');
    expect(currentFunction()).toBeUndefined();
  });

  it('finds the function that bundles a handler module', () => {
    expect(functionOfEntry('functions/handlers/send-emails.ts')).toBe('sendEmails');
    expect(functionOfEntry('functions/handlers/nope.ts')).toBeUndefined();
  });

  it('reads the grants of infra/permissions.ts in the same form', () => {
    const granted = grantedActions('runMilestone');
    expect(granted.has('dynamodb:PutItem')).toBe(true);
    expect(granted.has('dynamodb:Query index/gsi1')).toBe(true);
    expect(granted.has('dynamodb:DeleteItem')).toBe(false);
  });
});
