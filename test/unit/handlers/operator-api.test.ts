/**
 * The operator API Lambda over a fake OperatorService: every route, its input
 * validation (400 naming the fields), the IAM caller as the actor, and the
 * mapping of typed errors to statuses.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { logger } from '../../../functions/commons/logger.ts';
import { createOperatorApiHandler, iamCaller, iamPrincipal } from '../../../functions/handlers/operator-api.ts';
import type { RoleOf } from '../../../functions/operators/iam-roles.ts';
import { OPERATOR_ROUTES, pathOf, type OperatorRole } from '../../../functions/operators/routes.ts';
import type { HttpEvent, HttpResult } from '../../../functions/http/types.ts';
import { CYCLE, aStatus, fakeService, type FakeService } from '../operators/fixtures.ts';

const CALLER = 'arn:aws:iam::123456789012:user/inkoper-anna';
const VIEWER = 'arn:aws:sts::123456789012:assumed-role/InkoopViewer/piet@zorgverzekeraar.nl';
const PURCHASER = 'arn:aws:sts::123456789012:assumed-role/InkoopPurchaser/anna@zorgverzekeraar.nl';
/** The roles the IAM lookup would find (functions/operators/iam-roles.ts has its own test). */
const ROLES: Record<string, OperatorRole> = { [CALLER]: 'administrator', [VIEWER]: 'viewer', [PURCHASER]: 'purchaser' };
const roleOf: RoleOf = async (arn) => ROLES[arn];

function request(
  method: string,
  path: string,
  init: { body?: unknown; query?: Record<string, string>; headers?: Record<string, string>; iam?: boolean; caller?: string } = {},
): HttpEvent {
  const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  return {
    version: '2.0',
    routeKey: 'ANY /operator/{proxy+}',
    rawPath: path,
    rawQueryString: new URLSearchParams(init.query ?? {}).toString(),
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
    queryStringParameters: init.query,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '10.0.0.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: 'ANY /operator/{proxy+}',
      stage: '$default',
      time: '10/Jul/2020:08:00:00 +0000',
      timeEpoch: 0,
      ...(init.iam === false ? {} : { authorizer: { iam: { userArn: init.caller ?? CALLER, userId: 'AIDA', accountId: '123456789012' } } }),
    } as HttpEvent['requestContext'],
    body,
    isBase64Encoded: false,
  };
}

let service: FakeService;
let handle: (event: HttpEvent) => Promise<HttpResult>;
const json = (r: HttpResult) => JSON.parse(r.body ?? 'null');

// Refusals are logged at INFO by the edge; keep the test output readable.
beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => logger.setLogLevel('INFO'));

beforeEach(() => {
  service = fakeService(aStatus());
  handle = createOperatorApiHandler({ service, identify: iamCaller(roleOf) });
});

