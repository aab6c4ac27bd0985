/**
 * `inkoop --aws`: every operator command is a SigV4-signed request to the
 * operator API (checked by an independent signature verifier with known test
 * credentials from the environment, the standard chain), the API's address
 * comes from the stack outputs, and no DynamoDB or Step Functions client is
 * ever built. Expected failures are one line and exit 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../../functions/cli/program.ts';
import { logger } from '../../../functions/commons/logger.ts';
import { createOperatorApiHandler, iamCaller } from '../../../functions/handlers/operator-api.ts';
import type { HttpEvent } from '../../../functions/http/types.ts';
import { openOperatorContext } from '../../../functions/cli/operator-context.ts';
import { routeOf } from '../../../functions/operators/routes.ts';
import { verifySigV4 } from '../../support/sigv4-authoriser.ts';
import { CYCLE, aStatus, fakeService, type FakeService } from '../operators/fixtures.ts';

// Count every DynamoDB and Step Functions client constructed, whatever builds it.
const built = vi.hoisted(() => ({ dynamodb: 0, sfn: 0 }));
vi.mock('@aws-sdk/client-dynamodb', async (importOriginal) => {
  const m = await importOriginal<typeof import('@aws-sdk/client-dynamodb')>();
  class CountedDynamoDBClient extends m.DynamoDBClient {
    constructor(...args: ConstructorParameters<typeof m.DynamoDBClient>) {
      super(...args);
      built.dynamodb++;
    }
  }
  return { ...m, DynamoDBClient: CountedDynamoDBClient };
});
vi.mock('@aws-sdk/client-sfn', async (importOriginal) => {
  const m = await importOriginal<typeof import('@aws-sdk/client-sfn')>();
  class CountedSFNClient extends m.SFNClient {
    constructor(...args: ConstructorParameters<typeof m.SFNClient>) {
      super(...args);
      built.sfn++;
    }
  }
  return { ...m, SFNClient: CountedSFNClient };
});

const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com/';
const KEY = { accessKeyId: 'AKIATESTOPERATOR', secretAccessKey: 'test-secret-key/for+signing', sessionToken: 'test-session-token' };
const PRINCIPAL = 'arn:aws:sts::123456789012:assumed-role/InkoopAdministrator/kees@zorgverzekeraar.nl';
const KNOWN = { [KEY.accessKeyId]: { secretAccessKey: KEY.secretAccessKey, sessionToken: KEY.sessionToken, arn: PRINCIPAL, accountId: '123456789012' } };

const cfn = mockClient(CloudFormationClient);
const ddb = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);

let service: FakeService;
let requests: { method: string; path: string; verdict: ReturnType<typeof verifySigV4> }[];
let answer: ((method: string, path: string) => Response | undefined) | undefined;
let stdout: string;
let stderr: string;
let dir: string;

/** What API Gateway does: check the signature, then hand the Lambda the verified principal. */
async function apiGateway(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(String(input));
  const method = init.method ?? 'GET';
  if (url.hostname.endsWith('.s3.amazonaws.com')) return new Response(null, { status: 200 }); // the presigned upload
  const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
  const body = typeof init.body === 'string' ? init.body : '';
  const verdict = verifySigV4({ method, url: `${url.pathname}${url.search}`, headers: { ...headers, host: url.host }, body }, KNOWN, { region: 'eu-west-1', service: 'execute-api' });
  requests.push({ method, path: url.pathname, verdict });
  const canned = answer?.(method, url.pathname);
  if (canned) return canned;
  if (!verdict.ok) return Response.json({ message: verdict.message }, { status: 403 });
  const event = {
    version: '2.0',
    routeKey: 'ANY /operator/{proxy+}',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.search ? Object.fromEntries(url.searchParams) : undefined,
    requestContext: { http: { method, path: url.pathname }, requestId: 'r', authorizer: { iam: { userArn: verdict.principal.arn, accountId: verdict.principal.accountId } } },
    body,
    isBase64Encoded: false,
  } as unknown as HttpEvent;
  const result = await createOperatorApiHandler({ service, identify: iamCaller(async () => 'administrator') })(event);
  return new Response(result.body ?? null, { status: result.statusCode, headers: result.headers as Record<string, string> });
}

