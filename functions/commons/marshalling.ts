/**
 * How the document client writes JS values, for every client the store uses
 * (commons/clients.ts in Lambda, store/dynamo.ts over any DynamoDBClient):
 * undefined attributes are dropped, not refused.
 */
export const DOCUMENT_MARSHALL_OPTIONS = { removeUndefinedValues: true };