describe('reads', () => {
  it('GET /operator/cycles: every cycle status', async () => {
    const r = await handle(request('GET', '/operator/cycles'));
    expect(r.statusCode).toBe(200);
    expect(r.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    expect(json(r)[0].cycle.id).toBe(CYCLE);
  });

  it('GET /operator/cycles/:cycleId: one status; unknown cycle 404; bad id 400', async () => {
    expect(json(await handle(request('GET', `/operator/cycles/${CYCLE}`))).milestones).toHaveLength(8);
    const missing = await handle(request('GET', '/operator/cycles/zzz-2099'));
    expect(missing.statusCode).toBe(404);
    expect(json(missing).error).toEqual({ code: 'NotFound', message: 'No cycle zzz-2099' });
    const bad = await handle(request('GET', '/operator/cycles/NOT%20OK'));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues).toEqual([{ path: 'path.cycleId', message: expect.any(String) }]);
  });

  it('GET /operator/cycles/:cycleId/decisions: the queue', async () => {
    const r = await handle(request('GET', `/operator/cycles/${CYCLE}/decisions`));
    expect(r.statusCode).toBe(200);
    expect(json(r).applications).toHaveLength(2);
  });

  it('GET /operator/cycles/:cycleId/questions?status=open; a wrong status is a 400 on query.status', async () => {
    expect((await handle(request('GET', `/operator/cycles/${CYCLE}/questions`, { query: { status: 'open' } }))).statusCode).toBe(200);
    expect(service.calls.at(-1)).toEqual({ method: 'questions', args: [CYCLE, { status: 'open' }] });
    const bad = await handle(request('GET', `/operator/cycles/${CYCLE}/questions`, { query: { status: 'maybe' } }));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues.map((i: { path: string }) => i.path)).toEqual(['query.status']);
  });

  it('GET /operator/emails with filters, parsed and defaulted; bad filters name their fields', async () => {
    const r = await handle(request('GET', '/operator/emails', { query: { cycle: CYCLE, status: 'sent', template: 'eligibility-decision', agb: '12345678', limit: '20' } }));
    expect(r.statusCode).toBe(200);
    expect(service.calls.at(-1)?.args[0]).toEqual({ cycle: CYCLE, status: 'sent', template: 'eligibility-decision', agb: '12345678', limit: 20 });
    await handle(request('GET', '/operator/emails'));
    expect(service.calls.at(-1)?.args[0]).toEqual({ limit: 200 });
    const bad = await handle(request('GET', '/operator/emails', { query: { status: 'lost', agb: '123', limit: '0' } }));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['query.agb', 'query.limit', 'query.status']);
  });

  it('GET /operator/providers?q= searches; a query too short is a 400 on query.q', async () => {
    expect(json(await handle(request('GET', '/operator/providers', { query: { q: 'Zorg' } })))).toHaveLength(1);
    const bad = await handle(request('GET', '/operator/providers', { query: { q: 'Z' } }));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues[0].path).toBe('query.q');
    expect((await handle(request('GET', '/operator/providers'))).statusCode).toBe(400);
  });

  it('GET /operator/providers/:agb: the history; not an AGB code 400; unknown 404', async () => {
    expect((await handle(request('GET', '/operator/providers/12345678'))).statusCode).toBe(200);
    const bad = await handle(request('GET', '/operator/providers/1234'));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues).toEqual([{ path: 'path.agb', message: 'an AGB code of 8 digits' }]);
    expect((await handle(request('GET', '/operator/providers/87654321'))).statusCode).toBe(404);
  });

  it('GET /operator/clock', async () => {
    expect(json(await handle(request('GET', '/operator/clock')))).toMatchObject({ canAdvance: true, now: '2020-07-10T08:00:00.000Z' });
  });
});

