/**
 * The link app against DynamoDB Local: a cycle from a seed calendar, providers,
 * applications driven into a state, links issued the way the sender issues them,
 * and requests as API Gateway sends them.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import type { Actor, Application, Cycle, Provider } from '../../../functions/domain/model.ts';
import { signatoryOf } from '../../../functions/domain/provider.ts';
import type { ApplicationState } from '../../../functions/domain/states.ts';
import { triggers } from '../../../functions/domain/transitions.ts';
import type { HttpEvent, HttpHandler, HttpResult } from '../../../functions/http/types.ts';
import { createProviderLinksApp } from '../../../functions/links/app.ts';
import { endOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import { createLinkIssuer } from '../../../functions/links/issue.ts';
import { issueToken } from '../../../functions/links/token.ts';
import type { LinkKeyProvider } from '../../../functions/links/keys.ts';
import type { LinkAction } from '../../../functions/domain/tokens.ts';
import { createStore, type Store } from '../../../functions/store/index.ts';
import { LocalUploadStore } from '../../../functions/uploads/local.ts';
import type { UploadLimits } from '../../../functions/uploads/types.ts';
import { aProviderContent } from '../../support/factories.ts';

export const KEY = new Uint8Array(32).fill(42);
export const keys: LinkKeyProvider = { getKey: async () => KEY };
export const BASE_URL = 'http://127.0.0.1:8787';

export interface Harness {
  store: Store;
  clock: VirtualClock;
  cycle: Cycle;
  app: HttpHandler;
  dataDir: string;
  issue(input: { agb: string; action: LinkAction; contactId: string; expiresAt?: number }): Promise<string>;
  /**
   * A submit-proposal token for the provider's general contact, validly signed but bound to `version`
   * as given (none: unbound), whatever the application is at: what `issue` never makes.
   */
  signedProposal(provider: Provider, version?: number): string;
  /** A provider with a signatory and a general contact, and its application in `state`. */
  providerIn(state: ApplicationState | 'none', track?: 'existing' | 'new'): Promise<{ provider: Provider; app?: Application }>;
  get(path: string): Promise<HttpResult>;
  post(path: string, body: string | Buffer, contentType?: string): Promise<HttpResult>;
  snapshot(agb: string): Promise<Snapshot>;
}

export interface Snapshot {
  version?: number;
  state?: ApplicationState;
  events: number;
  messages: number;
  questions: number;
}

export const generalContact = (p: Provider) => p.contacts.find((c) => c.role === 'general')!;
export const tokenOf = (url: string): string => url.slice(url.lastIndexOf('/l/') + 3);
export const form = (fields: Record<string, string | string[]>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const x of [v].flat()) p.append(k, x);
  return p.toString();
};

