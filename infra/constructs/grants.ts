/**
 * Turns one entry of infra/permissions.ts into IAM statements on exact ARNs.
 * The only wildcards it produces are the ones a resource type forces (object
 * keys under the upload prefix, objects of the publications bucket, executions
 * of the one state machine); it
 * returns those so the caller acknowledges each one for cdk-nag.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { INDEXES } from '../../functions/store/table.ts';
import { nagAttr } from '../nag.ts';
import { DOCUMENTS_UPLOAD_PREFIX, IMPORTS_PREFIX, type FunctionGrants } from '../permissions.ts';
import type { Email } from './email.ts';

export interface GrantTargets {
  table: dynamodb.Table;
  linkSecret: secretsmanager.Secret;
  documents: s3.Bucket;
  publications: s3.Bucket;
  email: Email;
  stateMachine: sfn.StateMachine;
}

export interface AcknowledgedWildcard {
  /** The resource as cdk-nag renders it in an IAM5 finding. */
  resource: string;
  reason: string;
}

/** `table/<name>/index/<index>` ARN of one secondary index. */
export function indexArn(table: dynamodb.Table, indexName: string): string {
  return `${table.tableArn}/index/${indexName}`;
}

export function grantStatements(
  grants: FunctionGrants,
  targets: GrantTargets,
): { statements: iam.PolicyStatement[]; wildcards: AcknowledgedWildcard[] } {
  const statements: iam.PolicyStatement[] = [];
  const wildcards: AcknowledgedWildcard[] = [];

  if (grants.table.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'TableItems',
        actions: grants.table.map((action) => `dynamodb:${action}`),
        resources: [targets.table.tableArn],
      }),
    );
  }
  if (grants.indexes && grants.indexes.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'QueryIndexes',
        actions: ['dynamodb:Query'],
        resources: grants.indexes.map((index) => indexArn(targets.table, INDEXES[index].name)),
      }),
    );
  }
  if (grants.linkSecret) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadLinkSecret',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [targets.linkSecret.secretArn],
      }),
    );
  }
  if (grants.sendEmail) {
    statements.push(targets.email.sendStatement());
  }
  const uploadObjects = `${nagAttr(targets.documents, 'Arn')}/${DOCUMENTS_UPLOAD_PREFIX}*`;
  if (grants.documentsUpload) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'PresignUploads',
        actions: ['s3:PutObject'],
        resources: [targets.documents.arnForObjects(`${DOCUMENTS_UPLOAD_PREFIX}*`)],
      }),
    );
    wildcards.push({
      resource: uploadObjects,
      reason:
        'Presigned uploads: object keys are generated per upload, so the grant is the upload prefix of the ' +
        'documents bucket (PutObject only; no delete).',
    });
  }
  if (grants.documentsRead) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadUploads',
        actions: ['s3:GetObject'],
        resources: [targets.documents.arnForObjects(`${DOCUMENTS_UPLOAD_PREFIX}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'ListUploads',
        actions: ['s3:ListBucket'],
        resources: [targets.documents.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${DOCUMENTS_UPLOAD_PREFIX}*`] } },
      }),
    );
    wildcards.push({
      resource: uploadObjects,
      reason:
        'Reading uploads back: a registration finds the newest upload of a document (ListBucket, only for ' +
        's3:prefix under the upload prefix) and reads its first bytes (GetObject, upload prefix only).',
    });
  }
  if (grants.publications) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WritePublications',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [targets.publications.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        sid: 'ListPublications',
        actions: ['s3:ListBucket'],
        resources: [targets.publications.bucketArn],
      }),
    );
    wildcards.push({
      resource: `${nagAttr(targets.publications, 'Arn')}/*`,
      reason:
        'Public documents of a cycle (contracted-provider lists, Q&A memo) are keyed <cycleId>/<file> for cycles ' +
        'created at run time; the bucket holds nothing else. Put and Get (the list is read before it is replaced); no delete.',
    });
  }
  if (grants.stateMachine && grants.stateMachine.length > 0) {
    const onMachine = grants.stateMachine.filter((a) => a !== 'DescribeExecution');
    if (onMachine.length > 0) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'CycleStateMachine',
          actions: onMachine.map((action) => `states:${action}`),
          resources: [targets.stateMachine.stateMachineArn],
        }),
      );
    }
    if (grants.stateMachine.includes('DescribeExecution')) {
      const stack = Stack.of(targets.stateMachine);
      statements.push(
        new iam.PolicyStatement({
          sid: 'CycleExecutions',
          actions: ['states:DescribeExecution'],
          resources: [
            stack.formatArn({
              service: 'states',
              resource: 'execution',
              resourceName: `${targets.stateMachine.stateMachineName}:*`,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ],
        }),
      );
      wildcards.push({
        resource:
          `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:` +
          `${nagAttr(targets.stateMachine, 'Name')}:*`,
        reason:
          'Execution ARNs are only known once started (one per cycle, named by the operator API); the grant ' +
          'is DescribeExecution on executions of the cycle state machine only.',
      });
    }
  }
  if (grants.importFiles) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ImportFiles',
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [targets.documents.arnForObjects(`${IMPORTS_PREFIX}*`)],
      }),
    );
    wildcards.push({
      resource: `${nagAttr(targets.documents, 'Arn')}/${IMPORTS_PREFIX}*`,
      reason:
        'Large provider imports: each upload gets a generated key under the imports prefix of the documents bucket; ' +
        'PutObject (to presign the upload) and GetObject (to import it), that prefix only; no delete, no list.',
    });
  }
  if (grants.readAttachedPolicies) {
    const stack = Stack.of(targets.table);
    const iamArn = (resource: string) => stack.formatArn({ service: 'iam', region: '', resource, resourceName: '*' });
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadCallerRolePolicies',
        actions: ['iam:ListAttachedRolePolicies', 'iam:ListAttachedUserPolicies', 'iam:ListGroupsForUser', 'iam:ListAttachedGroupPolicies'],
        resources: [iamArn('role'), iamArn('user'), iamArn('group')],
      }),
    );
    for (const kind of ['role', 'user', 'group']) {
      wildcards.push({
        resource: `arn:<AWS::Partition>:iam::<AWS::AccountId>:${kind}/*`,
        reason:
          'The operator API reads which of its three role policies are attached to the IAM principal that called it ' +
          '(any role, user or group of this account may be an operator); list actions only, which return policy ARNs, never documents.',
      });
    }
  }
  // One acknowledgement per resource: two grants on one prefix share it.
  const merged = new Map<string, string>();
  for (const { resource, reason } of wildcards) merged.set(resource, merged.has(resource) ? `${merged.get(resource)} ${reason}` : reason);
  return { statements, wildcards: [...merged].map(([resource, reason]) => ({ resource, reason })) };
}