describe('actions', () => {
  const decision = `/operator/cycles/${CYCLE}/applications/20001200/decision`;

  it('POST decision: parsed, recorded with the IAM caller as the purchaser', async () => {
    const r = await handle(request('POST', decision, { body: { decision: 'eligible', reason: '  Voldoet aan de voorwaarden  ', expectedVersion: 3 } }));
    expect(r.statusCode).toBe(200);
    expect(json(r)).toMatchObject({ state: 'eligible', by: CALLER, reason: 'Voldoet aan de voorwaarden' });
    expect(service.calls.at(-1)).toEqual({
      method: 'decide',
      args: [{ cycleId: CYCLE, agb: '20001200' }, { decision: 'eligible', reason: 'Voldoet aan de voorwaarden', expectedVersion: 3 }, CALLER],
    });
  });

  it('POST decision: a missing reason and an unknown decision are 400s naming body.reason and body.decision', async () => {
    const r = await handle(request('POST', decision, { body: { decision: 'perhaps' } }));
    expect(r.statusCode).toBe(400);
    expect(json(r).error).toMatchObject({ code: 'ValidationError' });
    expect(json(r).error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.decision', 'body.reason']);
    const short = await handle(request('POST', decision, { body: { decision: 'not-eligible', reason: ' x ' } }));
    expect(json(short).error.issues).toEqual([{ path: 'body.reason', message: 'a reason of at least 3 characters' }]);
    expect(service.calls.filter((c) => c.method === 'decide')).toHaveLength(0);
  });

  it('POST decision: bad AGB in the path 400; not JSON 415; broken JSON 400', async () => {
    expect((await handle(request('POST', `/operator/cycles/${CYCLE}/applications/abc/decision`, { body: { decision: 'eligible', reason: 'ok ok' } }))).statusCode).toBe(400);
    const form = await handle(request('POST', decision, { body: 'decision=eligible', headers: { 'content-type': 'application/x-www-form-urlencoded' } }));
    expect(form.statusCode).toBe(415);
    const broken = await handle(request('POST', decision, { body: '{"decision":' }));
    expect(broken.statusCode).toBe(400);
    expect(json(broken).error.issues).toEqual([{ path: 'body', message: 'not valid JSON' }]);
  });

  it('POST decision: a refused transition and a lost race are 409s with their codes', async () => {
    const refused = await handle(request('POST', `/operator/cycles/${CYCLE}/applications/99999999/decision`, { body: { decision: 'eligible', reason: 'te laat' } }));
    expect(refused.statusCode).toBe(409);
    expect(json(refused).error.code).toBe('TransitionRefused');
    const raced = await handle(request('POST', `/operator/cycles/${CYCLE}/applications/88888888/decision`, { body: { decision: 'eligible', reason: 'te laat' } }));
    expect(raced.statusCode).toBe(409);
    expect(json(raced).error.code).toBe('Conflict');
  });

  it('POST answer: public or private, by the IAM caller; public must be a boolean', async () => {
    const path = `/operator/cycles/${CYCLE}/questions/q-7/answer`;
    const r = await handle(request('POST', path, { body: { text: 'Ja, ook voor nevenlocaties.', public: true } }));
    expect(r.statusCode).toBe(200);
    expect(json(r)).toMatchObject({ id: 'q-7', status: 'answered', public: true, answer: { by: CALLER } });
    const bad = await handle(request('POST', path, { body: { text: '', public: 'yes' } }));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues.map((i: { path: string }) => i.path).sort()).toEqual(['body.public', 'body.text']);
  });

  it('POST retry: 202 with what the retry port answered; milestone ids are checked; no port 501', async () => {
    const r = await handle(request('POST', `/operator/cycles/${CYCLE}/milestones/agreement-available/retry`));
    expect(r.statusCode).toBe(202);
    expect(json(r)).toEqual({ cycleId: CYCLE, milestoneId: 'agreement-available', steps: ['agreement-available#notify'], executionName: `${CYCLE}-retry-1`, executionArn: null });
    expect(service.calls.at(-1)?.args).toEqual([CYCLE, 'agreement-available', CALLER]);
    expect((await handle(request('POST', `/operator/cycles/${CYCLE}/milestones/Bad!/retry`))).statusCode).toBe(400);
    expect((await handle(request('POST', `/operator/cycles/${CYCLE}/milestones/nope/retry`))).statusCode).toBe(501);
  });

  it('POST resume: 202 with what the resume port answered, the IAM caller acting; an unknown cycle 404', async () => {
    const r = await handle(request('POST', `/operator/cycles/${CYCLE}/resume`));
    expect(r.statusCode).toBe(202);
    expect(json(r)).toEqual({ cycleId: CYCLE, steps: ['registration#closes'], executionName: `${CYCLE}--resume-1`, executionArn: null });
    expect(service.calls.at(-1)).toEqual({ method: 'resume', args: [CYCLE, CALLER] });
    expect((await handle(request('POST', '/operator/cycles/nope-2021/resume'))).statusCode).toBe(404);
  });

  it('POST clock/advance', async () => {
    const r = await handle(request('POST', '/operator/clock/advance'));
    expect(r.statusCode).toBe(200);
    expect(json(r).moved).toEqual({ from: '2020-07-10T08:00:00.000Z', to: '2020-07-20T07:00:00.000Z' });
  });
});

