import type { HttpEvent } from '../../../functions/http/types.ts';

/** A payload-2.0 event as API Gateway would send it. */
export function event(methodName: string, path: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}): HttpEvent {
  const body = init.body === undefined ? undefined : Buffer.from(init.body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: init.headers ?? {},
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'example.test',
      domainPrefix: 'example',
      http: { method: methodName, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'vitest' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jul/2020:10:00:00 +0000',
      timeEpoch: Date.parse('2020-07-01T10:00:00Z'),
    },
    // Form posts arrive base64-encoded from API Gateway.
    body: body?.toString('base64'),
    isBase64Encoded: body !== undefined,
  };
}

/** Multipart encoded by the platform, the way a browser would send it. */
export async function multipart(form: FormData): Promise<{ body: Buffer; contentType: string }> {
  const request = new Request('http://x/', { method: 'POST', body: form });
  return {
    body: Buffer.from(await request.arrayBuffer()),
    contentType: request.headers.get('content-type') ?? '',
  };
}

/** A PDF-looking file body (Uint8Array<ArrayBuffer>, which is what `File` accepts). */
export const pdfBytes = (size: number): Uint8Array<ArrayBuffer> => {
  const bytes = new Uint8Array(size).fill(0x20);
  bytes.set(Buffer.from('%PDF-1.7\n'));
  return bytes;
};
