/**
 * The operator API Lambda, behind the IAM-authorised HTTP API route
 * `ANY /operator/{proxy+}` (infra/constructs/apis.ts). Serves only the JSON
 * routes of functions/operators/api.ts; the dashboard pages run on the
 * operator's own machine (`inkoop dashboard --aws`) and call this API with
 * SigV4-signed requests. Who acted, in the audit trail, is the IAM caller.
 *
 * Environment: TABLE_NAME, STATE_MACHINE_ARN.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { systemClock } from '../commons/clock.ts';
import { getDocumentClient, getSfnClient } from '../commons/clients.ts';
import { ForbiddenError } from '../commons/errors.ts';
import { withErrorMapping } from '../http/edge.ts';
import { Router } from '../http/router.ts';
import type { HttpEvent, HttpHandler } from '../http/types.ts';
import { addOperatorRoutes, renderJsonError, type Identify } from '../operators/api.ts';
import type { OperatorDeps } from '../operators/deps.ts';
import { createOperatorService } from '../operators/service.ts';
import { sfnExecutions } from '../operators/sfn-executions.ts';
import { createStore } from '../store/index.ts';

/**
 * The caller's IAM identity as API Gateway verified it. The route is IAM-only,
 * so a request without one never reaches us; refuse it anyway.
 */
export const iamCaller: Identify = (event: HttpEvent) => {
  const iam = (event as unknown as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext.authorizer?.iam;
  const who = iam?.userArn || iam?.userId;
  if (!who) throw new ForbiddenError('No IAM caller on the request');
  return who;
};

export function createOperatorApiHandler(deps: OperatorDeps, identify: Identify = iamCaller): HttpHandler {
  return withErrorMapping(addOperatorRoutes(new Router(), createOperatorService(deps), identify).handle, renderJsonError);
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

let cached: HttpHandler | undefined;

export const handler: HttpHandler = async (event) => {
  cached ??= createOperatorApiHandler({
    store: createStore({ client: getDocumentClient(), tableName: requiredEnv('TABLE_NAME'), clock: systemClock }),
    clock: systemClock,
    executions: sfnExecutions(getSfnClient(), requiredEnv('STATE_MACHINE_ARN')),
  });
  return cached(event);
};