async function inkoop(...args: string[]): Promise<number> {
  process.exitCode = undefined;
  await createProgram().exitOverride().parseAsync(['node', 'inkoop', '--aws', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return code;
}

beforeAll(() => {
  logger.setLogLevel('SILENT');
  dir = mkdtempSync(join(tmpdir(), 'inkoop-aws-test-'));
});
afterAll(() => {
  logger.setLogLevel('INFO');
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  service = fakeService(aStatus());
  requests = [];
  answer = undefined;
  stdout = stderr = '';
  built.dynamodb = built.sfn = 0;
  cfn.reset();
  ddb.reset();
  sfn.reset();
  cfn.on(DescribeStacksCommand, { StackName: 'Inkoopkalender' }).resolves({
    Stacks: [{ StackName: 'Inkoopkalender', CreationTime: new Date(0), StackStatus: 'UPDATE_COMPLETE', Outputs: [{ OutputKey: 'OperatorApiUrl', OutputValue: API }] }],
  });
  // The standard credential chain, from the environment; nothing from this machine's own AWS config.
  vi.stubEnv('AWS_ACCESS_KEY_ID', KEY.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', KEY.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', KEY.sessionToken);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_DEFAULT_REGION', undefined);
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'no-config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'no-credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  vi.stubEnv('INKOOP_OPERATOR_API_URL', undefined);
  vi.stubGlobal('fetch', vi.fn(apiGateway));
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('every --aws command goes through the operator API', () => {
  it('each command is one or two signed requests to its route; no DynamoDB or Step Functions client is built', async () => {
    const csv = join(dir, 'providers.csv');
    writeFileSync(csv, 'agb,kvk,name,careTypes,contactName,contactEmail,contactRole\n01234567,12345678,Oost,msr,Anna,anna@oost.example.nl,signatory\n');
    const commands: [string[], string[]][] = [
      [['status'], ['GET /operator/cycles']],
      [['status', CYCLE], [`GET /operator/cycles/${CYCLE}`]],
      [['provider', '12345678'], ['GET /operator/providers/12345678']],
      [['decide', CYCLE, '20001200', 'eligible', '--reason', 'Voldoet aan de eisen'], [`POST /operator/cycles/${CYCLE}/applications/20001200/decision`]],
      [['questions', CYCLE], [`GET /operator/cycles/${CYCLE}/questions`]],
      [['questions', 'answer', 'q-1', '--public', 'Zie de Nota van Inlichtingen.'], ['GET /operator/questions/q-1', `POST /operator/cycles/${CYCLE}/questions/q-1/answer`]],
      [['cycle', 'create', 'msr-2021'], ['POST /operator/cycles']],
      [['cycle', 'list'], ['GET /operator/cycles']],
      [['cycle', 'start', CYCLE], [`POST /operator/cycles/${CYCLE}/start`]],
      [['calendar', 'amend', CYCLE, 'proposal-deadline', '2020-09-22', '--reason', 'Later beschikbaar'], [`POST /operator/cycles/${CYCLE}/milestones/proposal-deadline/amend`]],
      [['milestone', 'retry', CYCLE, 'registration'], [`POST /operator/cycles/${CYCLE}/milestones/registration/retry`]],
      [['cycle', 'resume', CYCLE], [`POST /operator/cycles/${CYCLE}/resume`]],
      [['providers', 'import', csv], ['POST /operator/providers/import']],
    ];
    for (const [args, expected] of commands) {
      requests = [];
      expect(await inkoop(...args), `${args.join(' ')}: ${stderr}`).toBe(0);
      expect(requests.map((r) => `${r.method} ${r.path}`), args.join(' ')).toEqual(expected);
      for (const r of requests) {
        expect(r.verdict, `${r.method} ${r.path}`).toMatchObject({ ok: true, accessKeyId: KEY.accessKeyId });
        expect(routeOf(r.method, r.path), r.path).toBeDefined();
      }
    }
    expect(stderr).toBe('');
    expect(built).toEqual({ dynamodb: 0, sfn: 0 });
    expect(ddb.calls()).toEqual([]);
    expect(sfn.calls()).toEqual([]);
    // The address came from the stack outputs, read once per command.
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(commands.length);
    // No actor is sent: the API takes it from the signature.
    expect(service.calls.find((c) => c.method === 'decide')?.args[2]).toBe(PRINCIPAL);
    expect(stdout).toContain(`decided by ${PRINCIPAL}`);
    expect(service.calls.find((c) => c.method === 'createCycle')?.args[0]).toMatchObject({ calendar: expect.objectContaining({ id: 'msr-2021' }), source: 'msr-2021' });
  });

  it('a large provider file goes through a presigned upload that the API then imports', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => `${String(10000000 + i)},${String(20000000 + i)},Praktijk ${i} met een wat langere naam,msr,Contact ${i},c${i}@praktijk.example.nl,signatory`);
    const csv = join(dir, 'large.csv');
    writeFileSync(csv, `agb,kvk,name,careTypes,contactName,contactEmail,contactRole\n${rows.join('\n')}\n`);
    expect(await inkoop('providers', 'import', csv), stderr).toBe(0);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /operator/providers/import-uploads', 'POST /operator/providers/import']);
    const [upload] = service.calls.filter((c) => c.method === 'importUpload').map((c) => c.args[0]);
    expect(upload).toMatchObject({ name: 'large.csv', format: 'csv', bytes: expect.any(Number) });
    expect(service.calls.find((c) => c.method === 'importProviders')?.args[0]).toEqual({ name: 'large.csv', format: 'csv', upload: 'imports/x' });
  });

  it('the dashboard (inkoop dashboard --aws) gets the same remote service: its reads are signed requests too', async () => {
    vi.stubEnv('INKOOP_OPERATOR_API_URL', API);
    const ctx = await openOperatorContext({ aws: true });
    expect(ctx.mode).toBe('aws');
    expect(ctx.deps).toBeUndefined();
    expect((await ctx.service.cycles())[0].cycle.id).toBe(CYCLE);
    expect(requests.map((r) => `${r.method} ${r.path} ${r.verdict.ok}`)).toEqual(['GET /operator/cycles true']);
    expect(cfn.calls()).toEqual([]); // the address was given
    expect(built).toEqual({ dynamodb: 0, sfn: 0 });
  });

  it('a bad provider file is refused here, row by row, and nothing is sent', async () => {
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, 'agb,kvk,name,careTypes,contactName,contactEmail,contactRole\n0123,12345678,Oost,msr,Anna,not-an-email,signatory\n');
    expect(await inkoop('providers', 'import', csv)).toBe(1);
    expect(stderr).toMatch(/bad\.csv line 2/);
    expect(requests).toEqual([]);
  });
});

describe('expected failures: one line, exit 1', () => {
  const oneLine = () => {
    expect(stderr.trimEnd().split('\n'), stderr).toHaveLength(1);
    expect(stderr).not.toMatch(/unexpected error|at .*\.ts:\d+/);
    return stderr.trim();
  };

  it('no region', async () => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    expect(await inkoop('status'), stderr).toBe(1);
    expect(oneLine()).toBe('error: No AWS region: set AWS_REGION (e.g. export AWS_REGION=eu-west-1) or a region in your AWS profile');
  });

  it('no credentials', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_SESSION_TOKEN', undefined);
    vi.stubEnv('INKOOP_OPERATOR_API_URL', API);
    expect(await inkoop('status')).toBe(1);
    expect(oneLine()).toMatch(/^error: No AWS credentials found: sign in \(aws sso login/);
    expect(requests).toEqual([]);
  });

  it('expired credentials (API Gateway refuses the token)', async () => {
    answer = () => Response.json({ message: 'The security token included in the request is expired' }, { status: 403 });
    expect(await inkoop('status')).toBe(1);
    expect(oneLine()).toBe('error: Your AWS credentials have expired: sign in again (e.g. aws sso login) and retry');
  });

  it('expired credentials (CloudFormation refuses them)', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }));
    expect(await inkoop('status')).toBe(1);
    expect(oneLine()).toBe('error: Your AWS credentials have expired: sign in again (e.g. aws sso login) and retry');
  });

  it('the stack is not deployed in the region', async () => {
    cfn.on(DescribeStacksCommand).rejects(Object.assign(new Error('Stack with id Inkoopkalender does not exist'), { name: 'ValidationError' }));
    expect(await inkoop('status')).toBe(1);
    expect(oneLine()).toBe('error: The Inkoopkalender stack is not deployed in eu-west-1: deploy it (npx cdk deploy), or set AWS_REGION to the region it is in');
  });

  it('no network', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => {
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND abc123.execute-api.eu-west-1.amazonaws.com'), { code: 'ENOTFOUND' }) });
    }));
    expect(await inkoop('status')).toBe(1);
    expect(oneLine()).toBe(`error: Cannot reach the operator API at ${API}: check your network connection (ENOTFOUND)`);
  });

  it('403: IAM refuses a route outside the caller\'s role; the message names the role it needs', async () => {
    answer = (_method, path) => (path.endsWith('/decision') ? Response.json({ message: 'Forbidden' }, { status: 403 }) : undefined);
    expect(await inkoop('decide', CYCLE, '20001200', 'eligible', '--reason', 'Voldoet aan de eisen')).toBe(1);
    expect(oneLine()).toBe(
      'error: To decide (inkoop decide) you need the purchaser role: ask an administrator of the AWS account to attach the managed policy in stack output OperatorPurchaserPolicyArn to your IAM role or user',
    );
  });
});
