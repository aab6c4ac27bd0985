/**
 * `fetch` with AWS Signature Version 4, for the IAM-authorised operator API
 * (service `execute-api`). Signed with @smithy/signature-v4 (what the AWS SDK
 * itself uses) and the operator's own credentials (the default provider
 * chain: environment, profile/SSO, instance role). The signature covers the
 * method, path, query, host and a hash of the body.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

type SignableRequest = Parameters<SignatureV4['sign']>[0];
type Credentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];
type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): Buffer =>
  typeof data === 'string' ? Buffer.from(data, 'utf8') : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** SHA-256 (or HMAC-SHA-256 with a secret) in the shape the signer asks for, on node:crypto. */
class NodeSha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The region of an execute-api URL (`https://abc123.execute-api.eu-west-1.amazonaws.com/`). */
export function regionOfApiUrl(url: string): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(url).hostname)?.[1];
}

export interface SignedFetchOptions {
  region: string;
  /** Default: the AWS SDK's default credential provider chain. */
  credentials?: Credentials;
  /** For tests. */
  fetch?: typeof fetch;
  /** For tests: a fixed signing time. */
  signingDate?: () => Date;
}

export type SignedFetch = (url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }) => Promise<Response>;

export function signedFetch(options: SignedFetchOptions): SignedFetch {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: NodeSha256,
  });
  const send = options.fetch ?? fetch;
  return async (url, init = {}) => {
    const u = new URL(url);
    const method = (init.method ?? 'GET').toUpperCase();
    const query: Record<string, string> = {};
    for (const [k, v] of u.searchParams) query[k] = v;
    const request: SignableRequest = {
      method,
      protocol: u.protocol,
      hostname: u.hostname,
      ...(u.port ? { port: Number(u.port) } : {}),
      path: u.pathname,
      query,
      headers: { host: u.host, ...init.headers },
      ...(init.body !== undefined ? { body: init.body } : {}),
    };
    const signed = await signer.sign(request, options.signingDate ? { signingDate: options.signingDate() } : {});
    const headers = { ...signed.headers };
    delete headers.host; // fetch sets it from the URL; undici refuses to be given one
    return send(url, { method, headers, body: init.body });
  };
}
