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
 * The end-to-end rehearsals record the actions each function's requests need
 * (functions/local/iam-actions.ts) and fail when one is not granted here.
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
  /**
   * Reading uploads back: `s3:GetObject` under `DOCUMENTS_UPLOAD_PREFIX`, and
   * `s3:ListBucket` on the documents bucket only for `s3:prefix` under it
   * (functions/uploads/s3.ts lists a document's uploads and reads the newest's first bytes).
   */
  documentsRead?: boolean;
  /**
   * The publications bucket (functions/publication/store.ts): `s3:PutObject`
   * and `s3:GetObject` on its objects, `s3:ListBucket` on the bucket. The
   * adapter reads a list before replacing it and treats `NoSuchKey` as "not
   * published yet"; without ListBucket S3 answers AccessDenied instead of
   * NoSuchKey for a missing key (and that 404/403 check carries no `s3:prefix`,
   * so the grant cannot be narrowed by one).
   */
  publications?: boolean;
  /** Step Functions actions on the cycle state machine (and its executions, for DescribeExecution). */
  stateMachine?: readonly StateMachineAction[];
  /**
   * Large provider imports (functions/operators/s3-import-files.ts): `s3:PutObject` (to
   * presign the upload) and `s3:GetObject` under `IMPORTS_PREFIX` of the documents bucket.
   */
  importFiles?: boolean;
  /**
   * Which operator role a caller holds (functions/operators/iam-roles.ts): the
   * managed policies attached to its IAM role, or to its IAM user and groups.
   */
  readAttachedPolicies?: boolean;
}

/** Key prefix of provider uploads in the documents bucket. */
export const DOCUMENTS_UPLOAD_PREFIX = 'uploads/';
/** Key prefix of large provider files waiting to be imported (functions/operators/s3-import-files.ts). */
export { IMPORTS_PREFIX } from '../functions/operators/s3-import-files.ts';

export const FUNCTION_GRANTS = {
  /** Reads the cycle and its steps (loop.ts); marks steps and the cycle (updateStep reads the old step back). */
  nextMilestone: {
    table: ['GetItem', 'Query', 'UpdateItem'],
  },
  /** Reads and updates a step (status, cursor) and the cycle's status. */
  recordMilestone: {
    table: ['GetItem', 'Query', 'UpdateItem'],
  },
  /**
   * Fans a milestone out (functions/milestones): applications of a cycle in one
   * state and the cycles list (gsi1); providers of a care type (table Query),
   * their profiles (getProviders: BatchGetItem); steps, events and questions
   * (table Query); cycle, application, provider (GetItem). Moves and creates
   * applications (transactions: Put of the application + Put of its event) and
   * queues emails (individual conditional Puts). No UpdateItem, no
   * ConditionCheck, no BatchWrite: the store's calls for this path have none.
   * Publishes the contracted-provider list and the Q&A memo (publications bucket).
   * A reminder reads the provider's recent messages (gsi2, from a date) to skip
   * whoever was sent a link for the action lately (functions/milestones/plan/reminders.ts).
   * No link secret: links are issued by SendEmails at send time.
   */
  runMilestone: {
    table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem'],
    indexes: ['byCycleState', 'byProvider'],
    publications: true,
  },
  /**
   * Reads queued messages by status (gsi3), claims a chunk of them in one
   * transaction (Update parts; functions/store/messages.ts claimMessages),
   * reads the applications their links are bound to (BatchGetItem), sends
   * through SES, then marks the chunk sent (Update parts). Links are signed
   * with the link secret and stored nowhere.
   */
  sendEmails: {
    // GetItem: a failed send reads its message for the key the index needs (store/messages.ts finish).
    table: ['GetItem', 'BatchGetItem', 'UpdateItem'],
    indexes: ['byMessageStatus'],
    linkSecret: true,
    sendEmail: true,
  },
  /**
   * Loads a page with one BatchGetItem (cycle, provider, application:
   * functions/store/cycles.ts getPageReads) and records answers (transaction:
   * Put of the application, conditioned on the version the link carries + Put
   * of its event + Put of the confirmation email), questions (Put), registration
   * requests (provider and care-type member Puts, application create), steps
   * (Query). The LinksStore (functions/links/app.ts) queries no index. Presigns
   * uploads and reads them back.
   */
  providerLinks: {
    table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem'],
    linkSecret: true,
    documentsUpload: true,
    documentsRead: true,
  },
  /**
   * Operator reads over everything (all indexes; events, questions, steps and
   * audit by table Query); purchasers' decisions (transactions: Put of the
   * application + Put of its event), answers to questions (Update), milestone
   * retries (functions/cycles/retry.ts: step and cycle Update, step GetItem,
   * audit Query + conditional Put), starting and inspecting cycle executions;
   * the administrator's routes: creating a cycle (steps and cycle Puts),
   * amending a date (cycle and step Updates, audit Put, notices queued with
   * conditional Puts; providers of the care type by table Query, their profiles
   * by BatchGetItem), importing providers (BatchGetItem of the existing ones,
   * transactions of profile and care-type member Puts, Deletes of memberships
   * a changed provider left). Reads the caller's attached role policies.
   * Purchasers' address corrections (functions/delivery/reachability.ts: the
   * provider's messages by gsi2, a transaction of Puts: profile, care-type
   * copies, correction, reachability, the email sent again) and the
   * "Niet bereikbaar" queue (gsi3, sparse).
   */
  operatorApi: {
    table: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem', 'PutItem', 'DeleteItem'],
    indexes: ['byCycleState', 'byProvider', 'byMessageStatus'],
    stateMachine: ['StartExecution', 'ListExecutions', 'DescribeExecution'],
    importFiles: true,
    readAttachedPolicies: true,
  },
  /**
   * SES events (functions/delivery/): reads the message (GetItem) and records
   * the delivery on it (UpdateItem, conditional); a hard bounce or complaint
   * rewrites the provider's profile and care-type copies with the contact
   * marked (transaction of Puts), reads the cycle and the provider's
   * reachability (GetItem) and, for its last contact, opens the episode with
   * the escalation email (transaction of Puts). No Query, no index.
   */
  deliveryEvents: {
    table: ['GetItem', 'PutItem', 'UpdateItem'],
  },
} as const satisfies Record<FunctionKey, FunctionGrants>;
