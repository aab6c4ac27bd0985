/**
 * The OperatorService against a deployed operator API (every `inkoop --aws`
 * command and `inkoop dashboard --aws`): every call is one request (SigV4-signed
 * by the given fetch) to a route of ./routes.ts. Error answers become the
 * typed errors again, so the CLI and the local pages answer as the Lambda did.
 * A 403 from API Gateway itself (IAM refused the route before the Lambda ran)
 * is turned into the message naming the role the route needs.
 */
import { ConflictError, DomainError, ForbiddenError, NotFoundError, TransitionRefusedError, ValidationError, type Issue } from '../commons/errors.ts';
import type { ErrorBody } from './api.ts';
import { UnavailableError } from './errors.ts';
import { OPERATOR_ROUTES, pathOf, roleRequired, type OperatorRoute } from './routes.ts';
import type { SignedFetch } from './sigv4.ts';
import type { OperatorService } from './service.ts';

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

/** The operator API (API Gateway) refused the request's credentials themselves: expired, or not valid. */
export class CredentialsRefusedError extends DomainError {
  readonly code = 'CredentialsRefused';
  readonly httpStatus = 403;
}

function errorOf(status: number, body: Partial<ErrorBody> & { message?: string; Message?: string } | undefined, route: OperatorRoute): DomainError {
  const code = body?.error?.code ?? 'RemoteError';
  const message = body?.error?.message ?? `The operator API answered ${status}`;
  if (status === 403 && !body?.error) {
    // API Gateway's own answer: `{"message":"Forbidden"}` when IAM refuses the route, or a signature/token problem.
    const gateway = body?.message ?? body?.Message ?? '';
    if (/expired/i.test(gateway)) return new CredentialsRefusedError('Your AWS credentials have expired: sign in again (e.g. aws sso login) and retry');
    if (/signature|security token|access key/i.test(gateway)) return new CredentialsRefusedError(`The operator API refused your AWS credentials: ${gateway}`);
    return roleRequired(route);
  }
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

export function createRemoteOperatorService(options: { baseUrl: string; fetch: SignedFetch }): OperatorService {
  const base = options.baseUrl.replace(/\/$/, '');

  async function call<T>(route: OperatorRoute, params: Record<string, string> = {}, init: { query?: object; body?: unknown } = {}): Promise<T> {
    const body = init.body ?? (route.method === 'POST' ? {} : undefined);
    const response = await options.fetch(`${base}${pathOf(route, params)}${q((init.query ?? {}) as Record<string, string>)}`, {
      method: route.method,
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const payload = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) throw errorOf(response.status, payload as Partial<ErrorBody> | undefined, route);
    return payload as T;
  }
  const R = OPERATOR_ROUTES;

  // `by` is never sent: the API records the IAM caller.
  return {
    cycles: () => call(R.cycles),
    cycle: (cycleId) => call(R.cycle, { cycleId }),
    decisionQueue: (cycleId) => call(R.decisionQueue, { cycleId }),
    decide: (t, input) => call(R.decide, t, { body: input }),
    questions: (cycleId, filter = {}) => call(R.questions, { cycleId }, { query: filter }),
    findQuestion: (questionId, cycle) => call(R.findQuestion, { questionId }, { query: { cycle } }),
    answer: (t, input) => call(R.answer, { cycleId: t.cycleId, questionId: t.id }, { body: input }),
    retry: (cycleId, milestoneId) => call(R.retry, { cycleId, milestoneId }),
    resume: (cycleId) => call(R.resume, { cycleId }),
    emails: (filter = {}) => call(R.emails, {}, { query: filter }),
    searchProviders: (search) => call(R.searchProviders, {}, { query: search }),
    provider: (agb) => call(R.provider, { agb }),
    clock: () => call(R.clock),
    advanceClock: () => call(R.advanceClock),
    createCycle: (input) => call(R.createCycle, {}, { body: input }),
    startCycle: (cycleId) => call(R.startCycle, { cycleId }),
    amend: (target, input) => call(R.amend, target, { body: input }),
    importUpload: (request) => call(R.importUpload, {}, { body: request }),
    importProviders: (request) => call(R.importProviders, {}, { body: request }),
    unreachable: () => call(R.unreachable),
    correctContact: (agb, input) => call(R.correctContact, { agb }, { body: input }),
  };
}
