/**
 * Writes validated providers. All or nothing at the level that matters: the
 * whole file is validated before anything is written (./import.ts throws on
 * one bad row). Each provider is then written in one transaction with its
 * care-type memberships (new ones several providers per transaction) and unchanged providers are skipped, so re-importing the same
 * file writes nothing, and an interrupted import is completed by running it again.
 */
import type { ProviderContent } from '../domain/provider.ts';
import { sameContent } from '../domain/provider.ts';
import type { Store } from '../store/index.ts';
import { mapLimit } from '../store/dynamo.ts';

export interface ImportReport {
  providers: number;
  created: number;
  updated: number;
  unchanged: number;
  dryRun: boolean;
}

export async function importProviders(
  store: Pick<Store, 'getProviders' | 'putProvider'> & Partial<Pick<Store, 'putNewProviders'>>,
  providers: readonly ProviderContent[],
  options: { dryRun?: boolean; concurrency?: number } = {},
): Promise<ImportReport> {
  const existing = await store.getProviders(providers.map((p) => p.agb));
  const report: ImportReport = { providers: providers.length, created: 0, updated: 0, unchanged: 0, dryRun: !!options.dryRun };
  if (options.dryRun) {
    for (const p of providers) {
      const previous = existing.get(p.agb);
      report[!previous ? 'created' : sameContent(previous, p) ? 'unchanged' : 'updated']++;
    }
    return report;
  }
  // New providers several per transaction (each still whole); changed ones one by one, version-checked.
  const fresh = store.putNewProviders ? providers.filter((p) => !existing.has(p.agb)) : [];
  const rest = store.putNewProviders ? providers.filter((p) => existing.has(p.agb)) : providers;
  if (fresh.length) for (const { outcome } of await store.putNewProviders!(fresh)) report[outcome]++;
  const outcomes = await mapLimit(rest, options.concurrency ?? 8, async (p) => {
    const { outcome } = await store.putProvider(p, { previous: existing.get(p.agb) ?? null });
    return outcome;
  });
  for (const outcome of outcomes) report[outcome]++;
  return report;
}
