/**
 * The Lambda functions of the stack: which handler module each one bundles,
 * its sizing, and which environment variables it receives. What each may do
 * is in `permissions.ts`.
 *
 * The keys of the four workflow functions are the keys of `CycleFunctions`
 * (workflows/cycle.ts), so the state machine's substitutions are derived from
 * this catalog, never restated.
 */
import type { CycleFunctions } from '../workflows/cycle.ts';

/** Environment variables the stack can hand to a function. */
export type EnvName =
  /** Name of the one DynamoDB table. */
  | 'TABLE_NAME'
  /** ARNs of the three operator role policies (the operator API reads which one its caller holds). */
  | 'OPERATOR_VIEWER_POLICY_ARN'
  | 'OPERATOR_PURCHASER_POLICY_ARN'
  | 'OPERATOR_ADMINISTRATOR_POLICY_ARN'
  /** Secrets Manager ARN of the HMAC key that signs provider links. */
  | 'LINK_SECRET_ARN'
  /** Base URL of provider links (`https://…/`), the provider-links API unless a custom domain is configured. */
  | 'LINKS_BASE_URL'
  /** Bucket for provider document uploads (presigned PUT). */
  | 'DOCUMENTS_BUCKET'
  /** Key prefix presigned uploads must use (`uploads/`); the IAM grant is limited to it. */
  | 'DOCUMENTS_UPLOAD_PREFIX'
  /** From address of every email. */
  | 'SENDER'
  /** SES configuration set every email must be sent with. */
  | 'CONFIGURATION_SET'
  /** Emails per second the sender allows itself. */
  | 'SES_RATE_PER_SECOND'
  /** ARN of the cycle state machine (operator API starts and inspects executions). */
  | 'STATE_MACHINE_ARN'
  /** Bucket of public documents (contracted-provider lists, Q&A memo), keys `<cycleId>/<file>`. */
  | 'PUBLICATIONS_BUCKET'
  /** Public URL the insurer's website serves the publications bucket under (links in emails). */
  | 'PUBLICATIONS_BASE_URL'
  /** Applications (or providers) per run-milestone call. */
  | 'PAGE_SIZE'
  /** The purchasers' team address (escalations). */
  | 'PURCHASERS_EMAIL'
  /** The customer-communication team address (the contracted-provider list). */
  | 'CUSTOMER_COMMUNICATION_EMAIL';

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
      'LINKS_BASE_URL',
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

/** Key of a CloudFormation resource's Metadata that records the handler module it bundles. */
export const ENTRY_METADATA_KEY = 'inkoop:entry';
