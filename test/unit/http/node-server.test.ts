import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError } from '../../../functions/commons/errors.ts';
import { withErrorMapping } from '../../../functions/http/edge.ts';
import { parseForm } from '../../../functions/http/form.ts';
import { serveHandler, type RunningServer } from '../../../functions/http/node-server.ts';
import { Router } from '../../../functions/http/router.ts';
import { textResult, type HttpEvent } from '../../../functions/http/types.ts';
import { multipart, pdfBytes } from './support.ts';

let seen: HttpEvent | undefined;
const router = new Router()
  .get('/echo/:id', async ({ event, params }) => {
    seen = event;
    return textResult(200, `id=${params.id} q=${event.queryStringParameters?.q}`, { 'x-test': 'ja' });
  })
  .post('/upload', async ({ event }) => {
    seen = event;
    const form = await parseForm(event, { maxBodyBytes: 1024 * 1024, files: { doc: { types: ['application/pdf'], maxBytes: 1024 * 1024 } } });
    return textResult(200, `${form.fields.name?.[0]}:${form.files.doc?.[0]?.size}`);
  })
  .get('/binary', async () => ({
    statusCode: 200,
    headers: { 'content-type': 'application/pdf' },
    body: Buffer.from(pdfBytes(300)).toString('base64'),
    isBase64Encoded: true,
  }))
  .get('/conflict', async () => {
    throw new ConflictError('somebody else');
  });

let server: RunningServer;
beforeAll(async () => {
  server = await serveHandler(withErrorMapping(router.handle), {
    maxBodyBytes: 2 * 1024 * 1024,
    clock: new VirtualClock('2020-07-01T10:00:00Z'),
  });
});
afterAll(async () => {
  await server.close();
});

describe('node-server adapter', () => {
  it('listens on loopback on a free port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.port).toBeGreaterThan(0);
  });

  it('turns a GET into a payload-2.0 event and the result into a response', async () => {
    const response = await fetch(`${server.url}/echo/a%20b?q=1&q=2`, { headers: { 'X-Custom': 'Waarde', cookie: 'a=1; b=2' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-test')).toBe('ja');
    expect(await response.text()).toBe('id=a b q=1,2');
    expect(seen).toMatchObject({
      version: '2.0',
      rawPath: '/echo/a%20b',
      rawQueryString: 'q=1&q=2',
      cookies: ['a=1', 'b=2'],
      headers: { 'x-custom': 'Waarde' },
      requestContext: { http: { method: 'GET', path: '/echo/a%20b' }, timeEpoch: Date.parse('2020-07-01T10:00:00Z') },
      isBase64Encoded: false,
    });
    expect(seen?.headers.cookie).toBeUndefined();
    expect(seen?.requestContext.time).toBe('01/Jul/2020:10:00:00 +0000');
  });

  it('passes a multipart upload base64-encoded, as API Gateway does', async () => {
    const data = new FormData();
    data.append('name', 'Zorg BV');
    data.append('doc', new File([pdfBytes(5000)], 'doc.pdf', { type: 'application/pdf' }));
    const { body, contentType } = await multipart(data);
    const response = await fetch(`${server.url}/upload`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(await response.text()).toBe('Zorg BV:5000');
    expect(seen?.isBase64Encoded).toBe(true);
  });

  it('decodes a base64 result body', async () => {
    const response = await fetch(`${server.url}/binary`);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.length).toBe(300);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(response.headers.get('content-type')).toBe('application/pdf');
  });

  it('maps errors to statuses and unknown paths to 404', async () => {
    expect((await fetch(`${server.url}/conflict`)).status).toBe(409);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/upload`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('answers 413 to a declared body over the limit without running the handler', async () => {
    seen = undefined;
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/upload`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(3 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('a=1');
    });
    expect(status).toBe(413);
    expect(seen).toBeUndefined();
  });

  it('refuses to listen beyond loopback', async () => {
    await expect(serveHandler(router.handle, { host: '0.0.0.0' as never })).rejects.toThrow(/loopback/);
  });
});
