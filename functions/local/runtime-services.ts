/**
 * The HTTP faces of the local runtime, served on loopback by the same handlers
 * the HTTP APIs run in AWS (functions/http/node-server.ts serveHandler): the
 * provider pages behind the links in the emails (and the public registration
 * form), and the operators' dashboard with its API.
 */
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Clock } from '../commons/clock.ts';
import { serveHandler, type RunningServer } from '../http/node-server.ts';
import { PUBLICATION_HEADERS } from '../publication/page.ts';
import type { HttpHandler, HttpResult } from '../http/types.ts';
import { createProviderLinksApp } from '../links/app.ts';
import { registrationFormPath } from '../links/issue.ts';
import type { LinkKeyProvider } from '../links/keys.ts';
import { createOperatorApp } from '../dashboard/app.ts';
import type { ClockControlPort, ExecutionsPort, ResumeCyclePort, RetryMilestonePort } from '../operators/ports.ts';
import type { Store } from '../store/index.ts';
import { LocalUploadStore } from '../uploads/local.ts';
import type { FunctionKey } from '../../infra/functions.ts';
import { asFunction } from './iam-actions.ts';

export interface LocalServicesDeps {
  store: Store;
  clock: Clock;
  keys: LinkKeyProvider;
  dataDir: string;
  /** The folder the publication store writes (`<data>/publications`), served as is. */
  publicationsDir: string;
  executions: ExecutionsPort;
  clockControl: ClockControlPort;
  retry?: RetryMilestonePort;
  resume?: ResumeCyclePort;
  mailboxUrl: string;
  /** After every request that may have changed something (not a GET). */
  afterRequest: () => void;
  /** Requests being answered right now (a checkpoint waits for none). */
  requests?: { active: number };
  ports?: { links?: number; operator?: number; publications?: number };
}

export interface LocalServices {
  linksUrl: string;
  registrationUrl(cycleId: string): string;
  operatorUrl: string;
  /** The dashboard's address with its session token. */
  dashboardUrl: string;
  /** Where the public documents (contracted list, Q&A memo) are read. */
  publicationsUrl: string;
  /** Responses of the provider pages by status code (what the providers actually got). */
  linkStatuses: Record<number, number>;
  ports: { links: number; operator: number; publications: number };
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.ics': 'text/calendar; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** The publications folder over HTTP, read-only: what S3 (or the insurer's website) serves in AWS. */
export function publicationsHandler(dir: string): HttpHandler {
  return async (event): Promise<HttpResult> => {
    const path = decodeURIComponent(event.rawPath ?? '/').replace(/^\/+/, '');
    const method = event.requestContext.http.method;
    if (method !== 'GET' && method !== 'HEAD') return { statusCode: 405, headers: { ...PUBLICATION_HEADERS, allow: 'GET, HEAD' }, body: '' };
    if (!/^[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*$/.test(path) || path.includes('..')) {
      return { statusCode: 404, headers: { ...PUBLICATION_HEADERS, 'content-type': 'text/plain; charset=utf-8' }, body: 'Niet gevonden' };
    }
    try {
      const body = await readFile(join(dir, path));
      return {
        statusCode: 200,
        headers: { ...PUBLICATION_HEADERS, 'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' },
        body: body.toString('base64'),
        isBase64Encoded: true,
      };
    } catch {
      return { statusCode: 404, headers: { ...PUBLICATION_HEADERS, 'content-type': 'text/plain; charset=utf-8' }, body: 'Niet gevonden' };
    }
  };
}

/**
 * Counts statuses and tells the runtime after each request that wrote something
 * (a POST that was not refused: a refused one writes nothing, so queues no email).
 */
function observed(
  as: FunctionKey,
  handler: () => HttpHandler,
  statuses: Record<number, number>,
  afterWrite: () => void,
  requests: { active: number } = { active: 0 },
): HttpHandler {
  return async (event) => {
    requests.active++;
    // Run as the deployed function: its DynamoDB requests are checked against its IAM grants.
    const result = await asFunction(as, () => handler()(event)).finally(() => requests.active--);
    const status = result.statusCode ?? 200;
    statuses[status] = (statuses[status] ?? 0) + 1;
    const method = event.requestContext.http.method;
    if (method !== 'GET' && method !== 'HEAD' && status < 400) afterWrite();
    return result;
  };
}

/**
 * The provider pages as the runtime serves them (as the deployed function, statuses counted);
 * `npm run bench:links` (scripts/bench-links.ts) measures this very server.
 */
export async function serveProviderLinks(
  deps: Pick<LocalServicesDeps, 'store' | 'clock' | 'keys' | 'dataDir' | 'afterRequest' | 'requests'> & { port?: number },
  statuses: Record<number, number>,
): Promise<RunningServer> {
  // The pages need their own address (links and redirects), known once the server listens.
  let links: HttpHandler | undefined;
  const server = await serveHandler(observed('providerLinks', () => links!, statuses, deps.afterRequest, deps.requests), {
    port: deps.port,
    clock: deps.clock,
  });
  links = createProviderLinksApp({
    store: deps.store,
    clock: deps.clock,
    keys: deps.keys,
    uploads: new LocalUploadStore(deps.dataDir, deps.clock),
    config: { baseUrl: server.url },
  });
  return server;
}

export async function createServices(deps: LocalServicesDeps): Promise<LocalServices> {
  const servers: RunningServer[] = [];
  const linkStatuses: Record<number, number> = {};
  const close = async (): Promise<void> => {
    for (const s of servers.splice(0).reverse()) await s.close().catch(() => undefined);
  };
  try {
    const linksServer = await serveProviderLinks({ ...deps, port: deps.ports?.links }, linkStatuses);
    servers.push(linksServer);

    const operator = createOperatorApp({
      store: deps.store,
      clock: deps.clock,
      executions: deps.executions,
      clockControl: deps.clockControl,
      retry: deps.retry,
      resume: deps.resume,
      mailboxUrl: deps.mailboxUrl,
    });
    const operatorServer = await serveHandler(
      observed('operatorApi', () => operator, {}, deps.afterRequest, deps.requests),
      { port: deps.ports?.operator, clock: deps.clock },
    );
    servers.push(operatorServer);

    const publicationsServer = await serveHandler(publicationsHandler(deps.publicationsDir), { port: deps.ports?.publications, clock: deps.clock });
    servers.push(publicationsServer);

    return {
      linksUrl: linksServer.url,
      publicationsUrl: publicationsServer.url,
      registrationUrl: (cycleId) => `${linksServer.url}${registrationFormPath(cycleId)}`,
      operatorUrl: operatorServer.url,
      dashboardUrl: operator.entryUrl(operatorServer.url),
      linkStatuses,
      ports: { links: linksServer.port, operator: operatorServer.port, publications: publicationsServer.port },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
