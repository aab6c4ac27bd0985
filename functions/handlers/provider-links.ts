/**
 * Lambda behind the provider-links HTTP API (API Gateway HTTP API, payload
 * 2.0, throttled at the stage): the same app the local runtime serves
 * (functions/links/app.ts). In AWS the link key comes from Secrets Manager and
 * documents go straight from the browser to S3 with a presigned POST
 * (functions/uploads/s3.ts); the form posts that reach this function carry
 * text only, well under Lambda's 6 MB payload limit.
 *
 * The base URL of links and redirects is LINKS_BASE_URL when set (a custom
 * domain); otherwise the API's own domain from the request, since the stack
 * cannot hand this function its own API URL without a dependency cycle.
 */
import { z } from 'zod';
import type { S3Client } from '@aws-sdk/client-s3';
import { getDocumentClient, getS3Client } from '../commons/clients.ts';
import { systemClock, type Clock } from '../commons/clock.ts';
import { logger, redact } from '../commons/logger.ts';
import { LINK_OUTCOME_DIMENSION, linkOutcomeOf, METRIC } from '../commons/metric-names.ts';
import { lambdaMetrics, type MetricsPort } from '../commons/metrics.ts';
import { renderPlainError } from '../http/edge.ts';
import { method, type HttpEvent, type HttpHandler, type HttpResult } from '../http/types.ts';
import { createProviderLinksApp } from '../links/app.ts';
import type { LinksStore } from '../links/ports.ts';
import { SecretsManagerLinkKeyProvider, type LinkKeyProvider } from '../links/keys.ts';
import { createStore } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';
import { S3UploadStore } from '../uploads/s3.ts';
import type { UploadStore } from '../uploads/types.ts';

const optional = z
  .string()
  .optional()
  .transform((s) => (s ? s : undefined));

export const providerLinksEnv = z.object({
  TABLE_NAME: optional.transform((s) => s ?? DEFAULT_TABLE_NAME),
  LINK_SECRET_ARN: z.string().trim().min(1, 'LINK_SECRET_ARN (the link key secret) is required'),
  DOCUMENTS_BUCKET: z.string().trim().min(1, 'DOCUMENTS_BUCKET is required'),
  DOCUMENTS_UPLOAD_PREFIX: optional.transform((s) => s ?? 'uploads/'),
  LINKS_BASE_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
});
export type ProviderLinksEnv = z.infer<typeof providerLinksEnv>;

export interface ProviderLinksHandlerDeps {
  store?: LinksStore;
  keys?: LinkKeyProvider;
  uploads?: UploadStore;
  s3?: S3Client;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  /** Provider form posts by outcome (commons/metric-names.ts LINK_OUTCOMES). */
  metrics?: MetricsPort;
}

export function createProviderLinksHandler(deps: ProviderLinksHandlerDeps = {}): HttpHandler {
  // Built on the first request (env parsed then, so a missing variable is a 500, not an import crash);
  // one app per base URL, kept while the container is warm.
  const apps = new Map<string, HttpHandler>();
  let parts: { env: ProviderLinksEnv; store: LinksStore; keys: LinkKeyProvider; uploads: UploadStore; clock: Clock } | undefined;

  function setup() {
    if (parts) return parts;
    const env = providerLinksEnv.parse(deps.env ?? process.env);
    const clock = deps.clock ?? systemClock;
    parts = {
      env,
      clock,
      store: deps.store ?? createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock }),
      keys: deps.keys ?? new SecretsManagerLinkKeyProvider(env.LINK_SECRET_ARN),
      uploads:
        deps.uploads ?? new S3UploadStore({ client: deps.s3 ?? getS3Client(), bucket: env.DOCUMENTS_BUCKET, prefix: env.DOCUMENTS_UPLOAD_PREFIX, clock }),
    };
    return parts;
  }

  async function respond(event: HttpEvent): Promise<HttpResult> {
    let app: HttpHandler;
    try {
      const { env, store, keys, uploads, clock } = setup();
      const baseUrl = env.LINKS_BASE_URL ?? `https://${event.requestContext.domainName}`;
      app = apps.get(baseUrl) ?? createProviderLinksApp({ store, keys, uploads, clock, config: { baseUrl } });
      apps.set(baseUrl, app);
    } catch (error) {
      // Configuration is broken: a plain 500 for the provider, the reason in our logs.
      const e = error instanceof Error ? error : new Error(String(error));
      logger.error('provider-links setup failed', { error: { name: e.name, message: String(redact(e.message)) } });
      return renderPlainError(undefined);
    }
    return app(event);
  }

  return async (event: HttpEvent): Promise<HttpResult> => {
    const result = await respond(event);
    if (deps.metrics && method(event) === 'POST') {
      deps.metrics.count(METRIC.linkActions, 1, { [LINK_OUTCOME_DIMENSION]: linkOutcomeOf(result.statusCode ?? 200) });
      deps.metrics.flush();
    }
    return result;
  };
}

export const handler = createProviderLinksHandler({ metrics: lambdaMetrics() });
