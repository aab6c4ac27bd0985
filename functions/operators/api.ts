/**
 * The operator JSON API, `/operator/...`: the same routes behind IAM in AWS
 * (functions/handlers/operator-api.ts) and on the local dashboard. Every input
 * (path, query, body) is parsed with zod; a bad one is a 400 that names the
 * fields. Errors are JSON: `{ error: { code, message, issues? } }`.
 */
import { z } from 'zod';
import { ValidationError, type DomainError, type Issue } from '../commons/errors.ts';
import { agbCode } from '../domain/index.ts';
import type { ErrorRenderer } from '../http/edge.ts';
import { Router, type RouteRequest } from '../http/router.ts';
import { UnsupportedMediaTypeError, bodyBytes, header, mediaType, type HttpEvent, type HttpResult } from '../http/types.ts';
import { decisionSchema } from './decisions.ts';
import { emailFilterSchema } from './emails.ts';
import { providerSearchSchema } from './providers.ts';
import { answerSchema, questionFilterSchema } from './questions.ts';
import type { OperatorService } from './service.ts';

export const OPERATOR_PREFIX = '/operator';

/** Who is calling, for the audit trail. */
export type Identify = (event: HttpEvent) => string;

const cycleId = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a cycle id of lower-case letters, digits and dashes');
const milestoneId = z.string().regex(/^[a-z0-9][a-z0-9-]*(#[a-z0-9-]+)?$/, 'a milestone id (or step id)');
const questionId = z.string().min(1).max(200);

export const jsonResult = (statusCode: number, value: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers },
  body: JSON.stringify(value),
});

/** zod issues as our Issues, with the part of the request they are in (`body.reason`, `path.agb`). */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where: 'body' | 'query' | 'path'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues: Issue[] = parsed.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  throw new ValidationError(`Invalid ${where}: ${issues.map((i) => i.path).join(', ')}`, issues);
}

function jsonBody(event: HttpEvent): unknown {
  const type = mediaType(header(event, 'content-type'));
  const bytes = bodyBytes(event);
  if (bytes.length === 0) return {};
  if (type !== 'application/json') throw new UnsupportedMediaTypeError(`expected application/json, got ${type || 'no content type'}`);
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    throw new ValidationError('Invalid body: not JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
}

const query = (event: HttpEvent): Record<string, string> => ({ ...event.queryStringParameters }) as Record<string, string>;

/** Adds the operator routes to a router. */
export function addOperatorRoutes(router: Router, service: OperatorService, identify: Identify): Router {
  const p = (path: string) => `${OPERATOR_PREFIX}${path}`;
  const params = <S extends z.ZodType>(r: RouteRequest, schema: S) => parseWith(schema, r.params, 'path');
  const ok = async (value: Promise<unknown>) => jsonResult(200, await value);

  return router
    .get(p('/cycles'), async () => ok(service.cycles()))
    .get(p('/cycles/:cycleId'), async (r) => ok(service.cycle(params(r, z.object({ cycleId })).cycleId)))
    .get(p('/cycles/:cycleId/decisions'), async (r) => ok(service.decisionQueue(params(r, z.object({ cycleId })).cycleId)))
    .post(p('/cycles/:cycleId/applications/:agb/decision'), async (r) => {
      const target = params(r, z.object({ cycleId, agb: agbCode }));
      const input = parseWith(decisionSchema, jsonBody(r.event), 'body');
      return ok(service.decide(target, input, identify(r.event)));
    })
    .get(p('/cycles/:cycleId/questions'), async (r) => {
      const { cycleId: id } = params(r, z.object({ cycleId }));
      return ok(service.questions(id, parseWith(questionFilterSchema, query(r.event), 'query')));
    })
    .post(p('/cycles/:cycleId/questions/:questionId/answer'), async (r) => {
      const target = params(r, z.object({ cycleId, questionId }));
      const input = parseWith(answerSchema, jsonBody(r.event), 'body');
      return ok(service.answer({ cycleId: target.cycleId, id: target.questionId }, input, identify(r.event)));
    })
    .post(p('/cycles/:cycleId/milestones/:milestoneId/retry'), async (r) => {
      const target = params(r, z.object({ cycleId, milestoneId }));
      return jsonResult(202, await service.retry(target.cycleId, target.milestoneId, identify(r.event)));
    })
    .get(p('/emails'), async (r) => ok(service.emails(parseWith(emailFilterSchema, query(r.event), 'query'))))
    .get(p('/providers'), async (r) => ok(service.searchProviders(parseWith(providerSearchSchema, query(r.event), 'query'))))
    .get(p('/providers/:agb'), async (r) => ok(service.provider(params(r, z.object({ agb: agbCode })).agb)))
    .get(p('/clock'), async () => ok(service.clock()))
    .post(p('/clock/advance'), async () => ok(service.advanceClock()));
}

export interface ErrorBody {
  error: { code: string; message: string; issues?: Issue[] };
}

/** JSON errors for the API; a 500 says nothing about its cause. */
export const renderJsonError: ErrorRenderer = (error: DomainError | undefined) => {
  if (!error) return jsonResult(500, { error: { code: 'Internal', message: 'Internal error' } } satisfies ErrorBody);
  const issues = error instanceof ValidationError && error.issues.length ? { issues: error.issues } : {};
  return jsonResult(error.httpStatus, { error: { code: error.code, message: error.message, ...issues } } satisfies ErrorBody);
};
