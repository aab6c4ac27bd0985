/**
 * Reachability of providers by email: their contacts' undeliverable marks
 * (on the profile and its care-type copies, which the milestones read), the
 * reachability item of a provider nobody can be reached at (sparse gsi3
 * `UNREACHABLE`, the dashboard's queue) and purchasers' address corrections.
 * Every write is conditional: the profile on its `updatedAt`, the reachability
 * item on its episode, so concurrent events never escalate twice.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isoNow } from '../commons/clock.ts';
import { ConflictError } from '../commons/errors.ts';
import { contactCorrectionSchema, providerSchema, reachabilitySchema, type Contact, type ContactCorrection, type Provider, type Reachability } from '../domain/model.ts';
import { cancellationCodes, clean, lostRace, queryAll, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, prefixes, withoutKeys } from './keys.ts';
import { revisionCondition } from './providers.ts';
import { INDEXES } from './table.ts';

const parseReachability = (item: Record<string, unknown>): Reachability => reachabilitySchema.parse(withoutKeys(item));
const parseCorrection = (item: Record<string, unknown>): ContactCorrection => contactCorrectionSchema.parse(withoutKeys(item));

export function reachabilityRepository(deps: StoreDeps) {
  const { doc, tableName: TableName, clock } = deps;

  /** The profile and its care-type copies with new contacts, conditional on the profile being as read. */
  function contactItems(previous: Provider, contacts: Contact[], at: string): { provider: Provider; items: TransactItem[] } {
    const provider = providerSchema.parse({ ...previous, contacts, updatedAt: at, revision: (previous.revision ?? 0) + 1 });
    return {
      provider,
      items: [
        {
          Put: {
            TableName,
            Item: clean({ ...provider, ...keys.provider(provider.agb), ...indexKeys.providerList(provider.agb) }),
            ...revisionCondition(previous),
          },
        },
        ...provider.careTypes.map((code) => ({ Put: { TableName, Item: clean({ ...provider, ...keys.careTypeMember(code, provider.agb) }) } })),
      ],
    };
  }

  async function transact(items: TransactItem[], what: string): Promise<void> {
    try {
      await doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      if (lostRace(cancellationCodes(error))) throw new ConflictError(`${what} changed meanwhile; try again`);
      throw error;
    }
  }

  const reachabilityItem = (r: Reachability) =>
    clean({ ...r, ...keys.reachability(r.agb), ...(r.status === 'unreachable' ? indexKeys.unreachable(r.since, r.agb) : {}) });

  return {
    async getReachability(agb: string): Promise<Reachability | undefined> {
      const out = await doc.send(new GetCommand({ TableName, Key: keys.reachability(agb), ConsistentRead: true }));
      return out.Item ? parseReachability(out.Item) : undefined;
    },

    /** Providers nobody can be reached at, longest first (sparse gsi3). */
    async listUnreachable(): Promise<Reachability[]> {
      return queryAll(
        deps,
        { IndexName: INDEXES.byMessageStatus.name, KeyConditionExpression: 'gsi3pk = :pk', ExpressionAttributeValues: { ':pk': indexKeys.unreachable('', '').gsi3pk } },
        parseReachability,
      );
    },

    /** Replaces a provider's contacts (profile and care-type copies); ConflictError when the profile changed since `previous`. */
    async putContacts(previous: Provider, contacts: Contact[]): Promise<Provider> {
      const { provider, items } = contactItems(previous, contacts, isoNow(clock));
      await transact(items, `Provider ${previous.agb}`);
      return provider;
    },

    /**
     * Opens an episode of unreachability with its escalation email, together:
     * only if none is open and the last one (if any) is the one the caller read.
     * Returns false when another writer opened it first.
     */
    async openUnreachable(reachability: Reachability, previousEpisode: number | undefined, escalation: TransactItem): Promise<boolean> {
      const condition =
        previousEpisode === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : {
              ConditionExpression: '#status = :resolved AND episode = :prev',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':resolved': 'resolved', ':prev': previousEpisode },
            };
      try {
        await transact([{ Put: { TableName, Item: reachabilityItem(reachability), ...condition } }, escalation], `Reachability of ${reachability.agb}`);
        return true;
      } catch (error) {
        if (error instanceof ConflictError) return false;
        throw error;
      }
    },

    /**
     * A purchaser's address correction, all or nothing: the contacts, the
     * correction record, the open episode resolved, and the email sent again.
     */
    async correctContact(input: {
      previous: Provider;
      contacts: Contact[];
      correction: Omit<ContactCorrection, 'at'>;
      reachability?: Reachability;
      resend?: TransactItem;
    }): Promise<{ provider: Provider; correction: ContactCorrection }> {
      const at = isoNow(clock);
      const { provider, items } = contactItems(input.previous, input.contacts, at);
      const correction = contactCorrectionSchema.parse({ ...input.correction, at });
      items.push({
        Put: { TableName, Item: clean({ ...correction, ...keys.contactCorrection(correction.agb, at, correction.newContactId) }), ConditionExpression: 'attribute_not_exists(pk)' },
      });
      const open = input.reachability?.status === 'unreachable' ? input.reachability : undefined;
      if (open) {
        items.push({
          Put: {
            TableName,
            Item: reachabilityItem({ ...open, status: 'resolved', resolvedAt: at, resolvedBy: correction.by }),
            ConditionExpression: '#status = :open AND episode = :episode',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':open': 'unreachable', ':episode': open.episode },
          },
        });
      }
      if (input.resend) items.push(input.resend);
      await transact(items, `Provider ${provider.agb}`);
      return { provider, correction };
    },

    /** A provider's address corrections, oldest first. */
    async listContactCorrections(agb: string): Promise<ContactCorrection[]> {
      return queryAll(
        deps,
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.provider(agb).pk, ':prefix': prefixes.contactCorrection },
        },
        parseCorrection,
      );
    },
  };
}
