import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../commons/clock.ts';
import { logger } from '../commons/logger.ts';
import { renderPlainError } from './edge.ts';
import { mediaType, type HttpEvent, type HttpHandler, type HttpResult } from './types.ts';
import { PayloadTooLargeError } from '../commons/errors.ts';

/**
 * Serves an `HttpHandler` (the same one Lambda runs behind API Gateway) from a
 * Node `http.Server` on loopback, for the local runtime and tests. Requests
 * become payload-2.0 events the way API Gateway builds them; results become
 * responses.
 */

export interface NodeServerOptions {
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  /** Loopback only: this runtime has no TLS and is not meant to be reachable from elsewhere. */
  host?: '127.0.0.1' | '::1' | 'localhost';
  /** Bodies above this get a 413 before the handler runs. Default 32 MB (three 10 MB documents and fields). */
  maxBodyBytes?: number;
  clock?: Clock;
}

export interface RunningServer {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export async function serveHandler(handler: HttpHandler, options: NodeServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`serveHandler listens on loopback only, not ${host}`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const clock = options.clock ?? systemClock;

  const server = createServer((req, res) => {
    void respond(handler, req, res, maxBodyBytes, clock);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === '::1' ? '[::1]' : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function respond(
  handler: HttpHandler,
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
  clock: Clock,
): Promise<void> {
  let result: HttpResult;
  try {
    const body = await readBody(req, maxBodyBytes);
    result = await handler(toHttpEvent(req, body, clock.now()));
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      // Stop reading a body we will not use.
      writeResult(res, renderPlainError(error), { connection: 'close' });
      return;
    }
    // Handlers map their own errors (withErrorMapping); this is the safety net.
    logger.error('unhandled error in local HTTP handler', {
      error: error instanceof Error ? { name: error.name } : { name: typeof error },
    });
    result = renderPlainError(undefined);
  }
  writeResult(res, result);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new PayloadTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new PayloadTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Bodies API Gateway passes as UTF-8 text; all others (including form posts)
 * arrive base64-encoded. AWS documents the mechanism but not the list; this is
 * the observed split for HTTP APIs.
 */
export const isTextMediaType = (type: string): boolean =>
  type.startsWith('text/') || ['application/json', 'application/xml', 'application/javascript'].includes(type);

export function toHttpEvent(req: IncomingMessage, body: Buffer, now: number): HttpEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const cookies = req.headers.cookie?.split(';').map((c) => c.trim()).filter(Boolean);
  const method = (req.method ?? 'GET').toUpperCase();
  const text = isTextMediaType(mediaType(headers['content-type']));

  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies?.length ? { cookies } : {}),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0],
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now,
    },
    body: body.length === 0 ? undefined : text ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !text,
  };
}

export function writeResult(res: ServerResponse, result: HttpResult, extraHeaders: Record<string, string> = {}): void {
  const body = result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.statusCode = result.statusCode ?? 200;
  for (const [name, value] of Object.entries({ ...result.headers, ...extraHeaders })) res.setHeader(name, String(value));
  if (result.cookies?.length) res.setHeader('set-cookie', result.cookies);
  res.setHeader('content-length', body.length);
  res.end(body);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "12/Mar/2020:19:03:58 +0000", as in `requestContext.time`. */
function apiGatewayTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
