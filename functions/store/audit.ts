/** The cycle's own audit trail: amendments of its calendar and milestone retries, numbered per cycle. */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isoNow } from '../commons/clock.ts';
import { ConflictError } from '../commons/errors.ts';
import { cycleAuditSchema, type CycleAudit, type CycleAuditInput } from '../domain/model.ts';
import { clean, isConditionFailed, queryAll, type StoreDeps } from './dynamo.ts';
import { keys, prefixes, withoutKeys } from './keys.ts';

const parseAudit = (item: Record<string, unknown>): CycleAudit => cycleAuditSchema.parse(withoutKeys(item));

export function cycleAuditRepository(deps: StoreDeps) {
  const { doc, tableName: TableName, clock } = deps;

  async function lastSeq(cycleId: string): Promise<number> {
    const out = await doc.send(
      new QueryCommand({
        TableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.cycle(cycleId).pk, ':prefix': prefixes.cycleAudit },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    return out.Items?.[0] ? parseAudit(out.Items[0]).seq : 0;
  }

  return {
    /** Appends an entry with the next number (a conditional put; a concurrent writer makes it take the one after). */
    async recordCycleAudit(cycleId: string, input: CycleAuditInput): Promise<CycleAudit> {
      for (let attempt = 0; attempt < 5; attempt++) {
        const seq = (await lastSeq(cycleId)) + 1;
        const entry = cycleAuditSchema.parse({ ...input, cycleId, seq, at: isoNow(clock) });
        try {
          await doc.send(
            new PutCommand({
              TableName,
              Item: clean({ ...entry, ...keys.cycleAudit(cycleId, seq) }),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
          return entry;
        } catch (error) {
          if (!isConditionFailed(error)) throw error;
        }
      }
      throw new ConflictError(`Could not record an audit entry for cycle ${cycleId}: too many concurrent writers`);
    },

    /** The cycle's audit trail, oldest first. */
    async listCycleAudit(cycleId: string): Promise<CycleAudit[]> {
      return queryAll(
        deps,
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.cycle(cycleId).pk, ':prefix': prefixes.cycleAudit },
          ConsistentRead: true,
        },
        parseAudit,
      );
    },
  };
}
