/**
 * The OperatorService against a deployed operator API (`inkoop dashboard --aws`):
 * every call is one request (SigV4-signed by the given fetch) to the same
 * routes ./api.ts serves. Error answers become the typed errors again, so the
 * local pages and API answer the same statuses as the Lambda did.
 */
import { ConflictError, DomainError, ForbiddenError, NotFoundError, TransitionRefusedError, ValidationError, type Issue } from '../commons/errors.ts';
import type { ErrorBody } from './api.ts';
import type { DecisionResult } from './decisions.ts';
import type { EmailFilter } from './emails.ts';
import { UnavailableError } from './errors.ts';
import type { SignedFetch } from './sigv4.ts';
import type { AdvanceResult, OperatorService, RetryResult } from './service.ts';
import type { ClockView, CycleStatusView, DecisionQueueView, EmailLogView, ProviderHistoryView, ProviderMatch, QuestionView } from './views.ts';

/** Any other status the remote API answered. */
export class RemoteError extends DomainError {
  readonly code: string;
  readonly httpStatus: number;
  constructor(status: number, code: string, message: string) {
    super(message, { status });
    this.code = code;
    this.httpStatus = status;
  }
}

function errorOf(status: number, body: Partial<ErrorBody> | undefined): DomainError {
  const code = body?.error?.code ?? 'RemoteError';
  const message = body?.error?.message ?? `The operator API answered ${status}`;
  if (status === 400 && code === 'ValidationError') return new ValidationError(message, (body?.error?.issues ?? []) as Issue[]);
  if (status === 404) return new NotFoundError(message);
  if (status === 403) return new ForbiddenError(message);
  if (status === 409) return code === 'TransitionRefused' ? new TransitionRefusedError(message) : new ConflictError(message);
  if (status === 501) return new UnavailableError(message);
  return new RemoteError(status >= 500 ? 502 : status, code, message);
}

const q = (params: Record<string, string | number | undefined>): string => {
  const search = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
  const text = search.toString();
  return text ? `?${text}` : '';
};
const seg = encodeURIComponent;

export function createRemoteOperatorService(options: { baseUrl: string; fetch: SignedFetch }): OperatorService {
  const base = options.baseUrl.replace(/\/$/, '');

  async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const response = await options.fetch(`${base}/operator${path}`, {
      method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const payload = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) throw errorOf(response.status, payload as Partial<ErrorBody> | undefined);
    return payload as T;
  }

  return {
    cycles: () => call<CycleStatusView[]>('GET', '/cycles'),
    cycle: (cycleId) => call<CycleStatusView>('GET', `/cycles/${seg(cycleId)}`),
    decisionQueue: (cycleId) => call<DecisionQueueView>('GET', `/cycles/${seg(cycleId)}/decisions`),
    // `by` is not sent: the API records the IAM caller.
    decide: (t, input) => call<DecisionResult>('POST', `/cycles/${seg(t.cycleId)}/applications/${seg(t.agb)}/decision`, input),
    questions: (cycleId, filter = {}) => call<QuestionView[]>('GET', `/cycles/${seg(cycleId)}/questions${q(filter)}`),
    answer: (t, input) => call<QuestionView>('POST', `/cycles/${seg(t.cycleId)}/questions/${seg(t.id)}/answer`, input),
    // `by` is not sent here either.
    retry: (cycleId, milestoneId) => call<RetryResult>('POST', `/cycles/${seg(cycleId)}/milestones/${seg(milestoneId)}/retry`, {}),
    emails: (filter: EmailFilter = {}) => call<EmailLogView>('GET', `/emails${q(filter as Record<string, string | number | undefined>)}`),
    searchProviders: (search) => call<ProviderMatch[]>('GET', `/providers${q(search as Record<string, string | number | undefined>)}`),
    provider: (agb) => call<ProviderHistoryView>('GET', `/providers/${seg(agb)}`),
    clock: () => call<ClockView>('GET', '/clock'),
    advanceClock: () => call<AdvanceResult>('POST', '/clock/advance', {}),
  };
}