describe('roles', () => {
  const decide = (caller: string) =>
    handle(request('POST', `/operator/cycles/${CYCLE}/applications/20001200/decision`, { body: { decision: 'eligible', reason: 'meets the criteria' }, caller }));

  it('a viewer may read but not decide: 403 naming the purchaser role, and nothing is done', async () => {
    expect((await handle(request('GET', `/operator/cycles/${CYCLE}`, { caller: VIEWER }))).statusCode).toBe(200);
    const r = await decide(VIEWER);
    expect(r.statusCode).toBe(403);
    expect(json(r).error.code).toBe('Forbidden');
    expect(json(r).error.message).toContain('you need the purchaser role');
    expect(json(r).error.message).toContain('OperatorPurchaserPolicyArn');
    expect(service.calls.map((c) => c.method)).not.toContain('decide');
  });

  it('a purchaser decides, recorded as the IAM principal (its ARN, with the role session name), but may not retry', async () => {
    const r = await decide(PURCHASER);
    expect(r.statusCode).toBe(200);
    expect(service.calls.at(-1)).toEqual({ method: 'decide', args: [{ cycleId: CYCLE, agb: '20001200' }, expect.anything(), PURCHASER] });
    expect(json(r).by).toBe('arn:aws:sts::123456789012:assumed-role/InkoopPurchaser/anna@zorgverzekeraar.nl');
    const retry = await handle(request('POST', `/operator/cycles/${CYCLE}/milestones/registration/retry`, { caller: PURCHASER }));
    expect(retry.statusCode).toBe(403);
    expect(json(retry).error.message).toContain('you need the administrator role');
  });

  it("a purchaser corrects a contact's address (the address in the body, never the path); a viewer may only see the queue", async () => {
    const body = { contact: 'oud@praktijk.example', email: 'nieuw@praktijk.example', reason: 'gebeld' };
    const refused = await handle(request('POST', '/operator/providers/20001200/contacts', { body, caller: VIEWER }));
    expect(refused.statusCode).toBe(403);
    expect(json(refused).error.message).toContain('you need the purchaser role');
    expect((await handle(request('GET', '/operator/unreachable', { caller: VIEWER }))).statusCode).toBe(200);

    const r = await handle(request('POST', '/operator/providers/20001200/contacts', { body, caller: PURCHASER }));
    expect(r.statusCode).toBe(200);
    expect(service.calls.at(-1)).toEqual({ method: 'correctContact', args: ['20001200', body, PURCHASER] });
    const bad = await handle(request('POST', '/operator/providers/20001200/contacts', { body: { contact: 'x' }, caller: PURCHASER }));
    expect(bad.statusCode).toBe(400);
    expect(json(bad).error.issues.map((i: { path: string }) => i.path)).toEqual(['body.email', 'body.reason']);
  });

  it('a caller holding none of the roles gets 403 on every route, reads included', async () => {
    const stranger = 'arn:aws:sts::123456789012:assumed-role/Other/x';
    for (const route of Object.values(OPERATOR_ROUTES)) {
      const path = pathOf(route, { cycleId: CYCLE, agb: '20001200', questionId: 'q1', milestoneId: 'registration' });
      const r = await handle(request(route.method, path, { caller: stranger, ...(route.method === 'POST' ? { body: {} } : {}) }));
      expect(r.statusCode, `${route.method} ${path}`).toBe(403);
      expect(json(r).error.message).toContain(`you need the ${route.role} role`);
    }
    expect(service.calls).toEqual([]);
  });

  it('the administrator creates, starts and amends cycles and imports providers', async () => {
    expect((await handle(request('POST', `/operator/cycles/${CYCLE}/start`))).statusCode).toBe(202);
    const amend = await handle(request('POST', `/operator/cycles/${CYCLE}/milestones/registration/amend`, { body: { closes: '2020-07-08', reason: 'IT storing' } }));
    expect(amend.statusCode).toBe(200);
    expect(service.calls.at(-1)).toEqual({ method: 'amend', args: [{ cycleId: CYCLE, milestoneId: 'registration' }, { closes: '2020-07-08', reason: 'IT storing' }, CALLER] });
    const noReason = await handle(request('POST', `/operator/cycles/${CYCLE}/milestones/registration/amend`, { body: { closes: '2020-07-08' } }));
    expect(noReason.statusCode).toBe(400);
    expect(json(noReason).error.issues).toEqual([{ path: 'body.reason', message: expect.any(String) }]);
    const imported = await handle(request('POST', '/operator/providers/import', { body: { name: 'p.csv', format: 'csv', text: 'agb\n' } }));
    expect(json(imported)).toMatchObject({ file: 'p.csv', providers: 1 });
    const both = await handle(request('POST', '/operator/providers/import', { body: { name: 'p.csv', format: 'csv', text: 'x', upload: 'imports/x.csv' } }));
    expect(both.statusCode).toBe(400);
  });
});

describe('edges', () => {
  it('only /operator/ routes: anything else 404, a wrong method 405 with Allow', async () => {
    expect((await handle(request('GET', '/'))).statusCode).toBe(404);
    expect((await handle(request('GET', '/cycles/msr-2021'))).statusCode).toBe(404);
    const r = await handle(request('DELETE', '/operator/cycles'));
    expect(r.statusCode).toBe(405);
    expect(r.headers?.allow).toBe('GET, HEAD, POST');
  });

  it('no IAM caller on the request: 403 (API Gateway never lets one through; refuse anyway)', async () => {
    const r = await handle(request('POST', `/operator/cycles/${CYCLE}/applications/20001200/decision`, { body: { decision: 'eligible', reason: 'ok ok' }, iam: false }));
    expect(r.statusCode).toBe(403);
    expect(() => iamPrincipal(request('GET', '/operator/cycles', { iam: false }))).toThrow('No IAM caller');
  });

  it('an unexpected failure is a 500 that says nothing about its cause', async () => {
    service.failNext('cycles', new Error('DynamoDB exploded at table inkoop'));
    const r = await handle(request('GET', '/operator/cycles'));
    expect(r.statusCode).toBe(500);
    expect(r.body).toBe(JSON.stringify({ error: { code: 'Internal', message: 'Internal error' } }));
  });
});
