/**
 * The remote OperatorService (the dashboard in AWS mode) against the real
 * operator API handler, through a fetch that turns requests into API Gateway
 * events with an IAM caller: same answers, same typed errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, TransitionRefusedError, ValidationError } from '../../../functions/commons/errors.ts';
import { logger } from '../../../functions/commons/logger.ts';
import { createOperatorApiHandler, iamCaller } from '../../../functions/handlers/operator-api.ts';
import type { HttpEvent } from '../../../functions/http/types.ts';
import { createOperatorApp } from '../../../functions/dashboard/app.ts';
import { createRemoteOperatorService } from '../../../functions/operators/client.ts';
import { UnavailableError } from '../../../functions/operators/errors.ts';
import type { SignedFetch } from '../../../functions/operators/sigv4.ts';
import { CYCLE, aStatus, fakeService } from './fixtures.ts';

const CALLER = 'arn:aws:sts::123456789012:assumed-role/Inkoper/anna';
const service = fakeService(aStatus());
const lambda = createOperatorApiHandler({ service, identify: iamCaller(async () => 'administrator') });
const seen: string[] = [];

/** What API Gateway does between the signed request and the Lambda (the IAM check itself is not simulated). */
const viaApiGateway: SignedFetch = async (url, init = {}) => {
  const u = new URL(url);
  seen.push(`${init.method ?? 'GET'} ${u.pathname}${u.search}`);
  const query = Object.fromEntries(u.searchParams);
  const event = {
    version: '2.0',
    routeKey: 'ANY /operator/{proxy+}',
    rawPath: u.pathname,
    rawQueryString: u.search.slice(1),
    headers: { ...init.headers },
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: { http: { method: init.method ?? 'GET', path: u.pathname }, requestId: 'r', authorizer: { iam: { userArn: CALLER } } },
    body: init.body,
    isBase64Encoded: false,
  } as unknown as HttpEvent;
  const result = await lambda(event);
  return new Response(result.body ?? null, { status: result.statusCode, headers: result.headers as Record<string, string> });
};

const remote = createRemoteOperatorService({ baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/', fetch: viaApiGateway });

beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => logger.setLogLevel('INFO'));

describe('remote operator service', () => {
  it('reads come back as the views the API returned', async () => {
    expect(await remote.cycle(CYCLE)).toEqual(aStatus());
    expect((await remote.cycles())[0].cycle.id).toBe(CYCLE);
    await remote.emails({ cycle: CYCLE, status: 'sent' });
    await remote.searchProviders({ q: 'Zorg & Co' });
    expect(seen).toContain(`GET /operator/emails?cycle=${CYCLE}&status=sent`);
    expect(seen).toContain('GET /operator/providers?q=Zorg+%26+Co');
  });

  it('actions are recorded under the IAM caller, not whoever the local side names', async () => {
    const result = await remote.decide({ cycleId: CYCLE, agb: '20001200' }, { decision: 'eligible', reason: 'Voldoet' }, 'someone-local');
    expect(result.by).toBe(CALLER);
  });

  it('errors come back typed: validation issues, refusals, conflicts, not found, unavailable', async () => {
    const invalid = await remote.decide({ cycleId: CYCLE, agb: '20001200' }, { decision: 'eligible', reason: '' }, 'x').catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).issues).toEqual([{ path: 'body.reason', message: 'a reason of at least 3 characters' }]);
    await expect(remote.decide({ cycleId: CYCLE, agb: '99999999' }, { decision: 'eligible', reason: 'te laat' }, 'x')).rejects.toBeInstanceOf(TransitionRefusedError);
    await expect(remote.decide({ cycleId: CYCLE, agb: '88888888' }, { decision: 'eligible', reason: 'te laat' }, 'x')).rejects.toBeInstanceOf(ConflictError);
    await expect(remote.cycle('nope-2099')).rejects.toBeInstanceOf(NotFoundError);
    await expect(remote.retry(CYCLE, 'nope', 'x')).rejects.toBeInstanceOf(UnavailableError);
  });

  it('the dashboard runs on it unchanged: pages rendered here from the remote API', async () => {
    const app = createOperatorApp({ service: remote, sessionToken: 'x'.repeat(40) });
    const result = await app({
      version: '2.0',
      routeKey: '$default',
      rawPath: `/cycles/${CYCLE}`,
      rawQueryString: '',
      cookies: [`inkoop_dashboard_9999=${'x'.repeat(40)}`],
      headers: { host: '127.0.0.1:9999' },
      requestContext: { http: { method: 'GET', path: `/cycles/${CYCLE}` }, requestId: 'r' },
      isBase64Encoded: false,
    } as unknown as HttpEvent);
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('id="timeline-chart"');
  });
});
