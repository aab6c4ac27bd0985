/**
 * State: the one DynamoDB table (built from functions/store/table.ts, the same
 * definition DynamoDB Local gets), the documents bucket for provider uploads,
 * the publications bucket for public documents, their access-log bucket, and
 * the secret that signs provider links.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, createTableInput } from '../../functions/store/table.ts';
import { acknowledge } from '../nag.ts';

const ATTRIBUTE_TYPES: Record<string, dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};

const PROJECTIONS: Record<string, dynamodb.ProjectionType> = {
  ALL: dynamodb.ProjectionType.ALL,
  KEYS_ONLY: dynamodb.ProjectionType.KEYS_ONLY,
};

/** Attribute name → CDK attribute, typed as in the shared CreateTable input. */
function attributeOf(name: string): dynamodb.Attribute {
  const definition = createTableInput().AttributeDefinitions?.find((a) => a.AttributeName === name);
  const type = definition?.AttributeType && ATTRIBUTE_TYPES[definition.AttributeType];
  if (!type) throw new Error(`functions/store/table.ts defines no attribute type for "${name}"`);
  return { name, type };
}

export interface DataProps {
  /** Origin allowed to PUT presigned uploads from a provider page. */
  documentsCorsOrigin?: string;
  /** IAM role of the insurer's website, allowed to read the publications bucket (GetObject, ListBucket). */
  publicationsReaderArn?: string;
}

export class Data extends Construct {
  readonly table: dynamodb.Table;
  readonly documents: s3.Bucket;
  readonly publications: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly linkSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DataProps = {}) {
    super(scope, id);

    // Encryption: the AWS managed key (aws/dynamodb). It is KMS encryption at
    // rest with key use visible in CloudTrail, needs no key policy and no KMS
    // grants on six roles, and AwsSolutions has no rule requiring a customer
    // managed key for DynamoDB. Switching to a CMK later is an in-place update.
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: attributeOf(TABLE_KEYS.partitionKey),
      sortKey: attributeOf(TABLE_KEYS.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const shared = createTableInput();
    for (const index of Object.values(INDEXES)) {
      const projection = shared.GlobalSecondaryIndexes?.find((g) => g.IndexName === index.name)?.Projection
        ?.ProjectionType;
      const projectionType = projection && PROJECTIONS[projection];
      if (!projectionType) throw new Error(`functions/store/table.ts: unsupported projection for ${index.name}`);
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: attributeOf(index.partitionKey),
        sortKey: attributeOf(index.sortKey),
        projectionType,
      });
    }

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // A yearly cycle plus a margin.
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This is the server access log bucket of the documents and publications buckets; logging it into itself would loop and ' +
        'logging it elsewhere only moves the question. Its contents are access logs, not documents.',
    );

    this.documents = new s3.Bucket(this, 'Documents', {
      ...this.privateBucket('documents/'),
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT],
          // Not the provider-links API URL itself: the API depends on the function
          // that depends on this bucket (a cycle). A custom domain sets it exactly.
          allowedOrigins: [props.documentsCorsOrigin ?? `https://*.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`],
          allowedHeaders: ['content-type', 'content-length', 'x-amz-*'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        { id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(90) },
        {
          id: 'infrequent-access',
          transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(180) }],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Public documents of each cycle (functions/publication: contracted-provider
    // lists as JSON/CSV/HTML, the Q&A memo), keyed `<cycleId>/<file>`, written by
    // RunMilestone. Private: the insurer's website publishes them from here
    // (PUBLICATIONS_BASE_URL) with the role given as `publicationsReaderArn`;
    // nothing reads it anonymously.
    this.publications = new s3.Bucket(this, 'Publications', {
      ...this.privateBucket('publications/'),
      // Every republication is a version; earlier versions are the record of what was public when.
      lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.publicationsReaderArn) {
      // Read-only, and only the current objects: the website copies or serves what is published now.
      const reader = new iam.ArnPrincipal(props.publicationsReaderArn);
      this.publications.addToResourcePolicy(
        new iam.PolicyStatement({ sid: 'WebsiteReadsPublications', principals: [reader], actions: ['s3:GetObject'], resources: [this.publications.arnForObjects('*')] }),
      );
      this.publications.addToResourcePolicy(
        new iam.PolicyStatement({ sid: 'WebsiteListsPublications', principals: [reader], actions: ['s3:ListBucket'], resources: [this.publications.bucketArn] }),
      );
    }

    this.linkSecret = new secretsmanager.Secret(this, 'LinkSecret', {
      description: 'HMAC key that signs provider links (inkoopkalender).',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.linkSecret,
      'AwsSolutions-SMG4',
      'The link HMAC key is not rotated automatically: rotation invalidates every provider link already ' +
        'emailed in the running cycle. It is rotated deliberately between cycles (put-secret-value).',
    );
  }

  /**
   * What the documents and publications buckets share: TLS only, no public access, versions, access logs
   * under `logPrefix`. SSE-S3: presigned PUTs from provider browsers need no KMS grant on the signing role;
   * the documents are business documents (no patient data).
   */
  private privateBucket(logPrefix: string): s3.BucketProps {
    return {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: logPrefix,
    };
  }
}
