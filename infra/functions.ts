/**
 * The Lambda functions of the stack: which handler module each one bundles,
 * its sizing, and which environment variables it receives (names and meanings
 * in functions/commons/env.ts; each handler's schema reads exactly these,
 * test/unit/handlers/environment.test.ts). What each may do is in `permissions.ts`.
 *
 * The keys of the four workflow functions are the keys of `CycleFunctions`
 * (workflows/cycle.ts), so the state machine's substitutions are derived from
 * this catalog, never restated.
 */
import type { EnvName } from '../functions/commons/env.ts';
import type { CycleFunctions } from '../workflows/cycle.ts';

export type { EnvName };

export interface FunctionSpec {
  /** Construct id, also the prefix of the CloudFormation logical ids. */
  id: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  description: string;
  timeoutSeconds: number;
  memoryMb: number;
  environment: readonly EnvName[];
}

/**
 * Workflow tasks time out after 300 s in the state machine (cycle.ts); the
 * functions time out earlier so a stuck invocation fails as a Lambda error
 * (retried, then caught as a failed milestone) rather than a States.Timeout.
 * API functions stay under the HTTP API's 30 s integration limit.
 */
export const FUNCTIONS = {
  nextMilestone: {
    id: 'NextMilestone',
    entry: 'functions/handlers/next-milestone.ts',
    description: 'Cycle workflow: loads the next milestone step of a cycle and when it is due.',
    timeoutSeconds: 30,
    memoryMb: 512,
    environment: ['TABLE_NAME'],
  },
  recordMilestone: {
    id: 'RecordMilestone',
    entry: 'functions/handlers/record-milestone.ts',
    description: 'Cycle workflow: records a milestone step as running, done or failed.',
    timeoutSeconds: 30,
    memoryMb: 512,
    environment: ['TABLE_NAME'],
  },
  runMilestone: {
    id: 'RunMilestone',
    entry: 'functions/handlers/run-milestone.ts',
    description: 'Cycle workflow: runs a milestone for one page of applications and queues its emails.',
    timeoutSeconds: 240,
    memoryMb: 1024,
    // No LINK_SECRET_ARN: links are issued by SendEmails at send time. LINKS_BASE_URL is
    // the base of the public registration form link.
    environment: [
      'TABLE_NAME',
      'LINKS_BASE_URL',
      'PAGE_SIZE',
      'PURCHASERS_EMAIL',
      'CUSTOMER_COMMUNICATION_EMAIL',
      'PUBLICATIONS_BUCKET',
      'PUBLICATIONS_BASE_URL',
    ],
  },
  sendEmails: {
    id: 'SendEmails',
    entry: 'functions/handlers/send-emails.ts',
    description: 'Sends queued outbox emails through SES (workflow task and every-minute schedule).',
    timeoutSeconds: 240,
    memoryMb: 512,
    // LINK_SECRET_ARN + LINKS_BASE_URL: it issues each message's action link at send time.
    environment: ['TABLE_NAME', 'SENDER', 'CONFIGURATION_SET', 'SES_RATE_PER_SECOND', 'LINK_SECRET_ARN', 'LINKS_BASE_URL'],
  },
  providerLinks: {
    id: 'ProviderLinks',
    entry: 'functions/handlers/provider-links.ts',
    description: 'Provider-facing HTTP API: pages and answers behind signed single-use links.',
    timeoutSeconds: 15,
    memoryMb: 512,
    // Not LINKS_BASE_URL: that is this function's own API URL (a dependency cycle);
    // the handler derives it from the request.
    environment: ['TABLE_NAME', 'LINK_SECRET_ARN', 'DOCUMENTS_BUCKET', 'DOCUMENTS_UPLOAD_PREFIX'],
  },
  operatorApi: {
    id: 'OperatorApi',
    entry: 'functions/handlers/operator-api.ts',
    description: 'Operator HTTP API (IAM-authorised): cycles, milestones, applications, executions.',
    timeoutSeconds: 29,
    memoryMb: 512,
    environment: [
      'TABLE_NAME',
      'STATE_MACHINE_ARN',
      'DOCUMENTS_BUCKET',
      'OPERATOR_VIEWER_POLICY_ARN',
      'OPERATOR_PURCHASER_POLICY_ARN',
      'OPERATOR_ADMINISTRATOR_POLICY_ARN',
    ],
  },
  deliveryEvents: {
    id: 'DeliveryEvents',
    entry: 'functions/handlers/delivery-events.ts',
    description: 'SES events (send, delivery, bounce, complaint, reject, delay): delivery status per email, undeliverable contacts, escalations.',
    timeoutSeconds: 30,
    memoryMb: 512,
    environment: ['TABLE_NAME', 'PURCHASERS_EMAIL'],
  },
} as const satisfies Record<string, FunctionSpec>;

export type FunctionKey = keyof typeof FUNCTIONS;

/** The workflow's functions, keyed like `CycleFunctions`. */
export const WORKFLOW_FUNCTION_KEYS = [
  'nextMilestone',
  'recordMilestone',
  'runMilestone',
  'sendEmails',
] as const satisfies readonly (keyof CycleFunctions & FunctionKey)[];

// Compile-time check that every function the workflow calls is in the catalog.
type MissingWorkflowFunction = Exclude<keyof CycleFunctions, (typeof WORKFLOW_FUNCTION_KEYS)[number]>;
const workflowCatalogComplete: [MissingWorkflowFunction] extends [never] ? true : never = true;
void workflowCatalogComplete;

/**
 * The environment of one function: exactly the variables the catalog gives it,
 * from the values of a deployment (infra/stack.ts) or of the local runtime
 * (functions/local/runtime-handlers.ts). A variable without a value is an error naming both.
 */
export function environmentOf(key: FunctionKey, values: Partial<Record<EnvName, string>>): Partial<Record<EnvName, string>> {
  const environment: Partial<Record<EnvName, string>> = {};
  for (const name of FUNCTIONS[key].environment) {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for environment variable ${name} of ${key}`);
    environment[name] = value;
  }
  return environment;
}

/** Key of a CloudFormation resource's Metadata that records the handler module it bundles. */
export const ENTRY_METADATA_KEY = 'inkoop:entry';