export async function createHarness(client: DynamoDBClient, tableName: string, options: { calendarId?: string; now?: string; uploadLimits?: UploadLimits } = {}): Promise<Harness> {
  const clock = new VirtualClock(options.now ?? '2020-06-15T10:00:00Z');
  const store = createStore({ client, tableName, clock });
  const calendar = await loadCalendar(options.calendarId ?? 'msr-2021');
  const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock });
  await store.putCycle(cycle);
  await store.putSteps(cycle.id, steps);
  const dataDir = await mkdtemp(join(tmpdir(), 'links-'));
  const uploads = new LocalUploadStore(dataDir, clock, options.uploadLimits);
  const linkIssuer = createLinkIssuer({ keys, baseUrl: BASE_URL, clock });
  const app = createProviderLinksApp({ store, clock, keys, uploads, linkIssuer, config: { baseUrl: BASE_URL } });

  const request = (method: string, path: string, body?: string | Buffer, contentType?: string): HttpEvent => {
    const [rawPath, rawQueryString = ''] = path.split('?');
    const bytes = body === undefined ? undefined : Buffer.from(body);
    return {
      version: '2.0',
      routeKey: '$default',
      rawPath,
      rawQueryString,
      headers: contentType ? { 'content-type': contentType } : {},
      queryStringParameters: rawQueryString ? Object.fromEntries(new URLSearchParams(rawQueryString)) : undefined,
      requestContext: {
        accountId: 'test',
        apiId: 'test',
        domainName: '127.0.0.1',
        domainPrefix: '127',
        http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
        requestId: 'req',
        routeKey: '$default',
        stage: '$default',
        time: '15/Jun/2020:10:00:00 +0000',
        timeEpoch: clock.now(),
      },
      body: bytes?.toString('base64'),
      isBase64Encoded: bytes !== undefined,
    };
  };

  const system: Actor = { kind: 'system' };
  const operator: Actor = { kind: 'operator', id: 'op-1' };

  async function providerIn(state: ApplicationState | 'none', track: 'existing' | 'new' = 'existing') {
    const content = aProviderContent({ careTypes: [cycle.careType.code] });
    const { provider } = await store.putProvider(content);
    if (state === 'none') return { provider };
    const as: Actor = { kind: 'provider', agb: provider.agb, contactId: signatoryOf(provider)!.id };
    const base = {
      cycleId: cycle.id,
      agb: provider.agb,
      providerName: provider.name,
      track,
      ...(track === 'new'
        ? { trigger: triggers.operator('register'), actor: operator }
        : { trigger: triggers.operator('invite'), actor: operator }),
    };
    let { application: app } = await store.createApplication(base);
    const move = async (to: ApplicationState, trigger: ReturnType<typeof triggers.provider>, actor: Actor = as) =>
      (app = await store.transition(app, { to, trigger, actor }));
    // Straight paths through the table for the msr-2021 calendar.
    const paths: Partial<Record<ApplicationState, () => Promise<unknown>>> = {
      invited: async () => {},
      'registration-started': async () => {},
      'registration-submitted': () => move('registration-submitted', triggers.provider('submit-registration')),
      'in-negotiation': () => move('in-negotiation', triggers.milestone('agreement-available', 'notify'), system),
      'proposal-submitted': async () => {
        await move('in-negotiation', triggers.milestone('agreement-available', 'notify'), system);
        await move('proposal-submitted', triggers.provider('submit-proposal'));
      },
      'agreement-reached': async () => {
        await move('in-negotiation', triggers.milestone('agreement-available', 'notify'), system);
        await move('proposal-submitted', triggers.provider('submit-proposal'));
        await move('agreement-reached', triggers.provider('accept-negotiation-agreement'));
      },
      withdrawn: () => move('withdrawn', triggers.operator('withdraw'), operator),
    };
    const path = paths[state];
    if (!path) throw new Error(`harness cannot reach ${state}`);
    await path();
    return { provider, app };
  }

  const endOfDeadline = (action: LinkAction): number => {
    const m = cycle.calendar.milestones.find((x) => x.action === action);
    const day = m?.closes ?? m?.date ?? '2020-12-31';
    return endOfDutchDay(day);
  };

  return {
    store,
    clock,
    cycle,
    app,
    dataDir,
    // As the sender does: bound to the application's version now (none without an application).
    issue: async ({ agb, action, contactId, expiresAt }) => {
      const version = (await store.getApplication(cycle.id, agb))?.version;
      return linkIssuer.issue({ cycleId: cycle.id, agb, action, contactId, expiresAt: expiresAt ?? endOfDeadline(action), ...(version !== undefined ? { version } : {}) });
    },
    signedProposal: (provider, version) =>
      issueToken(KEY, {
        cycleId: cycle.id,
        agb: provider.agb,
        action: 'submit-proposal',
        contactId: generalContact(provider).id,
        expiresAt: endOfDeadline('submit-proposal'),
        issuedAt: clock.now(),
        ...(version !== undefined ? { version } : {}),
      }).token,
    providerIn,
    get: (path) => app(request('GET', path)),
    post: (path, body, contentType = 'application/x-www-form-urlencoded') => app(request('POST', path, body, contentType)),
    async snapshot(agb) {
      const [app, events, messages] = await Promise.all([
        store.getApplication(cycle.id, agb),
        store.listEvents(cycle.id, agb),
        store.listMessagesOfProvider(agb),
      ]);
      const questions = (await store.listQuestions(cycle.id)).filter((q) => q.agb === agb).length;
      return { version: app?.version, state: app?.state, events: events.length, messages: messages.length, questions };
    },
  };
}

/** The visible text of a page, for assertions. */
export const text = (result: HttpResult): string =>
  String(result.body ?? '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

/** Path of a link URL. */
export const pathOf = (url: string): string => new URL(url).pathname;
