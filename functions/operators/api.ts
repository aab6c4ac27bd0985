/**
 * The operator JSON API, `/operator/...`: the same routes behind IAM in AWS
 * (functions/handlers/operator-api.ts) and on the local dashboard. The routes
 * and the role each needs are ./routes.ts; every request is checked against
 * the caller's role before anything is read. Every input (path, query, body)
 * is parsed with zod; a bad one is a 400 that names the fields. Errors are
 * JSON: `{ error: { code, message, issues? } }`.
 */
import { z } from 'zod';
import { ValidationError, type DomainError, type Issue } from '../commons/errors.ts';
import { agbCode } from '../domain/index.ts';
import type { ErrorRenderer } from '../http/edge.ts';
import type { Router, RouteRequest } from '../http/router.ts';
import { bodyBytes, header, mediaType, type HttpEvent, type HttpResult } from '../http/types.ts';
import { UnsupportedMediaTypeError } from '../commons/errors.ts';
import { amendSchema, createCycleSchema, importSchema, importUploadSchema } from './admin.ts';
import { correctContactSchema } from './contacts.ts';
import { decisionSchema } from './decisions.ts';
import { emailFilterSchema } from './emails.ts';
import { providerSearchSchema } from './providers.ts';
import { answerSchema, questionFilterSchema } from './questions.ts';
import { OPERATOR_PREFIX, OPERATOR_ROUTES, roleAllows, roleRequired, type OperatorRole, type OperatorRoute } from './routes.ts';
import type { OperatorService } from './service.ts';

export { OPERATOR_PREFIX } from './routes.ts';

/** Who is calling: the actor the audit trail records, and the role they hold. */
export interface Caller {
  actor: string;
  /** Undefined: none of the three roles (every route answers 403). */
  role: OperatorRole | undefined;
}

/** Who is calling, from the request (IAM in AWS; the OS user on this machine). */
export type Identify = (event: HttpEvent) => Caller | Promise<Caller>;

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

/** Adds the operator routes to a router; each refuses (403, naming the role) a caller whose role does not include it. */
export function addOperatorRoutes(router: Router, service: OperatorService, identify: Identify): Router {
  const params = <S extends z.ZodType>(r: RouteRequest, schema: S) => parseWith(schema, r.params, 'path');
  const ok = async (value: Promise<unknown>) => jsonResult(200, await value);
  const on = (route: OperatorRoute, handle: (r: RouteRequest, caller: Caller) => Promise<HttpResult>) =>
    router.on(route.method, `${OPERATOR_PREFIX}${route.path}`, async (r) => {
      const caller = await identify(r.event);
      if (!roleAllows(caller.role, route.role)) throw roleRequired(route);
      return handle(r, caller);
    });
  const R = OPERATOR_ROUTES;

  on(R.cycles, async () => ok(service.cycles()));
  on(R.createCycle, async (r) => ok(service.createCycle(parseWith(createCycleSchema, jsonBody(r.event), 'body'))));
  on(R.cycle, async (r) => ok(service.cycle(params(r, z.object({ cycleId })).cycleId)));
  on(R.startCycle, async (r) => jsonResult(202, await service.startCycle(params(r, z.object({ cycleId })).cycleId)));
  on(R.decisionQueue, async (r) => ok(service.decisionQueue(params(r, z.object({ cycleId })).cycleId)));
  on(R.decide, async (r, caller) => {
    const target = params(r, z.object({ cycleId, agb: agbCode }));
    const input = parseWith(decisionSchema, jsonBody(r.event), 'body');
    return ok(service.decide(target, input, caller.actor));
  });
  on(R.questions, async (r) => {
    const { cycleId: id } = params(r, z.object({ cycleId }));
    return ok(service.questions(id, parseWith(questionFilterSchema, query(r.event), 'query')));
  });
  on(R.findQuestion, async (r) => {
    const { questionId: id } = params(r, z.object({ questionId }));
    return ok(service.findQuestion(id, parseWith(z.object({ cycle: cycleId.optional() }), query(r.event), 'query').cycle));
  });
  on(R.answer, async (r, caller) => {
    const target = params(r, z.object({ cycleId, questionId }));
    const input = parseWith(answerSchema, jsonBody(r.event), 'body');
    return ok(service.answer({ cycleId: target.cycleId, id: target.questionId }, input, caller.actor));
  });
  on(R.amend, async (r, caller) => {
    const target = params(r, z.object({ cycleId, milestoneId }));
    return ok(service.amend(target, parseWith(amendSchema, jsonBody(r.event), 'body'), caller.actor));
  });
  on(R.retry, async (r, caller) => {
    const target = params(r, z.object({ cycleId, milestoneId }));
    return jsonResult(202, await service.retry(target.cycleId, target.milestoneId, caller.actor));
  });
  on(R.resume, async (r, caller) => jsonResult(202, await service.resume(params(r, z.object({ cycleId })).cycleId, caller.actor)));
  on(R.emails, async (r) => ok(service.emails(parseWith(emailFilterSchema, query(r.event), 'query'))));
  on(R.searchProviders, async (r) => ok(service.searchProviders(parseWith(providerSearchSchema, query(r.event), 'query'))));
  on(R.importUpload, async (r) => ok(service.importUpload(parseWith(importUploadSchema, jsonBody(r.event), 'body'))));
  on(R.importProviders, async (r) => ok(service.importProviders(parseWith(importSchema, jsonBody(r.event), 'body'))));
  on(R.provider, async (r) => ok(service.provider(params(r, z.object({ agb: agbCode })).agb)));
  on(R.clock, async () => ok(service.clock()));
  on(R.unreachable, async () => ok(service.unreachable()));
  on(R.correctContact, async (r, caller) => {
    const { agb } = params(r, z.object({ agb: agbCode }));
    return ok(service.correctContact(agb, parseWith(correctContactSchema, jsonBody(r.event), 'body'), caller.actor));
  });
  on(R.advanceClock, async () => ok(service.advanceClock()));
  return router;
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
