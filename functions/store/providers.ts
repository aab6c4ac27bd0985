/**
 * Providers. Besides its profile item, a provider has one membership item per
 * care type (a copy of the profile under CARETYPE#<code>), so a milestone can
 * read the providers of its care type with a Query, page by page.
 */
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isoNow } from '../commons/clock.ts';
import { ConflictError } from '../commons/errors.ts';
import { providerSchema, type Provider } from '../domain/model.ts';
import { providerContent, sameContent, type ProviderContent } from '../domain/provider.ts';
import { batchGetItems, cancellationCodes, clean, errorName, lostRace, mapLimit, queryPage, type PageOptions, type Page, type StoreDeps, type TransactItem } from './dynamo.ts';
import { indexKeys, keys, withoutKeys } from './keys.ts';
import { INDEXES } from './table.ts';

export const parseProvider = (item: Record<string, unknown>): Provider => providerSchema.parse(withoutKeys(item));

export type PutOutcome = 'created' | 'updated' | 'unchanged';

/** The profile is still the one read: same revision (or, for a profile without one, same `updatedAt` and still none). */
export const revisionCondition = (previous: Pick<Provider, 'revision' | 'updatedAt'>) =>
  previous.revision === undefined
    ? { ConditionExpression: 'attribute_not_exists(revision) AND updatedAt = :prev', ExpressionAttributeValues: { ':prev': previous.updatedAt } }
    : { ConditionExpression: 'revision = :rev', ExpressionAttributeValues: { ':rev': previous.revision } };

export function providerRepository(deps: StoreDeps) {
  const { doc, tableName: TableName, clock } = deps;

  async function getProvider(agb: string): Promise<Provider | undefined> {
    const out = await doc.send(new GetCommand({ TableName, Key: keys.provider(agb), ConsistentRead: true }));
    return out.Item ? parseProvider(out.Item) : undefined;
  }

  /**
   * Creates or updates a provider with its care-type memberships in one transaction.
   * Identical content writes nothing. Pass `previous` (null: known absent) to skip the read.
   */
  async function putProvider(content: ProviderContent, options: { previous?: Provider | null } = {}): Promise<{ outcome: PutOutcome; provider: Provider }> {
    const previous = options.previous === undefined ? await getProvider(content.agb) : (options.previous ?? undefined);
    if (previous && sameContent(previous, content)) return { outcome: 'unchanged', provider: previous };
    const at = isoNow(clock);
    const fresh = providerContent(content);
    // An import does not know which addresses bounced: a contact it keeps (same id, so same address) keeps its mark.
    const marks = new Map((previous?.contacts ?? []).filter((c) => c.undeliverable).map((c) => [c.id, c.undeliverable]));
    const contacts = fresh.contacts.map((c) => (marks.has(c.id) ? { ...c, undeliverable: marks.get(c.id) } : c));
    const provider = providerSchema.parse({ ...fresh, contacts, createdAt: previous?.createdAt ?? at, updatedAt: at, revision: (previous?.revision ?? 0) + 1 });
    const removed = (previous?.careTypes ?? []).filter((c) => !provider.careTypes.includes(c));
    try {
      await doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName,
                Item: clean({ ...provider, ...keys.provider(provider.agb), ...indexKeys.providerList(provider.agb) }),
                ...(previous ? revisionCondition(previous) : { ConditionExpression: 'attribute_not_exists(pk)' }),
              },
            },
            ...provider.careTypes.map((code) => ({
              Put: { TableName, Item: clean({ ...provider, ...keys.careTypeMember(code, provider.agb) }) },
            })),
            ...removed.map((code) => ({ Delete: { TableName, Key: keys.careTypeMember(code, provider.agb) } })),
          ],
        }),
      );
    } catch (error) {
      if (lostRace(cancellationCodes(error))) {
        throw new ConflictError(`Provider ${content.agb} was changed by someone else meanwhile; try again`, { agb: content.agb });
      }
      throw error;
    }
    return { outcome: previous ? 'updated' : 'created', provider };
  }

  return {
    getProvider,

    /** Profiles by AGB code; missing ones are left out. */
    async getProviders(agbs: readonly string[]): Promise<Map<string, Provider>> {
      const items = await batchGetItems(deps, [...new Set(agbs)].map(keys.provider));
      return new Map(items.map(parseProvider).map((p) => [p.agb, p]));
    },

    putProvider,

    /**
     * Creates providers that do not exist yet (an import's new ones), several
     * per TransactWriteItems: each provider's profile (conditional on its key
     * being new) and care-type memberships stand or fall together, as with
     * `putProvider`, in a fraction of the requests. A refused transaction (one
     * of them exists after all, a conflict) is done again provider by provider.
     */
    async putNewProviders(contents: readonly ProviderContent[]): Promise<{ outcome: PutOutcome; provider: Provider }[]> {
      const at = isoNow(clock);
      const built = contents.map((content) => {
        const provider = providerSchema.parse({ ...providerContent(content), createdAt: at, updatedAt: at });
        const items: TransactItem[] = [
          {
            Put: {
              TableName,
              Item: clean({ ...provider, ...keys.provider(provider.agb), ...indexKeys.providerList(provider.agb) }),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          ...provider.careTypes.map((code) => ({ Put: { TableName, Item: clean({ ...provider, ...keys.careTypeMember(code, provider.agb) }) } })),
        ];
        return { content, provider, items };
      });
      // Whole providers per transaction, at most 100 writes each.
      const chunks: (typeof built)[] = [];
      let size = 0;
      for (const b of built) {
        if (!chunks.length || size + b.items.length > 100) {
          chunks.push([]);
          size = 0;
        }
        chunks.at(-1)!.push(b);
        size += b.items.length;
      }
      const results = await mapLimit(chunks, 4, async (chunk) => {
        try {
          await doc.send(new TransactWriteCommand({ TransactItems: chunk.flatMap((b) => b.items) }));
          return chunk.map((b) => ({ outcome: 'created' as PutOutcome, provider: b.provider }));
        } catch (error) {
          if (!cancellationCodes(error) && errorName(error) !== 'ValidationException') throw error;
          return mapLimit(chunk, 8, (b) => putProvider(b.content, { previous: null }));
        }
      });
      return results.flat();
    },

    /** All providers by AGB code, a page at a time. */
    async listProviders(page: PageOptions = {}): Promise<Page<Provider>> {
      return queryPage(
        deps,
        { IndexName: INDEXES.byCycleState.name, KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': indexKeys.providerList('').gsi1pk } },
        parseProvider,
        page,
      );
    },

    /** Providers of one care type by AGB code, a page at a time (a milestone's invitation fan-out). */
    async listProvidersOfCareType(careType: string, page: PageOptions = {}): Promise<Page<Provider>> {
      return queryPage(
        deps,
        {
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.careTypeMember(careType, '').pk },
        },
        parseProvider,
        page,
      );
    },
  };
}
