/**
 * The AWS clients, one per service, created on first use and then reused
 * (across warm Lambda invocations too). Each endpoint can be overridden by an
 * environment variable so the local runtime points them at DynamoDB Local,
 * aws-ses-v2-local and aws-local-stepfunctions:
 *
 * | service          | endpoint variable          |
 * |------------------|----------------------------|
 * | DynamoDB         | `INKOOP_DYNAMODB_ENDPOINT` |
 * | SES (v2)         | `INKOOP_SES_ENDPOINT`      |
 * | Step Functions   | `INKOOP_SFN_ENDPOINT`      |
 * | Secrets Manager  | `INKOOP_SECRETS_ENDPOINT`  |
 * | S3               | `INKOOP_S3_ENDPOINT`       |
 *
 * With an endpoint override and no credentials in the environment, the client
 * uses dummy local credentials (local services accept any). The region is
 * `AWS_REGION` (set by Lambda), else `eu-west-1`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DOCUMENT_MARSHALL_OPTIONS } from './marshalling.ts';

type Env = Record<string, string | undefined>;

export const ENDPOINT_VARIABLES = {
  dynamodb: 'INKOOP_DYNAMODB_ENDPOINT',
  ses: 'INKOOP_SES_ENDPOINT',
  sfn: 'INKOOP_SFN_ENDPOINT',
  secrets: 'INKOOP_SECRETS_ENDPOINT',
  s3: 'INKOOP_S3_ENDPOINT',
} as const;
type Service = keyof typeof ENDPOINT_VARIABLES;

/**
 * SES request timeout in ms (`INKOOP_SES_TIMEOUT_MS`, default 10 s). The local
 * SES never answers actions it does not implement, so without a timeout a call
 * would hang until the Lambda (or test) times out.
 */
export const DEFAULT_SES_TIMEOUT_MS = 10_000;

/** Local services (DynamoDB Local, aws-ses-v2-local) check no credentials; the SDK still wants some. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const DEFAULT_REGION = 'eu-west-1';

/** Region, endpoint and (for local endpoints) credentials of one service. */
export function baseConfig(service: Service, env: Env = process.env) {
  const endpoint = env[ENDPOINT_VARIABLES[service]] || undefined;
  return {
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || DEFAULT_REGION,
    ...(endpoint ? { endpoint } : {}),
    ...(endpoint && !env.AWS_ACCESS_KEY_ID ? { credentials: LOCAL_CREDENTIALS } : {}),
  };
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : fallback;
}

let dynamoDb: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let ses: SESv2Client | undefined;
let sfn: SFNClient | undefined;
let secrets: SecretsManagerClient | undefined;
let s3: S3Client | undefined;
let iam: IAMClient | undefined;

export function getDynamoDbClient(): DynamoDBClient {
  dynamoDb ??= new DynamoDBClient(baseConfig('dynamodb'));
  return dynamoDb;
}

/** The document client the store uses: plain JS values, undefined attributes dropped. */
export function getDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= DynamoDBDocumentClient.from(getDynamoDbClient(), {
    marshallOptions: DOCUMENT_MARSHALL_OPTIONS,
  });
  return documentClient;
}

/**
 * SESv2 with `maxAttempts: 1`: the email sender retries throttling and transient
 * errors itself, through its rate limiter (functions/email/sender.ts), so SDK
 * retries would only multiply the calls against the send-rate quota.
 */
export function getSesClient(): SESv2Client {
  ses ??= new SESv2Client({
    ...baseConfig('ses'),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: 3_000,
      requestTimeout: positiveInt(process.env.INKOOP_SES_TIMEOUT_MS, DEFAULT_SES_TIMEOUT_MS),
      // Without this the handler only logs a warning when requestTimeout passes.
      throwOnRequestTimeout: true,
    },
  });
  return ses;
}

export function getSfnClient(): SFNClient {
  sfn ??= new SFNClient(baseConfig('sfn'));
  return sfn;
}

export function getSecretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient(baseConfig('secrets'));
  return secrets;
}

/** S3; path-style addressing against a local endpoint (no bucket subdomains on localhost). */
export function getS3Client(): S3Client {
  const config = baseConfig('s3');
  s3 ??= new S3Client({ ...config, ...('endpoint' in config ? { forcePathStyle: true } : {}) });
  return s3;
}

/** IAM (global): the operator API reads which role policies are attached to its caller. */
export function getIamClient(): IAMClient {
  iam ??= new IAMClient({ region: baseConfig('s3').region });
  return iam;
}

/** Drops the cached clients (tests that change the environment between cases). */
export function resetClients(): void {
  for (const client of [documentClient, dynamoDb, ses, sfn, secrets, s3, iam]) client?.destroy();
  dynamoDb = documentClient = ses = sfn = secrets = s3 = iam = undefined;
}
