/**
 * What each function may do: the one place to change a function's access.
 * The stack turns each entry into one narrow IAM policy on that function's own
 * role (infra/constructs/grants.ts); the unit tests check the synthesized
 * policies against this map, so the map and the template cannot drift apart.
 *
 * DynamoDB: actions are granted on the table ARN only; `indexes` grants
 * `dynamodb:Query` on exactly those index ARNs (index names come from
 * functions/store/table.ts). Never `dynamodb:*`, never `Scan`, never `table/*`.
 *
 * Transactions: IAM has no `dynamodb:TransactWriteItems` action. A
 * TransactWriteItems call is authorised per part: `Put` needs PutItem, `Update`
 * UpdateItem, `Delete` DeleteItem and `ConditionCheck` ConditionCheckItem. So a
 * function that writes transactions lists the item actions of the parts it uses.
 *
 * Also granted outside this map, by the house function construct: writing its
 * own log group, X-Ray segments, and (SendEmails) its dead-letter queue.
 */
import type { INDEXES } from '../functions/store/table.ts';
import type { FunctionKey } from './functions.ts';

export type IndexKey = keyof typeof INDEXES;

export type ItemAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'ConditionCheckItem'
  | 'BatchWriteItem';

export type StateMachineAction = 'StartExecution' | 'ListExecutions' | 'DescribeExecution';

export interface FunctionGrants {
  /** Item actions on the base table (`dynamodb:<action>` on the table ARN). */
  table: readonly ItemAction[];
  /** Secondary indexes this function queries (`dynamodb:Query` on `table/index/<name>`). */
  indexes?: readonly IndexKey[];
  /** `secretsmanager:GetSecretValue` on the link-signing secret. */
  linkSecret?: boolean;
  /**
   * `ses:SendEmail` and `ses:SendRawEmail` on the sender identity and the
   * configuration set only, with `ses:FromAddress` = the configured sender.
   */
  sendEmail?: boolean;
  /** `s3:PutObject` under `DOCUMENTS_UPLOAD_PREFIX` of the documents bucket (presigned uploads). */
  documentsUpload?: boolean;
  /** Step Functions actions on the cycle state machine (and its executions, for DescribeExecution). */
  stateMachine?: readonly StateMachineAction[];
}

/** Key prefix of provider uploads in the documents bucket. */
export const DOCUMENTS_UPLOAD_PREFIX = 'uploads/';

export const FUNCTION_GRANTS = {
  /** Reads the cycle and its steps; marks the cycle done after its last step. */
  nextMilestone: {
    table: ['GetItem', 'Query', 'UpdateItem'],
  },
  /** Reads and updates a step (status, cursor). */
  recordMilestone: {
    table: ['GetItem', 'Query', 'UpdateItem'],
  },
  /**
   * Fans a milestone out over the applications in one state (gsi1) and the
   * providers of a care type (their profiles: BatchGetItem), moves them
   * (transactions: Update + Put of the event + ConditionCheck), queues outbox
   * messages and link tokens (BatchWriteItem), signs links.
   */
  runMilestone: {
    table: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'PutItem', 'ConditionCheckItem', 'BatchWriteItem'],
    indexes: ['byCycleState'],
    linkSecret: true,
  },
  /** Reads queued messages by status (gsi3), marks them sent or failed, sends through SES. */
  sendEmails: {
    table: ['GetItem', 'UpdateItem'],
    indexes: ['byMessageStatus'],
    sendEmail: true,
  },
  /**
   * Verifies and consumes link tokens, records answers (transactions: Put +
   * Update + ConditionCheck), shows a provider's history (gsi2), presigns uploads.
   */
  providerLinks: {
    table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'ConditionCheckItem'],
    indexes: ['byProvider'],
    linkSecret: true,
    documentsUpload: true,
  },
  /**
   * Operator reads over everything (all indexes); purchasers' decisions
   * (transactions: Put of the application + Put of its event), answers to
   * questions (Update), amendments, milestone retries (step Update, audit Put),
   * starting and inspecting cycle executions.
   */
  operatorApi: {
    table: ['GetItem', 'Query', 'UpdateItem', 'PutItem'],
    indexes: ['byCycleState', 'byProvider', 'byMessageStatus'],
    stateMachine: ['StartExecution', 'ListExecutions', 'DescribeExecution'],
  },
} as const satisfies Record<FunctionKey, FunctionGrants>;
