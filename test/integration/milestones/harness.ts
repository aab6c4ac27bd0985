/**
 * Milestone work against DynamoDB Local: a cycle from a seed calendar, providers,
 * applications put straight into a state, the milestone activities on a
 * VirtualClock, publications in a temporary folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { Calendar, ProviderAction } from '../../../functions/calendar/schema.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycle } from '../../../functions/cycles/create.ts';
import type { Application, Contract, Cycle, Message, Provider, Step } from '../../../functions/domain/model.ts';
import { signatoryOf } from '../../../functions/domain/provider.ts';
import type { ApplicationState, Track } from '../../../functions/domain/states.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import { render } from '../../../functions/email/templates.ts';
import { createMilestoneActivities, type MilestoneActivities } from '../../../functions/milestones/activities.ts';
import { milestoneConfigSchema } from '../../../functions/milestones/config.ts';
import type { MilestoneDeps, MilestoneLogger } from '../../../functions/milestones/context.ts';
import { createFilePublicationStore, type PublicationStore } from '../../../functions/publication/store.ts';
import { applicationItem } from '../../../functions/store/applications.ts';
import { createStore, type Store } from '../../../functions/store/index.ts';
import { aProviderContent, trackFor } from '../../support/factories.ts';

export const LINKS_BASE_URL = 'https://aanbieders.zorgverzekeraar.example';
export const PUBLICATIONS_URL = 'https://publicaties.zorgverzekeraar.example';

export const silent: MilestoneLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface World {
  store: Store;
  clock: VirtualClock;
  cycle: Cycle;
  deps: MilestoneDeps;
  acts: MilestoneActivities;
  publications: PublicationStore;
  publicationsDir: string;
  /** A provider of the cycle's care type (or others), stored. */
  provider(options?: { careTypes?: string[]; contracts?: Contract[]; name?: string }): Promise<Provider>;
  /** An application put straight into `state` (version 1, no events). */
  application(provider: Provider, state: ApplicationState, options?: { track?: Track; patch?: Partial<Application> }): Promise<Application>;
  step(stepId: string): Promise<Step>;
  /** Marks steps done (as the workflow would have). */
  markDone(...stepIds: string[]): Promise<void>;
  /**
   * Runs a step as the workflow does (running, pages, done) at its instant; returns the page results.
   * `runs: 2` runs every page twice between running and done, as a retried Lambda would.
   */
  runStep(stepId: string, options?: { at?: string | number; runs?: number }): Promise<{ pages: number; processed: number[] }>;
  /** The cycle's messages in the outbox, oldest first. */
  messages(): Promise<Message[]>;
  countByTemplate(): Promise<Record<string, number>>;
  stateOf(agb: string): Promise<ApplicationState | undefined>;
  /** The provider's signatory takes `action` on its application (as the link page would). */
  providerDoes(provider: Provider, action: ProviderAction): Promise<void>;
  close(): Promise<void>;
}

export async function makeWorld(
  client: Parameters<typeof createStore>[0]['client'],
  tableName: string,
  calendarId: string,
  options: { pageSize?: number; start?: string; calendar?: Calendar } = {},
): Promise<World> {
  const calendar = options.calendar ?? (await loadCalendar(calendarId));
  const clock = new VirtualClock(options.start ?? `${calendar.contract.firstYear - 1}-01-15T09:00:00Z`);
  const store = createStore({ client, tableName, clock });
  const { cycle } = await createCycle(store, calendar, clock);
  const publicationsDir = await mkdtemp(join(tmpdir(), 'inkoop-publications-'));
  const publications = createFilePublicationStore({ dir: publicationsDir, baseUrl: PUBLICATIONS_URL });
  const deps: MilestoneDeps = {
    store,
    clock,
    config: milestoneConfigSchema.parse({ linksBaseUrl: LINKS_BASE_URL, pageSize: options.pageSize }),
    publications,
    log: silent,
  };
  const acts = createMilestoneActivities(deps);
  const doc = DynamoDBDocumentClient.from(client as never, { marshallOptions: { removeUndefinedValues: true } });
  const at = () => new Date(clock.now()).toISOString();

  const world: World = {
    store,
    clock,
    cycle,
    deps,
    acts,
    publications,
    publicationsDir,
    async provider(o = {}) {
      const content = aProviderContent({ careTypes: o.careTypes ?? [cycle.careType.code], contracts: o.contracts ?? [], ...(o.name ? { name: o.name } : {}) });
      return (await store.putProvider(content, { previous: null })).provider;
    },
    async application(provider, state, o = {}) {
      const app: Application = {
        cycleId: cycle.id,
        agb: provider.agb,
        track: o.track ?? trackFor(state),
        state,
        version: 1,
        providerName: provider.name,
        createdAt: at(),
        updatedAt: at(),
        stateSince: at(),
        ...o.patch,
      };
      await doc.send(new PutCommand({ TableName: tableName, Item: applicationItem(app) }));
      return app;
    },
    async step(stepId) {
      const found = (await store.getSteps(cycle.id)).find((s) => s.stepId === stepId);
      if (!found) throw new Error(`no step ${stepId}`);
      return found;
    },
    async markDone(...stepIds) {
      for (const id of stepIds) {
        await store.updateStep(cycle.id, id, { status: 'running' });
        await store.updateStep(cycle.id, id, { status: 'done' });
      }
    },
    async runStep(stepId, o = {}) {
      const step = await world.step(stepId);
      clock.advanceTo(o.at ?? Date.parse(step.at) + 60_000);
      const start = await acts.recordMilestone({ cycleId: cycle.id, stepId, status: 'running' });
      const processed: number[] = [];
      for (let run = 0; run < (o.runs ?? 1); run++) {
        let page = start;
        while (page.more) {
          const out = await acts.runMilestone({ cycleId: cycle.id, stepId, cursor: page.cursor });
          processed.push(out.processed ?? 0);
          page = out;
        }
      }
      await acts.recordMilestone({ cycleId: cycle.id, stepId, status: 'done' });
      return { pages: processed.length, processed };
    },
    async messages() {
      const all: Message[] = [];
      for (const status of ['queued', 'sending', 'sent', 'failed'] as const) {
        let cursor: string | null = null;
        do {
          const page = await store.queryMessagesByStatus(status, { cursor });
          all.push(...page.items.filter((m) => m.cycleId === cycle.id));
          cursor = page.cursor;
        } while (cursor);
      }
      return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.key.localeCompare(b.key));
    },
    async countByTemplate() {
      const counts: Record<string, number> = {};
      for (const m of await world.messages()) counts[m.template] = (counts[m.template] ?? 0) + 1;
      return counts;
    },
    async stateOf(agb) {
      return (await store.getApplication(cycle.id, agb))?.state;
    },
    async providerDoes(provider, action) {
      const actor = { kind: 'provider' as const, agb: provider.agb, contactId: signatoryOf(provider)!.id };
      await store.transition(cycle.id, provider.agb, { trigger: triggers.provider(action), actor });
    },
    async close() {
      await rm(publicationsDir, { recursive: true, force: true });
    },
  };
  return world;
}

export { render };
export const withLinkUrl = (m: Message): Record<string, unknown> => (m.link ? { ...m.params, actionUrl: `${LINKS_BASE_URL}/l/token` } : m.params);

/** Every message in the outbox renders with its template (a link's URL stands in as the sender would set it). */
export async function expectEveryMessageRenders(w: World): Promise<void> {
  for (const m of await w.messages()) expect(() => render(m.template, withLinkUrl(m)), m.key).not.toThrow();
}
