/**
 * The one DynamoDB table, defined once: the CDK stack (infra/) and the local
 * runtime and tests (DynamoDB Local) both build it from this definition.
 *
 * Key schema (single table):
 *
 * | item              | pk                      | sk                    | gsi1 (cycle by state; lists)          | gsi2 (provider history)                     | gsi3 (messages by status)              |
 * |-------------------|-------------------------|-----------------------|---------------------------------------|---------------------------------------------|----------------------------------------|
 * | cycle             | CYCLE#<cycleId>         | CYCLE                 | CYCLES / <createdAt>#<cycleId>        |                                             |                                        |
 * | milestone step    | CYCLE#<cycleId>         | STEP#<stepId>         |                                       |                                             |                                        |
 * | application       | CYCLE#<cycleId>         | APP#<agb>             | CYCLE#<cycleId>#STATE#<state> / <agb> | PROVIDER#<agb> / CYCLE#<cycleId>            |                                        |
 * | question          | CYCLE#<cycleId>         | QUESTION#<id>         |                                       | PROVIDER#<agb> / QUESTION#<cycleId>#<id>    |                                        |
 * | cycle audit       | CYCLE#<cycleId>         | AUDIT#<seq:6>         |                                       |                                             |                                        |
 * | provider          | PROVIDER#<agb>          | PROFILE               | PROVIDERS / <agb>                     |                                             |                                        |
 * | reachability      | PROVIDER#<agb>          | REACH                 |                                       |                                             | UNREACHABLE / <since>#<agb> (while so) |
 * | contact correction| PROVIDER#<agb>          | CONTACTFIX#<at>#<id>  |                                       |                                             |                                        |
 * | care-type member  | CARETYPE#<code>         | PROVIDER#<agb>        |                                       |                                             |                                        |
 * | event (audit)     | APP#<cycleId>#<agb>     | EVENT#<version:6>     |                                       |                                             |                                        |
 * | message (outbox)  | MSG#<idempotency key>   | MSG                   |                                       | PROVIDER#<agb> / MSG#<createdAt>#<key>      | MSGSTATUS#<status> / <createdAt>#<key> |
 *
 * A care-type member is a copy of the provider profile, written in the same
 * transaction, so a milestone reads the providers of its care type with a Query.
 * Key builders: ./keys.ts. Provider links are stored nowhere: a signed token
 * bound to its application's version (functions/domain/tokens.ts).
 *
 * The event's sort key is the application version it produced, so a transition's
 * event put is conditional on that key not existing: two writers from the same
 * version cannot both record an event. The fan-out of a milestone reads gsi1 only
 * (never a Scan).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
} as const;

export const INDEXES = {
  /** Applications of a cycle in one state: the milestone fan-out. */
  byCycleState: { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Everything of one provider across cycles and years: applications, questions, messages. */
  byProvider: { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
  /** Outbox messages by status (queued, sent, failed). */
  byMessageStatus: { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
} as const;

export const TTL_ATTRIBUTE = 'expiresAt';

export const DEFAULT_TABLE_NAME = 'inkoopkalender';

/** CreateTable input for DynamoDB Local and tests (the CDK stack maps the same constants). */
export function createTableInput(tableName = DEFAULT_TABLE_NAME): CreateTableCommandInput {
  const attrs = new Set<string>([TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey]);
  for (const index of Object.values(INDEXES)) {
    attrs.add(index.partitionKey);
    attrs.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attrs].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(INDEXES).map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
