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
import type { z } from 'zod';
import { systemClock } from '../commons/clock.ts';
import { lazy, type DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
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
import { s3ImportFiles } from '../operators/s3-import-files.ts';

export const operatorApiEnv = envSchema({
  TABLE_NAME: envValue.text,
  STATE_MACHINE_ARN: envValue.text,
  /** Import files an administrator uploaded (`inkoop providers import --aws`). */
  DOCUMENTS_BUCKET: envValue.text,
  OPERATOR_VIEWER_POLICY_ARN: envValue.text,
  OPERATOR_PURCHASER_POLICY_ARN: envValue.text,
  OPERATOR_ADMINISTRATOR_POLICY_ARN: envValue.text,
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

export interface OperatorApiDeps {
  service: OperatorService;
  /** Who calls, and in which role (AWS: the IAM principal and its role policy). */
  identify: Identify;
}

function operatorDeps(env: OperatorApiEnv): OperatorDeps {
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

export const awsOperatorApiDeps = (env: OperatorApiEnv): OperatorApiDeps => ({
  service: createOperatorService(operatorDeps(env)),
  identify: iamCaller(
    iamRoleOf({
      client: getIamClient(),
      policyArns: { viewer: env.OPERATOR_VIEWER_POLICY_ARN, purchaser: env.OPERATOR_PURCHASER_POLICY_ARN, administrator: env.OPERATOR_ADMINISTRATOR_POLICY_ARN },
    }),
  ),
});

/**
 * The operator API over a service and a way to know the caller (tests pass fakes). Built on the first
 * request; a broken configuration is then a 500 whose reason is logged.
 */
export function createOperatorApiHandler(deps: DepsSource<OperatorApiDeps> = () => awsOperatorApiDeps(readEnv(operatorApiEnv))): HttpHandler {
  const routes = lazy(() => {
    const { service, identify } = lazy(deps)();
    return { handle: addOperatorRoutes(new Router(), service, identify).handle };
  });
  return withErrorMapping((event) => routes().handle(event), renderJsonError);
}

export const handler = createOperatorApiHandler();
