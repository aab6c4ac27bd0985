/**
 * Starts `aws-ses-v2-local` in-process on a loopback port: an SES endpoint that
 * keeps every email in memory, serves them as JSON at `GET /store` and shows
 * them in a mailbox page at `/`.
 *
 * Two quirks of that server shape this module:
 * - its store is a module-level variable, so every instance in one process
 *   shares the same mailbox;
 * - `listen` errors (a port clash) are swallowed, so we check it really listens.
 *
 * With `faults`, a share of SendEmail requests is answered as SES answers under
 * strain, before the server sees them (nothing is stored): 429
 * TooManyRequestsException (throttling) or 503 ServiceUnavailable, half each,
 * so the sender's backoff and retries run as they would in AWS.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { freePort } from './ports.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './dynamodb-local.ts';
import { unsignedLocalSigner } from './unsigned.ts';

/** An email as aws-ses-v2-local records it (`GET /store`). */
export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: StoredAttachment[];
  headers?: { name: string; value: string }[];
  /** Real (not virtual) time of sending, epoch seconds. */
  at: number;
}

export interface StoredAttachment {
  /** Base64. */
  content: string;
  contentType: string;
  filename?: string;
  size: number;
}

export interface SesLocal {
  /** SES API endpoint for SDK clients. */
  endpoint: string;
  port: number;
  /** The mailbox page a person opens in a browser. */
  mailboxUrl: string;
  fetchStore(): Promise<StoredEmail[]>;
  /** Empties the (process-wide) store. */
  clear(): Promise<void>;
  /** SendEmail requests answered with an injected error, by kind. */
  readonly faults: SesFaultCounts;
  stop(): Promise<void>;
}

export interface SesFaultCounts {
  throttled: number;
  unavailable: number;
}

export interface SesFaultOptions {
  /** Share of SendEmail requests that fail, in [0, 1). */
  rate: number;
  /** Random numbers in [0, 1) (default Math.random). */
  random?: () => number;
}

const SEND_PATH = /^\/v2\/email\/outbound-emails\/?(\?|$)/;

type StartServer = (config?: Partial<{ host: string; port: number }>) => Promise<Server>;

// A CommonJS package with `exports.default`: require it so tsx and vitest see the same shape.
const { default: startServer } = createRequire(import.meta.url)('aws-ses-v2-local') as { default: StartServer };

const HOST = '127.0.0.1';

export async function startSesLocal(options: { port?: number; faults?: SesFaultOptions } = {}): Promise<SesLocal> {
  const rate = options.faults?.rate ?? 0;
  if (!(rate >= 0 && rate < 1)) throw new RangeError(`The SES fault rate must be in [0, 1), got ${rate}`);
  // A free port can be taken between asking and listening: retry when we chose it.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await listenOn(port, options.faults);
    } catch (error) {
      if (attempt >= attempts) throw error;
    }
  }
}

async function listenOn(port: number, faults: SesFaultOptions | undefined): Promise<SesLocal> {
  const server = await startServer({ host: HOST, port });
  const endpoint = `http://${HOST}:${port}`;
  const counts: SesFaultCounts = { throttled: 0, unavailable: 0 };
  if (faults && faults.rate > 0) injectFaults(server, faults, counts);

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopped ??= new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      // SDK clients keep connections alive; without this close() waits for them.
      server.closeAllConnections();
    }));

  const fetchStore = async (): Promise<StoredEmail[]> => {
    const response = await fetch(`${endpoint}/store`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`aws-ses-v2-local: GET /store answered ${response.status}`);
    const body = (await response.json()) as { emails?: StoredEmail[] };
    if (!Array.isArray(body.emails)) throw new Error('aws-ses-v2-local: GET /store did not return an email list');
    return body.emails;
  };

  const clear = async (): Promise<void> => {
    const response = await fetch(`${endpoint}/clear-store`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`aws-ses-v2-local: POST /clear-store answered ${response.status}`);
  };

  if (!server.listening) {
    await stop();
    throw new Error(`aws-ses-v2-local could not listen on ${endpoint} (port in use?)`);
  }
  try {
    await fetchStore();
  } catch (error) {
    await stop();
    throw new Error(`aws-ses-v2-local does not answer on ${endpoint}: ${(error as Error).message}`);
  }
  return { endpoint, port, mailboxUrl: `${endpoint}/`, fetchStore, clear, faults: counts, stop };
}

/** Puts a listener in front of the server's own: a drawn share of SendEmail requests gets an SES error instead. */
function injectFaults(server: Server, faults: SesFaultOptions, counts: SesFaultCounts): void {
  const random = faults.random ?? Math.random;
  const own = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && SEND_PATH.test(req.url ?? '')) {
      const draw = random();
      if (draw < faults.rate) {
        const throttled = draw < faults.rate / 2;
        counts[throttled ? 'throttled' : 'unavailable']++;
        const [status, type, message] = throttled
          ? [429, 'TooManyRequestsException', 'Maximum sending rate exceeded.']
          : [503, 'ServiceUnavailable', 'Service is unavailable. Try again later.'];
        req.resume();
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type });
        res.end(JSON.stringify({ message }));
        return;
      }
    }
    for (const listener of own) listener.call(server, req, res);
  });
}

/**
 * An SESv2 client for a local endpoint. aws-ses-v2-local never answers some
 * unsupported actions, so requests time out instead of hanging forever.
 */
export function createLocalSesClient(endpoint: string, options: { timeoutMs?: number } = {}): SESv2Client {
  const timeoutMs = options.timeoutMs ?? 5000;
  return new SESv2Client({
    endpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
    signer: unsignedLocalSigner({ service: 'ses', region: LOCAL_REGION, accessKeyId: LOCAL_CREDENTIALS.accessKeyId }),
    // Without throwOnRequestTimeout the SDK only logs a warning when the timeout passes.
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}
