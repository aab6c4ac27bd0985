/** How the sender treats an error from SES SendEmail. */
import { redact } from '../commons/logger.ts';

/**
 * - `throttled`: over the send-rate quota (or too many requests): retry with backoff.
 * - `transient`: 5xx, timeouts, network errors: retry with backoff.
 * - `halt`: the account or its setup cannot send at all (paused, suspended, domain not
 *   verified, configuration set missing): no message can go out, so stop the run.
 * - `permanent`: this message is refused (MessageRejected, BadRequest): fail it.
 */
export type SesErrorKind = 'throttled' | 'transient' | 'halt' | 'permanent';

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'SlowDown',
]);
const TRANSIENT = new Set([
  'InternalFailure',
  'InternalServerError',
  'InternalServiceError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'NetworkingError',
]);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);
const HALT = new Set(['AccountSuspendedException', 'SendingPausedException', 'MailFromDomainNotVerifiedException', 'NotFoundException']);

interface AwsLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function classifySesError(error: unknown): SesErrorKind {
  const e = (error ?? {}) as AwsLikeError;
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429 || e.$retryable?.throttling) return 'throttled';
  if (HALT.has(name)) return 'halt';
  if (TRANSIENT.has(name) || (status !== undefined && status >= 500) || (e.code && NETWORK_CODES.has(e.code)) || e.$retryable) {
    return 'transient';
  }
  return 'permanent';
}

/** "MessageRejected: Email address is not verified…", addresses redacted, bounded for the item. */
export function describeError(error: unknown): string {
  const e = (error ?? {}) as AwsLikeError;
  const text = `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
  return String(redact(text)).slice(0, 500);
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base·2^(attempt-1))). */
export function backoffMs(attempt: number, opts: { baseMs: number; maxMs: number }, random: () => number): number {
  return Math.floor(random() * Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1)));
}
