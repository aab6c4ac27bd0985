/**
 * The operator app: the JSON operator API (`/operator/...`, the same routes
 * the Lambda serves behind IAM) plus the dashboard pages and their assets,
 * behind the loopback session guard (functions/dashboard/session.ts).
 *
 * Locally it runs on the store and the rehearsal's ports; in AWS mode
 * (`inkoop dashboard --aws`) it is given a remote service instead, whose every
 * call is a SigV4-signed request to the deployed operator API, so the pages
 * and the `/operator/...` routes here behave the same either way.
 */
import { userInfo } from 'node:os';
import { withErrorMapping, type ErrorRenderer } from '../http/edge.ts';
import { Router } from '../http/router.ts';
import type { HttpHandler } from '../http/types.ts';
import { addDashboardRoutes, renderHtmlError } from './routes.ts';
import { createSession, entryUrl, withSession, type DashboardSession } from './session.ts';
import { OPERATOR_PREFIX, addOperatorRoutes, renderJsonError } from '../operators/api.ts';
import type { OperatorDeps } from '../operators/deps.ts';
import { createOperatorService, type OperatorService } from '../operators/service.ts';

interface AppOptions {
  /** The local mailbox page (rehearsal), linked from the dashboard. */
  mailboxUrl?: string;
  /** The session token; random (32 bytes) when absent. */
  sessionToken?: string;
  /** Who acts in the audit trail; default localActor(). A remote service ignores it (the API records the IAM caller). */
  actor?: () => string;
}

export type OperatorAppDeps = (OperatorDeps | { service: OperatorService }) & AppOptions;

/** An HttpHandler (serve it with functions/http/node-server.ts) that knows its session. */
export type OperatorApp = HttpHandler & {
  readonly session: DashboardSession;
  /** The address to open: `<baseUrl>/?session=<token>`. */
  entryUrl(baseUrl: string): string;
};

/**
 * Who acts from this machine: the OS user, labelled local (`local:anna`). Never
 * a flag or an environment variable; in AWS the API records the IAM principal.
 */
export const localActor = (): string => `local:${userInfo().username}`;

const renderByPath: ErrorRenderer = (error, event) =>
  (event.rawPath ?? '').startsWith(`${OPERATOR_PREFIX}/`) ? renderJsonError(error, event) : renderHtmlError(error, event);

export function createOperatorApp(deps: OperatorAppDeps): OperatorApp {
  const service = 'service' in deps ? deps.service : createOperatorService(deps);
  const session = createSession(deps.sessionToken);
  const actor = deps.actor ?? localActor;
  const router = new Router();
  // The operator's own machine and data: every role. In AWS mode the remote API checks the IAM caller's role again.
  addOperatorRoutes(router, service, () => ({ actor: actor(), role: 'administrator' }));
  addDashboardRoutes(router, { service, session, actor, mailboxUrl: deps.mailboxUrl });
  const handler = withErrorMapping(withSession(router.handle, session), renderByPath);
  return Object.assign(handler, { session, entryUrl: (baseUrl: string) => entryUrl(baseUrl, session) });
}
