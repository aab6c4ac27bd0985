/**
 * A local stand-in for API Gateway in front of the operator API Lambda, for
 * integration tests: SigV4 is verified for real (./sigv4-authoriser.ts, known
 * test credentials), IAM's decision is the caller's role policy (the routes
 * of functions/operators/routes.ts its role allows, as the managed policies
 * do), and the verified principal goes into requestContext.authorizer.iam, as
 * API Gateway's IAM authoriser puts it there. Refusals are API Gateway's own
 * answers: 403 `{ "message": … }`.
 */
import type { HttpEvent, HttpHandler, HttpResult } from '../../functions/http/types.ts';
import { bodyBytes } from '../../functions/http/types.ts';
import { roleAllows, routeOf, type OperatorRole } from '../../functions/operators/routes.ts';
import { verifySigV4, type TestPrincipal } from './sigv4-authoriser.ts';

const refuse = (message: string): HttpResult => ({ statusCode: 403, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }) });

export function iamGateway(lambda: HttpHandler, options: { region: string; known: Record<string, TestPrincipal & { role?: OperatorRole }> }): HttpHandler {
  return async (event: HttpEvent) => {
    const path = event.rawPath ?? event.requestContext.http.path;
    const method = event.requestContext.http.method;
    const verdict = verifySigV4(
      { method, url: `${path}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`, headers: event.headers, body: bodyBytes(event).toString('utf8') },
      options.known,
      { region: options.region, service: 'execute-api' },
    );
    if (!verdict.ok) return refuse(verdict.message);
    const route = routeOf(method, path);
    const role = options.known[verdict.accessKeyId].role;
    // IAM: the role policy allows exactly its routes; anything else (unknown paths included) is refused here.
    if (!route || !roleAllows(role, route.role)) return refuse('Forbidden');
    return lambda({
      ...event,
      requestContext: {
        ...event.requestContext,
        authorizer: { iam: { userArn: verdict.principal.arn, accountId: verdict.principal.accountId, accessKey: verdict.accessKeyId, callerId: 'AROATEST' } },
      },
    } as HttpEvent);
  };
}
