/**
 * The operator API Lambda, behind the IAM-authorised HTTP API route
 * `ANY /operator/{proxy+}` (infra/constructs/apis.ts). Serves the JSON routes
 * of functions/operators/api.ts; every `inkoop --aws` command and the dashboard
 * (`inkoop dashboard --aws`) call it with SigV4-signed requests.
 *
 * Who acted, in the audit trail, is the IAM principal API Gateway verified
 * (its ARN; for an assumed role that ARN ends with the role session name).
 * Which role they hold is read from the role policies attached to them
 * (functions/operators/iam-roles.ts); a route outside it is a 403 naming the
 * role it needs.
 */
import type { APIGatewayProxyEventV2WithIAMAuthorizer } from 'aws-lambda';
import { z } from 'zod';
import { systemClock } from '../commons/clock.ts';
import { getDocumentClient, getIamClient, getS3Client, getSfnClient } from '../commons/clients.ts';
import { ForbiddenError } from '../commons/errors.ts';
import { createSfnExecutionStarter } from '../cycles/executions.ts';
import { withErrorMapping } from '../http/edge.ts';
import { Router } from '../http/router.ts';
import type { HttpEvent, HttpHandler } from '../http/types.ts';
import { adminPort } from '../operators/admin.ts';
import { addOperatorRoutes, renderJsonError, type Caller, type Identify } from '../operators/api.ts';
import type { OperatorDeps } from '../operators/deps.ts';
import { iamRoleOf, type RoleOf } from '../operators/iam-roles.ts';
import { resumePort, retryPort } from '../operators/retry.ts';
import { createOperatorService, type OperatorService } from '../operators/service.ts';
import { sfnExecutions } from '../operators/sfn-executions.ts';
import { createStore } from '../store/index.ts';
import { s3ImportFiles } from '../uploads/imports.ts';

export const operatorApiEnv = z.object({
  TABLE_NAME: z.string().min(1),
  STATE_MACHINE_ARN: z.string().min(1),
  DOCUMENTS_BUCKET: z.string().min(1),
  OPERATOR_VIEWER_POLICY_ARN: z.string().min(1),
  OPERATOR_PURCHASER_POLICY_ARN: z.string().min(1),
  OPERATOR_ADMINISTRATOR_POLICY_ARN: z.string().min(1),
});
export type OperatorApiEnv = z.infer<typeof operatorApiEnv>;

/** The IAM principal API Gateway verified. The route is IAM-only, so a request without one never reaches us; refuse it anyway. */
export function iamPrincipal(event: HttpEvent): string {
  const iam = (event as unknown as APIGatewayProxyEventV2WithIAMAuthorizer).requestContext.authorizer?.iam;
  const who = iam?.userArn;
  if (!who) throw new ForbiddenError('No IAM caller on the request');
  return who;
}

/** The caller: the verified principal as actor, its role from `roleOf`. */
export const iamCaller =
  (roleOf: RoleOf): Identify =>
  async (event): Promise<Caller> => {
    const actor = iamPrincipal(event);
    return { actor, role: await roleOf(actor) };
  };

/** The handler over a service (tests pass a fake one) and a way to know the caller; `handler` below builds the real ones. */
export function createOperatorApiHandler(service: OperatorService, identify: Identify): HttpHandler {
  return withErrorMapping(addOperatorRoutes(new Router(), service, identify).handle, renderJsonError);
}

export function depsFromEnvironment(env: OperatorApiEnv): OperatorDeps {
  const store = createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock: systemClock });
  const starter = createSfnExecutionStarter({ client: getSfnClient(), stateMachineArn: env.STATE_MACHINE_ARN });
  const executions = sfnExecutions(getSfnClient(), env.STATE_MACHINE_ARN);
  return {
    store,
    clock: systemClock,
    executions,
    retry: retryPort(store, starter),
    resume: resumePort(store, starter, executions),
    admin: adminPort({ store, clock: systemClock, starter, files: s3ImportFiles({ client: getS3Client(), bucket: env.DOCUMENTS_BUCKET, clock: systemClock }) }),
  };
}

export const roleOfFromEnvironment = (env: OperatorApiEnv): RoleOf =>
  iamRoleOf({
    client: getIamClient(),
    policyArns: { viewer: env.OPERATOR_VIEWER_POLICY_ARN, purchaser: env.OPERATOR_PURCHASER_POLICY_ARN, administrator: env.OPERATOR_ADMINISTRATOR_POLICY_ARN },
  });

let cached: HttpHandler | undefined;

export const handler: HttpHandler = async (event) => {
  if (!cached) {
    const env = operatorApiEnv.parse(process.env);
    cached = createOperatorApiHandler(createOperatorService(depsFromEnvironment(env)), iamCaller(roleOfFromEnvironment(env)));
  }
  return cached(event);
};
