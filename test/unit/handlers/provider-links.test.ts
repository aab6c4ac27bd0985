/**
 * The Lambda handler as API Gateway calls it: AWS deps (S3 direct uploads), the
 * base URL from the request's domain, configuration errors as a plain 500.
 * Transitions are covered against DynamoDB Local (test/integration/links).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import type { Application, Cycle, Provider, Step } from '../../../functions/domain/model.ts';
import { createProviderLinksHandler } from '../../../functions/handlers/provider-links.ts';
import type { HttpEvent } from '../../../functions/http/types.ts';
import type { LinksStore } from '../../../functions/links/ports.ts';
import { issueToken } from '../../../functions/links/token.ts';
import { S3UploadStore } from '../../../functions/uploads/s3.ts';
import { event } from '../http/support.ts';
import { anApplication, aProvider } from '../../support/factories.ts';

const s3Mock = mockClient(S3Client);
const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const KEY = new Uint8Array(32).fill(9);

let clock: VirtualClock;
let cycle: Cycle;
let steps: Step[];
let provider: Provider;
let application: Application;

/** Reads only: a GET never writes. */
function readStore(): LinksStore {
  const unused = () => Promise.reject(new Error('a GET must not write'));
  return {
    tableName: 't',
    getPageReads: async (id, { agb, application: withApplication, steps: withSteps } = {}) => {
      const found = id === cycle.id;
      const isProvider = agb === provider.agb;
      return {
        cycle: found ? cycle : undefined,
        steps: found && withSteps !== false ? steps : [],
        provider: isProvider ? provider : undefined,
        application: found && isProvider && withApplication ? application : undefined,
      };
    },
    getProvider: async (agb) => (agb === provider.agb ? provider : undefined),
    putProvider: unused,
    createApplication: unused,
    transition: unused,
    enqueueMessage: unused,
    putQuestion: unused,
  } as LinksStore;
}

const onDomain = (e: HttpEvent, domainName: string): HttpEvent => ({ ...e, requestContext: { ...e.requestContext, domainName } });

beforeEach(async () => {
  s3Mock.reset();
  s3Mock.on(ListObjectsV2Command).resolves({});
  clock = new VirtualClock('2020-06-15T10:00:00Z');
  const calendar = await loadCalendar('msr-2021');
  ({ cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock }));
  provider = aProvider({ careTypes: ['msr'] });
  application = anApplication({ cycleId: cycle.id, agb: provider.agb, track: 'new', state: 'registration-started' });
});

function link(action: 'submit-registration' | 'submit-proposal' = 'submit-registration'): string {
  const issued = issueToken(KEY, {
    cycleId: cycle.id,
    agb: provider.agb,
    action,
    contactId: provider.contacts[0].id,
    expiresAt: Date.parse('2020-07-01T21:59:59.999Z'),
    issuedAt: clock.now(),
    version: application.version,
  });
  return issued.token;
}

const deps = () => ({
  store: readStore(),
  keys: { getKey: async () => KEY },
  uploads: new S3UploadStore({ client: s3, bucket: 'docs-bucket', prefix: 'uploads/', clock }),
  clock,
});
const handler = () => createProviderLinksHandler(deps());

afterEach(() => vi.unstubAllEnvs());

describe('provider-links Lambda handler', () => {
  it('in AWS the registration page posts each document straight to S3, and its CSP allows exactly that', async () => {
    const token = link();
    const res = await handler()(onDomain(event('GET', `/l/${token}`), 'abc123.execute-api.eu-west-1.amazonaws.com'));
    expect(res.statusCode).toBe(200);
    const body = String(res.body);
    expect(body.match(/<form class="upload" method="post" action="https:\/\/docs-bucket\.s3\.eu-west-1\.amazonaws\.com\/?" enctype="multipart\/form-data">/g)).toHaveLength(3);
    expect(body).toContain(`name="success_action_redirect" value="https://abc123.execute-api.eu-west-1.amazonaws.com/l/${token}?document=kvkExtract"`);
    expect(body).toContain('name="key" value="uploads/msr-2021/');
    // The main form carries text only: no file inputs outside the upload forms, no multipart.
    const main = body.slice(body.lastIndexOf('<form'));
    expect(main).not.toContain('type="file"');
    expect(main).not.toContain('multipart');
    expect(String(res.headers?.['content-security-policy'])).toContain("form-action 'self' https://docs-bucket.s3.eu-west-1.amazonaws.com;");
    expect(res.headers).toMatchObject({ 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
  });

  it('offers no upload form once the application holds its upload limit (15 files), and says so in Dutch', async () => {
    const token = link();
    const prefix = `uploads/msr-2021/${provider.agb}/`;
    s3Mock.on(ListObjectsV2Command).resolves({ Contents: Array.from({ length: 15 }, (_, i) => ({ Key: `${prefix}vog/${String(i).padStart(3, '0')}.pdf`, Size: 2048 })) });
    s3Mock.on(GetObjectCommand).resolves({ Body: { transformToByteArray: async () => new Uint8Array(Buffer.from('%PDF-1.7')) } } as never);
    const res = await handler()(onDomain(event('GET', `/l/${token}`), 'abc123.execute-api.eu-west-1.amazonaws.com'));
    expect(res.statusCode).toBe(200);
    const body = String(res.body);
    expect(body).not.toContain('<form class="upload"');
    expect(body).toContain('U hebt voor deze aanmelding al het maximum aan documenten toegevoegd.');
    expect(String(res.headers?.['content-security-policy'])).not.toContain('docs-bucket');
  });

  it('a configured base URL (a custom domain) wins over the request domain', async () => {
    const token = link();
    const res = await createProviderLinksHandler({ ...deps(), baseUrl: 'https://aanbieders.example.nl' })(
      onDomain(event('GET', `/l/${token}`), 'abc123.execute-api.eu-west-1.amazonaws.com'),
    );
    expect(String(res.body)).toContain(`value="https://aanbieders.example.nl/l/${token}?document=vog"`);
  });

  it('refusals keep their status through the handler', async () => {
    expect((await handler()(event('GET', '/l/not-a-token'))).statusCode).toBe(404);
    expect((await handler()(event('GET', '/nergens'))).statusCode).toBe(404);
    expect((await handler()(event('PUT', `/l/${link()}`))).statusCode).toBe(405);
    const proposal = link('submit-proposal'); // the application is registering, not negotiating
    expect((await handler()(event('GET', `/l/${proposal}`))).statusCode).toBe(409);
  });

  it('a missing configuration is a plain 500 without details', async () => {
    vi.stubEnv('LOG_LEVEL', 'SILENT');
    vi.stubEnv('TABLE_NAME', 't');
    const res = await createProviderLinksHandler()(event('GET', '/l/x'));
    expect(res.statusCode).toBe(500);
    expect(String(res.body)).not.toMatch(/LINK_SECRET_ARN|DOCUMENTS_BUCKET|Error/);
  });
});
