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
import { createOperatorService, type OperatorService } from '../operators/service.ts';
import { retryPort } from '../operators/retry.ts';
import { sfnExecutions } from '../operators/sfn-executions.ts';
import { createSfnExecutionStarter } from '../cycles/executions.ts';
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

/** The handler over a service (tests pass a fake one); `handler` below builds the real one from the environment. */
export function createOperatorApiHandler(service: OperatorService, identify: Identify = iamCaller): HttpHandler {
  return withErrorMapping(addOperatorRoutes(new Router(), service, identify).handle, renderJsonError);
}

export function depsFromEnvironment(): OperatorDeps {
  const store = createStore({ client: getDocumentClient(), tableName: requiredEnv('TABLE_NAME'), clock: systemClock });
  const stateMachineArn = requiredEnv('STATE_MACHINE_ARN');
  return {
    store,
    clock: systemClock,
    executions: sfnExecutions(getSfnClient(), stateMachineArn),
    retry: retryPort(store, createSfnExecutionStarter({ client: getSfnClient(), stateMachineArn })),
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

let cached: HttpHandler | undefined;

export const handler: HttpHandler = async (event) => {
  cached ??= createOperatorApiHandler(createOperatorService(depsFromEnvironment()));
  return cached(event);
};
