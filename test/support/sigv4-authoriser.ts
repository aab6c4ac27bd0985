/**
 * A stand-in for API Gateway's IAM authoriser, for tests: it checks a
 * request's AWS Signature Version 4 the way AWS does (canonical request,
 * string to sign, derived key; written here from the AWS documentation,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html,
 * sharing no code with the signer), against a table of known test
 * credentials, and answers with the principal those credentials belong to.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface TestPrincipal {
  secretAccessKey: string;
  /** The ARN API Gateway would put in requestContext.authorizer.iam.userArn. */
  arn: string;
  accountId: string;
  /** Temporary credentials carry one; the signature must cover it. */
  sessionToken?: string;
}

export interface SignedRequest {
  method: string;
  /** Path and query as sent (`/operator/cycles?x=1`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Verdict = { ok: true; accessKeyId: string; principal: TestPrincipal } | { ok: false; message: string };

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

export function verifySigV4(request: SignedRequest, known: Record<string, TestPrincipal>, scope: { region: string; service: string; now?: Date }): Verdict {
  const header = (name: string): string | undefined => {
    const v = request.headers[name.toLowerCase()];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(header('authorization') ?? '');
  if (!auth) return { ok: false, message: 'Missing Authentication Token' };
  const [, accessKeyId, day, region, service, signedHeaderList, signature] = auth;
  const principal = known[accessKeyId];
  if (!principal) return { ok: false, message: 'The security token included in the request is invalid.' };
  if (region !== scope.region || service !== scope.service) return { ok: false, message: `Credential should be scoped to a valid region and service` };
  const amzDate = header('x-amz-date') ?? '';
  if (!amzDate.startsWith(day)) return { ok: false, message: 'Date in Credential scope does not match' };
  const when = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (!Number.isFinite(when) || Math.abs((scope.now ?? new Date()).getTime() - when) > 5 * 60_000) return { ok: false, message: 'Signature expired' };
  const signedHeaders = signedHeaderList.split(';');
  for (const required of ['host', 'x-amz-date', ...(principal.sessionToken ? ['x-amz-security-token'] : [])]) {
    if (!signedHeaders.includes(required)) return { ok: false, message: `${required} is not signed` };
  }
  if (principal.sessionToken && header('x-amz-security-token') !== principal.sessionToken) {
    return { ok: false, message: 'The security token included in the request is invalid.' };
  }

  const url = new URL(request.url, 'http://placeholder');
  const path = url.pathname.split('/').map((s) => encode(encode(decodeURIComponent(s)))).join('/');
  const query = [...url.searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&');
  const canonicalHeaders = signedHeaders.map((h) => `${h}:${(header(h) ?? '').trim().replace(/\s+/g, ' ')}`);
  const canonical = [request.method.toUpperCase(), path, query, ...canonicalHeaders, '', signedHeaderList, sha256(request.body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${principal.secretAccessKey}`, day), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(toSign).digest();
  const given = Buffer.from(signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, message: 'The request signature we calculated does not match the signature you provided.' };
  }
  return { ok: true, accessKeyId, principal };
}
