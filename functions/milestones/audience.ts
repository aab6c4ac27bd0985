/**
 * "Every provider in the cycle": each provider of the care type (the policy
 * went to all of them) and each provider with an application in the cycle
 * (in any state, also one registered under another care type). Read a page at
 * a time: the care type's providers, then the applications state by state,
 * skipping providers the first source covered. Keys make a provider that
 * shows up twice get one email.
 */
import type { Application, Cycle, MessageInput, Provider } from '../domain/model.ts';
import { APPLICATION_STATES } from '../domain/states.ts';
import type { Page, PageOptions, Store } from '../store/index.ts';
import type { StepContext } from './context.ts';
import { enqueue, overApplications, overProviders, type Pass } from './passes.ts';

type AudienceStore = Pick<Store, 'listProvidersOfCareType' | 'queryApplicationsByState' | 'getProviders'>;

/** Providers of these applications that are not of the cycle's care type (the others are covered already). */
async function othersOf(store: AudienceStore, cycle: Pick<Cycle, 'careType'>, apps: readonly Application[]): Promise<Provider[]> {
  if (!apps.length) return [];
  const providers = await store.getProviders(apps.map((a) => a.agb));
  return [...providers.values()].filter((p) => !p.careTypes.includes(cycle.careType.code));
}

/** The audience as passes of a milestone: one message per provider from `make`. */
export function audiencePasses(name: string, make: (ctx: StepContext, provider: Provider) => MessageInput | undefined): Pass[] {
  const send = (ctx: StepContext, providers: readonly Provider[]) => enqueue(ctx, providers.flatMap((p) => make(ctx, p) ?? []));
  return [
    overProviders(`${name}: providers of the care type`, send),
    ...APPLICATION_STATES.map((state) =>
      overApplications(`${name}: other providers in ${state}`, state, async (ctx, apps) => send(ctx, await othersOf(ctx.store, ctx.cycle, apps))),
    ),
  ];
}

/** The whole audience, page by page, outside a milestone (e.g. an amendment from the CLI). */
export async function forEachInAudience(
  store: AudienceStore,
  cycle: Pick<Cycle, 'id' | 'careType'>,
  visit: (providers: Provider[]) => Promise<void>,
  options: { pageSize?: number } = {},
): Promise<number> {
  const limit = options.pageSize ?? 100;
  let count = 0;
  async function drain<T>(read: (page: PageOptions) => Promise<Page<T>>, toProviders: (items: T[]) => Promise<Provider[]>) {
    let cursor: string | null = null;
    do {
      const page: Page<T> = await read({ limit, cursor });
      const providers = await toProviders(page.items);
      if (providers.length) {
        count += providers.length;
        await visit(providers);
      }
      cursor = page.cursor;
    } while (cursor);
  }
  await drain((page) => store.listProvidersOfCareType(cycle.careType.code, page), async (items) => items);
  for (const state of APPLICATION_STATES) {
    await drain((page) => store.queryApplicationsByState(cycle.id, state, page), (apps) => othersOf(store, cycle, apps));
  }
  return count;
}
