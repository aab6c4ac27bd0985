import { isDomainError, type DomainError } from '../commons/errors.ts';
import { logger, redact } from '../commons/logger.ts';
import { textResult, type HttpEvent, type HttpHandler, type HttpResult } from './types.ts';
import { MethodNotAllowedError } from '../commons/errors.ts';

/**
 * The HTTP edge: typed errors become their `httpStatus`, anything else a 500.
 * The body never carries a stack trace or an internal message, only what the
 * renderer makes of the error. Logs carry the request id and error code, never
 * the path or body: link paths hold tokens, forms hold email addresses.
 */

/** `error` is undefined for an unexpected failure (render a generic 500). */
export type ErrorRenderer = (error: DomainError | undefined, event: HttpEvent) => HttpResult;

export function withErrorMapping(handler: HttpHandler, render: ErrorRenderer = renderPlainError): HttpHandler {
  return async (event) => {
    try {
      return await handler(event);
    } catch (error) {
      const known = isDomainError(error) ? error : undefined;
      log(error, known, event);
      const result = safeRender(render, known, event);
      if (known instanceof MethodNotAllowedError) {
        result.headers = { ...result.headers, allow: known.allow.join(', ') };
      }
      return result;
    }
  };
}

function safeRender(render: ErrorRenderer, error: DomainError | undefined, event: HttpEvent): HttpResult {
  try {
    return render(error, event);
  } catch (renderError) {
    log(renderError, undefined, event);
    return renderPlainError(undefined);
  }
}

function log(error: unknown, known: DomainError | undefined, event: HttpEvent): void {
  const requestId = event.requestContext?.requestId;
  if (known && known.httpStatus < 500) {
    logger.info('request refused', { requestId, code: known.code, status: known.httpStatus });
    return;
  }
  const e = error instanceof Error ? error : new Error(String(error));
  logger.error('request failed', {
    requestId,
    code: known?.code,
    error: { name: e.name, message: redact(e.message), stack: redact(e.stack) },
  });
}

const PLAIN_MESSAGES: Record<number, string> = {
  400: 'Het verzoek is niet geldig.',
  403: 'U mag dit niet doen.',
  404: 'Deze pagina bestaat niet.',
  405: 'Deze pagina kan zo niet worden opgevraagd.',
  409: 'Dit kan nu niet.',
  410: 'Deze pagina is niet meer beschikbaar.',
  413: 'Het verzoek is te groot.',
  415: 'Dit soort verzoek wordt niet ondersteund.',
};

/** Status with a short Dutch sentence. Pages replace it with their own renderer. */
export function renderPlainError(error: DomainError | undefined): HttpResult {
  const status = error?.httpStatus ?? 500;
  return textResult(status, PLAIN_MESSAGES[status] ?? 'Er ging iets mis. Probeer het later opnieuw.');
}
