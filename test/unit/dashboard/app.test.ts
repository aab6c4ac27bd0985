/**
 * The operator app (pages + API) over a fake service: the loopback session
 * guard, CSRF on every POST, the pages and their forms, assets, escaping.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../../functions/commons/logger.ts';
import type { HttpEvent, HttpResult } from '../../../functions/http/types.ts';
import { createOperatorApp, type OperatorApp } from '../../../functions/dashboard/app.ts';
import { CYCLE, aStatus, fakeService, type FakeService } from '../operators/fixtures.ts';

const TOKEN = 'a-session-token-of-more-than-32-characters-0123456789';
const HOST = '127.0.0.1:4321';
const COOKIE = `inkoop_dashboard_4321=${TOKEN}`;

interface Init {
  query?: Record<string, string>;
  cookie?: string | null;
  headers?: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
}

function req(method: string, path: string, init: Init = {}): HttpEvent {
  const body = init.form ? new URLSearchParams(init.form).toString() : init.json !== undefined ? JSON.stringify(init.json) : undefined;
  const contentType = init.form ? 'application/x-www-form-urlencoded' : init.json !== undefined ? 'application/json' : undefined;
  const cookie = init.cookie === undefined ? COOKIE : init.cookie;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: new URLSearchParams(init.query ?? {}).toString(),
    ...(cookie ? { cookies: [cookie] } : {}),
    headers: { host: HOST, ...(contentType ? { 'content-type': contentType } : {}), ...init.headers },
    queryStringParameters: init.query,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: HOST,
      domainPrefix: '127',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'r',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    // Form posts arrive base64-encoded, as from the node server.
    body: body === undefined ? undefined : init.form ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: !!init.form,
  };
}

let service: FakeService;
let app: OperatorApp;
let csrf: string;

beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => logger.setLogLevel('INFO'));
beforeEach(() => {
  service = fakeService(aStatus({ failed: 'agreement-available#notify' }));
  app = createOperatorApp({ service, sessionToken: TOKEN, actor: () => 'inkoper-anna' });
  csrf = app.session.csrf;
});

const text = (r: HttpResult): string => r.body ?? '';

describe('session guard', () => {
  it('the printed URL carries the token; opening it sets an HttpOnly, SameSite=Strict cookie and drops the token from the address', async () => {
    expect(app.entryUrl('http://127.0.0.1:4321')).toBe(`http://127.0.0.1:4321/?session=${TOKEN}`);
    const r = await app(req('GET', '/', { query: { session: TOKEN }, cookie: null }));
    expect(r.statusCode).toBe(303);
    expect(r.headers?.location).toBe('/');
    expect(r.cookies).toEqual([`inkoop_dashboard_4321=${TOKEN}; Path=/; HttpOnly; SameSite=Strict`]);
  });

  it('without the cookie, or with a wrong token, nothing is served: pages, API and assets', async () => {
    for (const path of ['/', `/cycles/${CYCLE}`, '/operator/cycles', '/assets/dashboard.js']) {
      expect((await app(req('GET', path, { cookie: null }))).statusCode, path).toBe(401);
      expect((await app(req('GET', path, { cookie: 'inkoop_dashboard_4321=guess' }))).statusCode, path).toBe(401);
    }
    expect((await app(req('GET', '/', { query: { session: 'wrong' }, cookie: null }))).statusCode).toBe(401);
    expect(service.calls).toEqual([]);
  });

  it('the API answers JSON errors, the pages HTML', async () => {
    const api = await app(req('GET', '/operator/cycles', { cookie: null }));
    expect(JSON.parse(text(api)).error.code).toBe('Unauthenticated');
    expect((await app(req('GET', '/', { cookie: null }))).headers?.['content-type']).toContain('text/html');
  });

  it('a Host that is not loopback is refused (DNS rebinding)', async () => {
    const r = await app(req('GET', '/', { headers: { host: 'evil.example:4321' } }));
    expect(r.statusCode).toBe(403);
  });

  it('a POST needs the CSRF token, in the form or the header, and a same-origin Origin', async () => {
    const form = { agb: '20001200', decision: 'eligible', reason: 'Voldoet aan alles' };
    expect((await app(req('POST', `/cycles/${CYCLE}/decisions`, { form }))).statusCode).toBe(403);
    expect((await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { ...form, csrf: 'nope' } }))).statusCode).toBe(403);
    expect((await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { ...form, csrf }, headers: { origin: 'http://evil.example' } }))).statusCode).toBe(403);
    expect((await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { ...form, csrf }, headers: { 'sec-fetch-site': 'cross-site' } }))).statusCode).toBe(403);
    expect((await app(req('POST', '/operator/clock/advance', { json: {} }))).statusCode).toBe(403);
    expect(service.calls.filter((c) => c.method === 'decide' || c.method === 'advanceClock')).toEqual([]);

    expect((await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { ...form, csrf }, headers: { origin: `http://${HOST}` } }))).statusCode).toBe(303);
    expect((await app(req('POST', '/operator/clock/advance', { json: {}, headers: { 'x-csrf-token': csrf } }))).statusCode).toBe(200);
  });
});

describe('pages', () => {
  it('overview: every cycle with its counts, polling /operator/cycles', async () => {
    const r = await app(req('GET', '/'));
    expect(r.statusCode).toBe(200);
    expect(r.headers?.['content-security-policy']).toContain("script-src 'self'");
    const page = text(r);
    expect(page).toContain('data-poll="/operator/cycles"');
    expect(page).toContain(`href="/cycles/${CYCLE}"`);
    expect(page).toMatch(/data-count="decisions">2</);
    expect(page).toContain('<script src="/assets/chart.umd.js" defer></script>');
    expect(page).toContain(`<meta name="csrf-token" content="${csrf}">`);
  });

  it('cycle: timeline and state charts, milestones with local and UTC times, the queue, failed milestones with retry', async () => {
    const page = text(await app(req('GET', `/cycles/${CYCLE}`)));
    expect(page).toContain('id="timeline-chart"');
    expect(page).toContain('id="states-chart"');
    expect(page).toContain(`data-poll="/operator/cycles/${CYCLE}" data-cycle="${CYCLE}"`);
    expect(page).toContain('2020-07-02 00:00 +02:00');
    expect(page).toContain('2020-07-01T22:00:00Z');
    expect(page).toMatch(/<tr data-decision="20001200">/);
    expect(page).toContain('name="decision" value="eligible"');
    expect(page).toContain('name="decision" value="not-eligible"');
    expect(page).toMatch(/name="reason" type="text" required minlength="3"/);
    expect(page).toContain(`action="/cycles/${CYCLE}/milestones/agreement-available/retry"`);
    expect(page).toContain('Lambda.Unknown: boom');
    expect(page).toContain(`<input type="hidden" name="csrf" value="${csrf}">`);
    expect(page).toContain('Advance to the next milestone');
  });

  it('recording a decision: posted with the local purchaser, then back to the queue with a notice', async () => {
    const r = await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { csrf, agb: '20001200', expectedVersion: '1', decision: 'not-eligible', reason: 'KvK-uittreksel ontbreekt' } }));
    expect(r.statusCode).toBe(303);
    expect(r.headers?.location).toBe(`/cycles/${CYCLE}?notice=decided&agb=20001200&decision=not-eligible#decisions`);
    expect(service.calls.find((c) => c.method === 'decide')?.args).toEqual([
      { cycleId: CYCLE, agb: '20001200' },
      { decision: 'not-eligible', reason: 'KvK-uittreksel ontbreekt', expectedVersion: 1 },
      'inkoper-anna',
    ]);
    const after = text(await app(req('GET', `/cycles/${CYCLE}`, { query: { notice: 'decided', agb: '20001200', decision: 'not-eligible' } })));
    expect(after).toContain('Decision recorded for 20001200: not-eligible.');
  });

  it('a decision without a reason: 400, the page again with the error beside that row’s field', async () => {
    const r = await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { csrf, agb: '20001200', expectedVersion: '1', decision: 'eligible', reason: ' ' } }));
    expect(r.statusCode).toBe(400);
    expect(text(r)).toContain('<span class="field-error" id="decision:20001200-reason-error">a reason of at least 3 characters</span>');
    expect(text(r)).toContain('aria-invalid="true" aria-describedby="decision:20001200-reason-error"');
    expect(service.calls.some((c) => c.method === 'decide')).toBe(false);
  });

  it('a refused decision: 409, the page with the reason on top', async () => {
    const r = await app(req('POST', `/cycles/${CYCLE}/decisions`, { form: { csrf, agb: '99999999', decision: 'eligible', reason: 'te laat ingediend' } }));
    expect(r.statusCode).toBe(409);
    expect(text(r)).toContain('<p class="alert" role="alert">Transition refused for 99999999');
  });

  it('answering a question: public or private must be chosen; then saved', async () => {
    const path = `/cycles/${CYCLE}/questions/q-1/answer`;
    const missing = await app(req('POST', path, { form: { csrf, text: 'Ja, ook daar.' } }));
    expect(missing.statusCode).toBe(400);
    expect(text(missing)).toContain('choose public or private');
    expect(text(missing)).toContain('Ja, ook daar.</textarea>');
    const ok = await app(req('POST', path, { form: { csrf, text: 'Ja, ook daar.', visibility: 'public' } }));
    expect(ok.statusCode).toBe(303);
    expect(service.calls.find((c) => c.method === 'answer')?.args).toEqual([{ cycleId: CYCLE, id: 'q-1' }, { text: 'Ja, ook daar.', public: true }, 'inkoper-anna']);
  });

  it('"Niet bereikbaar": the queue with a correction form per failed address; a correction is posted with the local purchaser, a bad one re-renders with the error', async () => {
    const page = text(await app(req('GET', '/unreachable')));
    expect(page).toContain('<a href="/unreachable">Niet bereikbaar</a>');
    expect(page).toContain('Zorg &amp; Co &lt;b&gt;');
    expect(page).toContain('bounce+x@simulator.amazonses.com: bounced');
    expect(page).toContain('action="/unreachable/20001200/correct"');
    const bad = await app(req('POST', '/unreachable/20001200/correct', { form: { csrf, contact: 'c-old', email: 'nieuw@praktijk.example', reason: ' ' } }));
    expect(bad.statusCode).toBe(400);
    expect(service.calls.map((c) => c.method)).not.toContain('correctContact');
    const ok = await app(req('POST', '/unreachable/20001200/correct', { form: { csrf, contact: 'c-old', email: 'nieuw@praktijk.example', reason: 'gebeld' } }));
    expect(ok.statusCode).toBe(303);
    expect(ok.headers?.location).toBe('/unreachable?notice=corrected&agb=20001200');
    expect(service.calls.find((c) => c.method === 'correctContact')?.args).toEqual(['20001200', { contact: 'c-old', email: 'nieuw@praktijk.example', reason: 'gebeld' }, 'inkoper-anna']);
  });

  it('retry and advance redirect back with a notice', async () => {
    const retry = await app(req('POST', `/cycles/${CYCLE}/milestones/agreement-available/retry`, { form: { csrf } }));
    expect(retry.headers?.location).toBe(`/cycles/${CYCLE}?notice=retried&milestone=agreement-available&execution=${CYCLE}-retry-1`);
    expect(service.calls.find((c) => c.method === 'retry')?.args).toEqual([CYCLE, 'agreement-available', 'inkoper-anna']);
    const advance = await app(req('POST', '/clock/advance', { form: { csrf, back: `/cycles/${CYCLE}` } }));
    expect(advance.headers?.location).toBe(`/cycles/${CYCLE}?notice=advanced&to=2020-07-20T07%3A00%3A00.000Z`);
    const offsite = await app(req('POST', '/clock/advance', { form: { csrf, back: '//evil.example/x' } }));
    expect(String(offsite.headers?.location).startsWith('/?')).toBe(true);
  });

  it('provider search escapes what it shows; an exact AGB code goes straight to the provider', async () => {
    const page = text(await app(req('GET', '/providers', { query: { q: 'Zorg' } })));
    expect(page).toContain('Zorg &amp; Co &lt;b&gt;');
    expect(page).not.toContain('<b>');
    const exact = await app(req('GET', '/providers', { query: { q: '12345678' } }));
    expect(exact.statusCode).toBe(303);
    expect(exact.headers?.location).toBe('/providers/12345678');
    expect((await app(req('GET', '/providers/12345678'))).statusCode).toBe(200);
    expect((await app(req('GET', '/providers/87654321'))).statusCode).toBe(404);
  });

  it('the email log passes its filters through and offers them again', async () => {
    const r = await app(req('GET', '/emails', { query: { cycle: CYCLE, status: 'failed', template: '' } }));
    expect(r.statusCode).toBe(200);
    expect(service.calls.find((c) => c.method === 'emails')?.args[0]).toEqual({ cycle: CYCLE, status: 'failed', limit: 200 });
    expect(text(r)).toContain('<option value="failed" selected>');
    const bad = await app(req('GET', '/emails', { query: { status: 'lost' } }));
    expect(bad.statusCode).toBe(400);
    expect(text(bad)).toContain('query.status');
  });
});

describe('assets', () => {
  it('serves Chart.js from node_modules and the dashboard script and style', async () => {
    const chart = await app(req('GET', '/assets/chart.umd.js'));
    expect(chart.statusCode).toBe(200);
    expect(chart.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect(text(chart)).toContain('Chart.js v4');
    expect(text(await app(req('GET', '/assets/dashboard.js')))).toContain('nowLine');
    expect((await app(req('GET', '/assets/dashboard.css'))).headers?.['content-type']).toBe('text/css; charset=utf-8');
    expect((await app(req('GET', '/assets/..%2Fpackage.json'))).statusCode).toBe(404);
  });
});
