/**
 * One provider across all cycles: profile, applications with their full
 * audit trail, every email with its status, and its questions. And the
 * search that leads there, by AGB code or by name.
 */
import { z } from 'zod';
import { NotFoundError } from '../commons/errors.ts';
import { agbCode, type Provider } from '../domain/index.ts';
import type { OperatorDeps } from './deps.ts';
import { emailView, newestFirst } from './emails.ts';
import { questionView } from './questions.ts';
import { everyPage } from './reads.ts';
import type { ProviderHistoryView, ProviderMatch } from './views.ts';

export const providerSearchSchema = z.object({
  q: z.string('an AGB code or (part of) a name').trim().min(2, 'at least 2 characters').max(100),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ProviderSearch = z.input<typeof providerSearchSchema>;

const match = (p: Provider): ProviderMatch => ({ agb: p.agb, name: p.name, careTypes: p.careTypes });

/**
 * An 8-digit query is an AGB code (one Get); anything else matches names,
 * case-insensitively, over the provider list (gsi1, a Query paged to the end:
 * a few thousand providers).
 */
export async function searchProviders(deps: Pick<OperatorDeps, 'store'>, raw: ProviderSearch): Promise<ProviderMatch[]> {
  const { q, limit } = providerSearchSchema.parse(raw);
  if (agbCode.safeParse(q).success) {
    const p = await deps.store.getProvider(q);
    return p ? [match(p)] : [];
  }
  const needle = q.toLocaleLowerCase('nl');
  const all = await everyPage((page) => deps.store.listProviders(page));
  return all
    .filter((p) => p.name.toLocaleLowerCase('nl').includes(needle) || p.agb.startsWith(q))
    .slice(0, limit)
    .map(match);
}

export async function providerHistory(deps: Pick<OperatorDeps, 'store'>, agb: string): Promise<ProviderHistoryView> {
  const [provider, applications, messages, reachability, corrections] = await Promise.all([
    deps.store.getProvider(agb),
    deps.store.listApplicationsOfProvider(agb),
    deps.store.listMessagesOfProvider(agb),
    deps.store.getReachability(agb),
    deps.store.listContactCorrections(agb),
  ]);
  if (!provider && applications.length === 0) throw new NotFoundError(`No provider ${agb}`);
  const cycleIds = [...new Set(applications.map((a) => a.cycleId))];
  const [events, questions] = await Promise.all([
    Promise.all(applications.map((a) => deps.store.listEvents(a.cycleId, a.agb))),
    Promise.all(cycleIds.map((c) => deps.store.listQuestions(c))),
  ]);
  return {
    provider: provider
      ? {
          agb: provider.agb,
          kvk: provider.kvk,
          name: provider.name,
          careTypes: provider.careTypes,
          contacts: provider.contacts.map((c) => ({ id: c.id, name: c.name, role: c.role, email: c.email, ...(c.undeliverable ? { undeliverable: c.undeliverable } : {}) })),
          contracts: provider.contracts,
        }
      : null,
    applications: applications.map((a, i) => ({
      cycleId: a.cycleId,
      track: a.track,
      state: a.state,
      version: a.version,
      stateSince: a.stateSince,
      events: events[i].map((e) => ({
        version: e.version,
        from: e.from,
        to: e.to,
        trigger: e.trigger,
        actor: e.actor,
        ...(e.reason ? { reason: e.reason } : {}),
        at: e.at,
      })),
    })),
    emails: [...messages].sort(newestFirst).map(emailView),
    questions: questions
      .flat()
      .filter((q) => q.agb === agb)
      .map(questionView),
    reachability: reachability ?? null,
    corrections,
  };
}
