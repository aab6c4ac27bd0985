/**
 * The SigV4 fetch for the operator API: checked against an independent
 * implementation of the signing steps (canonical request, string to sign,
 * derived key) written here from the AWS documentation.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { regionOfApiUrl, signedFetch } from '../../../functions/operators/sigv4.ts';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token' };
const API = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const DATE = new Date('2020-07-10T08:00:00Z');

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/** What the signature must be, per https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html. */
function expectedSignature(method: string, url: URL, headers: Record<string, string>, signedHeaders: string[], body: string): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const query = [...url.searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&');
  // Every service but S3: each path segment URI-encoded twice.
  const path = url.pathname.split('/').map((s) => encode(encode(decodeURIComponent(s)))).join('/');
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const canonical = [method, path, query, ...signedHeaders.map((h) => `${h}:${lower[h]}`), '', signedHeaders.join(';'), sha256(body)].join('\n');
  const day = '20200710';
  const scope = `${day}/eu-west-1/execute-api/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', '20200710T080000Z', scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, day), 'eu-west-1'), 'execute-api'), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex');
}

function capture() {
  const sent: { url: string; init: RequestInit }[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof globalThis.fetch;
  return { sent, fetch };
}

describe('signedFetch', () => {
  it('signs a GET with a query for execute-api in the region, with the session token', async () => {
    const { sent, fetch } = capture();
    const send = signedFetch({ region: 'eu-west-1', credentials: CREDENTIALS, fetch, signingDate: () => DATE });
    const url = `${API}/operator/emails?status=sent&cycle=msr-2021`;
    await send(url, { headers: { accept: 'application/json' } });

    const { init } = sent[0];
    const headers = init.headers as Record<string, string>;
    expect(sent[0].url).toBe(url);
    expect(headers.host).toBeUndefined(); // fetch sets it from the URL
    expect(headers['x-amz-date']).toBe('20200710T080000Z');
    expect(headers['x-amz-security-token']).toBe('session-token');
    const auth = /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20200710\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(headers.authorization);
    expect(auth).not.toBeNull();
    const signed = auth![1].split(';');
    expect(signed).toContain('host');
    expect(signed).toContain('x-amz-date');
    expect(auth![2]).toBe(expectedSignature('GET', new URL(url), { ...headers, host: new URL(url).host }, signed, ''));
  });

  it('signs a POST body: the signature changes with the body', async () => {
    const { sent, fetch } = capture();
    const send = signedFetch({ region: 'eu-west-1', credentials: CREDENTIALS, fetch, signingDate: () => DATE });
    const url = `${API}/operator/cycles/msr-2021/applications/12345678/decision`;
    const body = JSON.stringify({ decision: 'eligible', reason: 'Voldoet' });
    await send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await send(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.replace('Voldoet', 'Voldoet niet') });

    const [first, second] = sent.map((s) => s.init.headers as Record<string, string>);
    expect(sent[0].init.method).toBe('POST');
    expect(sent[0].init.body).toBe(body);
    const signed = /SignedHeaders=([^,]+)/.exec(first.authorization)![1].split(';');
    expect(signed).toContain('content-type');
    const signature = /Signature=(\w+)/.exec(first.authorization)![1];
    expect(signature).toBe(expectedSignature('POST', new URL(url), { ...first, host: new URL(url).host }, signed, body));
    expect(/Signature=(\w+)/.exec(second.authorization)![1]).not.toBe(signature);
  });

  it('takes the region from the API URL', () => {
    expect(regionOfApiUrl(`${API}/`)).toBe('eu-west-1');
    expect(regionOfApiUrl('https://operator.example.nl/')).toBeUndefined();
  });
});
