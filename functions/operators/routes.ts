/**
 * The operator API's routes and who may call them: the one table the API
 * (./api.ts), its client (./client.ts), the CLI's 403 message and the three
 * IAM managed policies (infra/constructs/apis.ts) are all built from, so a
 * route cannot exist without a role, and a policy cannot name a route the API
 * does not serve.
 *
 * Roles are cumulative: a purchaser may do what a viewer may, an administrator
 * what a purchaser may. Each role is one managed policy; attach one per person.
 */
import { ForbiddenError } from '../commons/errors.ts';

export const OPERATOR_PREFIX = '/operator';

export const OPERATOR_ROLES = ['viewer', 'purchaser', 'administrator'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

/** The stack output holding each role's managed policy ARN (infra/stack.ts). */
export const ROLE_POLICY_OUTPUTS: Record<OperatorRole, string> = {
  viewer: 'OperatorViewerPolicyArn',
  purchaser: 'OperatorPurchaserPolicyArn',
  administrator: 'OperatorAdministratorPolicyArn',
};

/** Who each role is for: the policies' descriptions, the stack outputs' and the README's. */
export const ROLE_POLICY_DESCRIPTIONS: Record<OperatorRole, string> = {
  viewer: 'Operator viewer: attach to whoever watches the cycles (status, provider, questions, dashboard).',
  purchaser: "Operator purchaser: attach to purchasers (the viewer's routes, plus decide and answer questions).",
  administrator:
    "Operator administrator: attach to the team that runs the calendar (the purchaser's routes, plus cycle create/start/resume, amend, milestone retry, provider import).",
};

export interface OperatorRoute {
  method: 'GET' | 'POST';
  /** Under OPERATOR_PREFIX; `:name` is one path segment. */
  path: string;
  role: OperatorRole;
  /** What the route does, in the words of the command that calls it (403 messages). */
  does: string;
}

export const OPERATOR_ROUTES = {
  cycles: { method: 'GET', path: '/cycles', role: 'viewer', does: 'list cycles (inkoop status, cycle list)' },
  cycle: { method: 'GET', path: '/cycles/:cycleId', role: 'viewer', does: 'show a cycle (inkoop status <cycle>)' },
  decisionQueue: { method: 'GET', path: '/cycles/:cycleId/decisions', role: 'viewer', does: 'show the decision queue' },
  questions: { method: 'GET', path: '/cycles/:cycleId/questions', role: 'viewer', does: 'list questions (inkoop questions)' },
  findQuestion: { method: 'GET', path: '/questions/:questionId', role: 'viewer', does: 'find a question' },
  emails: { method: 'GET', path: '/emails', role: 'viewer', does: 'list emails' },
  searchProviders: { method: 'GET', path: '/providers', role: 'viewer', does: 'search providers' },
  provider: { method: 'GET', path: '/providers/:agb', role: 'viewer', does: 'show a provider (inkoop provider)' },
  clock: { method: 'GET', path: '/clock', role: 'viewer', does: 'read the clock' },
  unreachable: { method: 'GET', path: '/unreachable', role: 'viewer', does: 'list providers nobody can reach by email (inkoop contact unreachable)' },

  decide: { method: 'POST', path: '/cycles/:cycleId/applications/:agb/decision', role: 'purchaser', does: 'decide (inkoop decide)' },
  answer: { method: 'POST', path: '/cycles/:cycleId/questions/:questionId/answer', role: 'purchaser', does: 'answer a question (inkoop questions answer)' },
  correctContact: { method: 'POST', path: '/providers/:agb/contacts', role: 'purchaser', does: "correct a contact's address (inkoop contact correct)" },

  createCycle: { method: 'POST', path: '/cycles', role: 'administrator', does: 'create a cycle (inkoop cycle create)' },
  startCycle: { method: 'POST', path: '/cycles/:cycleId/start', role: 'administrator', does: 'start a cycle (inkoop cycle start)' },
  amend: { method: 'POST', path: '/cycles/:cycleId/milestones/:milestoneId/amend', role: 'administrator', does: 'amend a date (inkoop calendar amend)' },
  retry: { method: 'POST', path: '/cycles/:cycleId/milestones/:milestoneId/retry', role: 'administrator', does: 'retry a milestone (inkoop milestone retry)' },
  resume: { method: 'POST', path: '/cycles/:cycleId/resume', role: 'administrator', does: 'resume a stalled cycle (inkoop cycle resume)' },
  importUpload: { method: 'POST', path: '/providers/import-uploads', role: 'administrator', does: 'upload a provider file (inkoop providers import)' },
  importProviders: { method: 'POST', path: '/providers/import', role: 'administrator', does: 'import providers (inkoop providers import)' },
  advanceClock: { method: 'POST', path: '/clock/advance', role: 'administrator', does: 'move the clock' },
} as const satisfies Record<string, OperatorRoute>;

export type OperatorRouteName = keyof typeof OPERATOR_ROUTES;

/** True when `role` includes what `needed` may do. */
export const roleAllows = (role: OperatorRole | undefined, needed: OperatorRole): boolean =>
  role !== undefined && OPERATOR_ROLES.indexOf(role) >= OPERATOR_ROLES.indexOf(needed);

/** The routes a role's policy allows: its own and every lower role's. */
export const routesOf = (role: OperatorRole): OperatorRoute[] => Object.values(OPERATOR_ROUTES).filter((r) => roleAllows(role, r.role));

/** The refusal, naming the role (and the stack output of its policy) the caller needs. */
export function roleRequired(route: OperatorRoute): ForbiddenError {
  return new ForbiddenError(
    `To ${route.does} you need the ${route.role} role: ask an administrator of the AWS account to attach the managed policy ` +
      `in stack output ${ROLE_POLICY_OUTPUTS[route.role]} to your IAM role or user`,
  );
}

/** The route a method and path (under the prefix) are, if any. */
export function routeOf(method: string, path: string): OperatorRoute | undefined {
  const segments = path.split('/');
  return Object.values(OPERATOR_ROUTES).find((r) => {
    if (r.method !== method.toUpperCase()) return false;
    const want = `${OPERATOR_PREFIX}${r.path}`.split('/');
    return want.length === segments.length && want.every((w, i) => (w.startsWith(':') ? segments[i] !== '' : w === segments[i]));
  });
}

/** A route's path with its parameters filled in (each one URI-encoded). */
export function pathOf(route: OperatorRoute, params: Record<string, string> = {}): string {
  return `${OPERATOR_PREFIX}${route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for :${name} of ${route.path}`);
    return encodeURIComponent(value);
  })}`;
}

/** A route's path as an execute-api resource: `/operator/...`, each parameter a `*`. */
export const iamPath = (route: OperatorRoute): string => `${OPERATOR_PREFIX}${route.path.replace(/:[A-Za-z]+/g, '*')}`;

/** The execute-api resource path IAM sees for a route: `METHOD/operator/...`, each parameter a `*`. */
export const iamResourcePath = (route: OperatorRoute): string => `${route.method}${iamPath(route)}`;
