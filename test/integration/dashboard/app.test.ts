/**
 * The operator app on the loopback node server over DynamoDB Local: the
 * session exchange and cookie, a purchaser's decision posted as a form (CSRF,
 * Origin), and the JSON API, through real HTTP.
 */
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { calendarSchema } from '../../../functions/calendar/schema.ts';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { logger } from '../../../functions/commons/logger.ts';
import { createCycleFromCalendar, triggers } from '../../../functions/domain/index.ts';
import { serveHandler, type RunningServer } from '../../../functions/http/node-server.ts';
import { createOperatorApp, type OperatorApp } from '../../../functions/dashboard/app.ts';
import type { Store } from '../../../functions/store/index.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { aProviderContent, actors } from '../../support/factories.ts';

const MSR = calendarSchema.parse(JSON.parse(readFileSync(new URL('../../../workflows/calendars/msr-2021.json', import.meta.url), 'utf8')));
const local = useDynamoDbLocal();

let store: Store;
let app: OperatorApp;
let server: RunningServer;
let agb: string;

beforeEach(async () => {
  logger.setLogLevel('SILENT');
  const clock = new VirtualClock('2020-06-01T10:00:00Z');
  store = await local.freshStore(clock);
  const { cycle, steps } = createCycleFromCalendar(MSR, { steps: buildTimeline(MSR), clock });
  await store.putCycle(cycle);
  await store.putSteps(cycle.id, steps);
  const { provider } = await store.putProvider(aProviderContent({ name: 'Revalidatie Noord', careTypes: ['msr'] }));
  agb = provider.agb;
  await store.createApplication({ cycleId: cycle.id, agb, track: 'new', providerName: provider.name, trigger: triggers.operator('register'), actor: actors.operator });
  await store.transition(cycle.id, agb, { trigger: triggers.provider('submit-registration'), actor: actors.provider(agb) });
  clock.advanceTo('2020-07-01T22:00:00Z');
  await store.transition(cycle.id, agb, { trigger: triggers.milestone('registration-window', 'closes'), actor: actors.system });

  app = createOperatorApp({ store, clock, executions: { describe: async () => undefined }, actor: () => 'inkoper-piet' });
  server = await serveHandler(app, { clock });
});

afterEach(async () => {
  await server?.close();
  logger.setLogLevel('INFO');
});

describe('the operator app over HTTP', () => {
  it('session URL → cookie → pages and API; a decision form post is recorded and audited', async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(401);

    const entry = await fetch(app.entryUrl(server.url), { redirect: 'manual' });
    expect(entry.status).toBe(303);
    const cookie = entry.headers.get('set-cookie')!.split(';')[0];
    expect(entry.headers.get('set-cookie')).toContain('HttpOnly; SameSite=Strict');

    const page = await fetch(`${server.url}/cycles/${MSR.id}`, { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<tr data-decision="${agb}">`);
    const csrf = /name="csrf-token" content="([^"]+)"/.exec(html)![1];

    const refused = await fetch(`${server.url}/cycles/${MSR.id}/decisions`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ agb, decision: 'eligible', reason: 'Voldoet' }),
      redirect: 'manual',
    });
    expect(refused.status).toBe(403);

    const posted = await fetch(`${server.url}/cycles/${MSR.id}/decisions`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, agb, expectedVersion: '3', decision: 'eligible', reason: 'Voldoet aan de minimumnormen' }),
      redirect: 'manual',
    });
    expect(posted.status).toBe(303);
    expect(posted.headers.get('location')).toBe(`/cycles/${MSR.id}?notice=decided&agb=${agb}&decision=eligible#decisions`);
    expect((await store.getApplication(MSR.id, agb))?.state).toBe('eligible');
    expect((await store.listEvents(MSR.id, agb)).at(-1)).toMatchObject({ actor: { kind: 'purchaser', id: 'inkoper-piet' }, reason: 'Voldoet aan de minimumnormen' });

    const api = await fetch(`${server.url}/operator/cycles/${MSR.id}`, { headers: { cookie } });
    expect(api.status).toBe(200);
    expect(((await api.json()) as { applications: { byState: object } }).applications.byState).toMatchObject({ eligible: 1, 'under-review': 0 });

    // The page the purchaser had open is stale now: its version is refused as a conflict.
    const stale = await fetch(`${server.url}/cycles/${MSR.id}/decisions`, {
      method: 'POST',
      headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, agb, expectedVersion: '3', decision: 'not-eligible', reason: 'Toch niet' }),
      redirect: 'manual',
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('is at version 4, not 3');
  });
});
