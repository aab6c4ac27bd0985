/**
 * Lambda behind the provider-links HTTP API (API Gateway HTTP API, payload
 * 2.0, throttled at the stage): the same app the local runtime serves
 * (functions/links/app.ts). In AWS the link key comes from Secrets Manager and
 * documents go straight from the browser to S3 with a presigned POST
 * (functions/uploads/s3.ts); the form posts that reach this function carry
 * text only, well under Lambda's 6 MB payload limit.
 *
 * The base URL of links and redirects is the API's own domain from the
 * request, since the stack cannot hand this function its own API URL without a
 * dependency cycle (infra/functions.ts); `baseUrl` in the deps overrides it.
 */
import type { z } from 'zod';
import { getDocumentClient, getS3Client } from '../commons/clients.ts';
import { systemClock, type Clock } from '../commons/clock.ts';
import { lazy, type DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
import { logger, redact } from '../commons/logger.ts';
import { LINK_OUTCOME_DIMENSION, linkOutcomeOf, METRIC } from '../commons/metric-names.ts';
import { lambdaMetrics, type MetricsPort } from '../commons/metrics.ts';
import { renderPlainError } from '../http/edge.ts';
import { method, type HttpEvent, type HttpHandler, type HttpResult } from '../http/types.ts';
import { createProviderLinksApp } from '../links/app.ts';
import type { LinksStore } from '../links/ports.ts';
import { SecretsManagerLinkKeyProvider, type LinkKeyProvider } from '../links/keys.ts';
import { createStore } from '../store/index.ts';
import { S3UploadStore } from '../uploads/s3.ts';
import type { UploadStore } from '../uploads/types.ts';

export const providerLinksEnv = envSchema({
  TABLE_NAME: envValue.text,
  LINK_SECRET_ARN: envValue.text,
  DOCUMENTS_BUCKET: envValue.text,
  DOCUMENTS_UPLOAD_PREFIX: envValue.text,
});
export type ProviderLinksEnv = z.infer<typeof providerLinksEnv>;

export interface ProviderLinksDeps {
  store: LinksStore;
  keys: LinkKeyProvider;
  uploads: UploadStore;
  clock: Clock;
  /** Base URL of links and redirects (a custom domain); without it, the request's own domain. */
  baseUrl?: string;
  /** Provider form posts by outcome (commons/metric-names.ts LINK_OUTCOMES). */
  metrics?: MetricsPort;
}

export function awsProviderLinksDeps(env: ProviderLinksEnv): ProviderLinksDeps {
  const clock = systemClock;
  return {
    store: createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock }),
    keys: new SecretsManagerLinkKeyProvider(env.LINK_SECRET_ARN),
    uploads: new S3UploadStore({ client: getS3Client(), bucket: env.DOCUMENTS_BUCKET, prefix: env.DOCUMENTS_UPLOAD_PREFIX, clock }),
    clock,
    metrics: lambdaMetrics(),
  };
}

export function createProviderLinksHandler(deps: DepsSource<ProviderLinksDeps> = () => awsProviderLinksDeps(readEnv(providerLinksEnv))): HttpHandler {
  // Built on the first request (a missing variable is then a plain 500 with the reason in our logs,
  // not an import crash); one app per base URL, kept while the container is warm.
  const get = lazy(deps);
  const apps = new Map<string, HttpHandler>();

  function appFor(event: HttpEvent): HttpHandler {
    const { store, keys, uploads, clock, baseUrl: configured } = get();
    const baseUrl = configured ?? `https://${event.requestContext.domainName}`;
    const app = apps.get(baseUrl) ?? createProviderLinksApp({ store, keys, uploads, clock, config: { baseUrl } });
    apps.set(baseUrl, app);
    return app;
  }

  return async (event: HttpEvent): Promise<HttpResult> => {
    let app: HttpHandler;
    try {
      app = appFor(event);
    } catch (error) {
      // Configuration is broken: a plain 500 for the provider, the reason in our logs.
      const e = error instanceof Error ? error : new Error(String(error));
      logger.error('provider-links setup failed', { error: { name: e.name, message: String(redact(e.message)) } });
      return renderPlainError(undefined);
    }
    const result = await app(event);
    const { metrics } = get();
    if (metrics && method(event) === 'POST') {
      metrics.count(METRIC.linkActions, 1, { [LINK_OUTCOME_DIMENSION]: linkOutcomeOf(result.statusCode ?? 200) });
      metrics.flush();
    }
    return result;
  };
}

export const handler = createProviderLinksHandler();
