/**
 * `inkoop --aws`: the one door to the deployed stack. Every command talks to
 * the IAM-authorised operator API with SigV4-signed requests, credentials from
 * the standard AWS chain (environment, profile/SSO, instance role); the API's
 * address comes from the stack's outputs (or INKOOP_OPERATOR_API_URL). No
 * DynamoDB or Step Functions client is ever built here: what an operator may
 * do is what the API lets their IAM role do, and the API records who did it.
 *
 * What goes wrong on the way (no region, no or expired credentials, a stack
 * that is not deployed, no network) is an AwsAccessError: one line saying
 * what to do, exit 1.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DomainError } from '../commons/errors.ts';
import { STACK_NAME, STACK_OUTPUTS, stackOutput } from '../commons/stack.ts';
import { createRemoteOperatorService } from '../operators/client.ts';
import type { OperatorService } from '../operators/service.ts';
import { regionOfApiUrl, signedFetch, type SignedFetch, type SignedFetchOptions } from '../operators/sigv4.ts';

/** The stack output with the operator API's address. */
const OPERATOR_API_URL_OUTPUT = STACK_OUTPUTS.operatorApiUrl;

/** Reaching AWS failed for a reason the operator can fix: one line, exit 1. */
export class AwsAccessError extends DomainError {
  readonly code = 'AwsAccess';
  readonly httpStatus = 502;
}

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

type ErrorLike = { name?: string; code?: string; message?: string; cause?: unknown; Code?: string };

function chain(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let e: unknown = error;
  while (e && typeof e === 'object' && out.length < 5) {
    out.push(e as ErrorLike);
    e = (e as ErrorLike).cause;
  }
  return out;
}

/** What an SDK, credential or network failure means for the operator; undefined for anything else (a bug: exit 2). */
export function awsFailure(error: unknown, where: { region?: string; target: string }): AwsAccessError | undefined {
  if (error instanceof DomainError) return undefined;
  const errors = chain(error);
  const names = errors.map((e) => e.name ?? e.Code ?? '');
  const messages = errors.map((e) => e.message ?? '').join(' | ');
  const network = errors.map((e) => e.code).find((c) => c && NETWORK_CODES.has(c));
  if (/Region is missing|region="" is not a valid/i.test(messages)) {
    return new AwsAccessError('No AWS region: set AWS_REGION (e.g. export AWS_REGION=eu-west-1) or a region in your AWS profile');
  }
  if (names.some((n) => /^(ExpiredToken|ExpiredTokenException|RequestExpired|TokenRefreshRequired)$/.test(n)) || /token (has|is) expired|expired token|session has expired/i.test(messages)) {
    return new AwsAccessError('Your AWS credentials have expired: sign in again (e.g. aws sso login) and retry');
  }
  if (names.includes('CredentialsProviderError') || /Could not load credentials/i.test(messages)) {
    return new AwsAccessError(
      'No AWS credentials found: sign in (aws sso login, with AWS_PROFILE set) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  if (names.some((n) => /^(InvalidClientTokenId|UnrecognizedClientException|SignatureDoesNotMatch|InvalidSignatureException)$/.test(n))) {
    return new AwsAccessError(`AWS refused your credentials (${names.find(Boolean)}): check AWS_PROFILE or your access key`);
  }
  if (names.includes('ValidationError') && /does not exist/i.test(messages)) {
    return new AwsAccessError(
      `The ${STACK_NAME} stack is not deployed in ${where.region ?? 'this region'}: deploy it (npx cdk deploy), or set AWS_REGION to the region it is in`,
    );
  }
  if (names.some((n) => /^(AccessDenied|AccessDeniedException)$/.test(n))) {
    return new AwsAccessError(
      `You may not read the ${STACK_NAME} stack's outputs: ask an administrator to attach an operator role policy to you (README, "Operators in AWS")`,
    );
  }
  if (network || names.includes('TimeoutError') || (names.includes('TypeError') && /fetch failed/i.test(messages))) {
    return new AwsAccessError(`Cannot reach ${where.target}: check your network connection${network ? ` (${network})` : ''}`);
  }
  return undefined;
}

async function mapped<T>(where: { region?: string; target: string }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw awsFailure(error, where) ?? error;
  }
}

export interface OperatorApiOptions {
  env?: Record<string, string | undefined>;
  /** For tests: the CloudFormation client that reads the stack outputs. */
  cloudFormation?: CloudFormationClient;
  /** For tests: credentials and fetch of the signer. */
  credentials?: SignedFetchOptions['credentials'];
  fetch?: typeof fetch;
}

/** The operator service of the deployed stack, over its API; the only thing `--aws` commands use. */
export async function openOperatorApi(options: OperatorApiOptions = {}): Promise<{ service: OperatorService; baseUrl: string; region: string }> {
  const env = options.env ?? process.env;
  let baseUrl = env.INKOOP_OPERATOR_API_URL?.trim() || undefined;
  let region = env.AWS_REGION || env.AWS_DEFAULT_REGION || (baseUrl ? regionOfApiUrl(baseUrl) : undefined);
  if (!baseUrl) {
    const cfn = options.cloudFormation ?? new CloudFormationClient({});
    try {
      const where = { region, target: 'AWS CloudFormation' };
      region = await mapped(where, () => cfn.config.region());
      const { Stacks } = await mapped({ region, target: `AWS CloudFormation in ${region}` }, () => cfn.send(new DescribeStacksCommand({ StackName: STACK_NAME })));
      baseUrl = stackOutput(Stacks?.[0], OPERATOR_API_URL_OUTPUT);
      if (!baseUrl) throw new AwsAccessError(`The ${STACK_NAME} stack in ${region} has no ${OPERATOR_API_URL_OUTPUT} output: deploy the current version (npx cdk deploy)`);
    } finally {
      if (!options.cloudFormation) cfn.destroy();
    }
  }
  region = regionOfApiUrl(baseUrl) ?? region;
  if (!region) throw new AwsAccessError('No AWS region: set AWS_REGION (e.g. export AWS_REGION=eu-west-1) or a region in your AWS profile');
  const signed = signedFetch({ region, ...(options.credentials ? { credentials: options.credentials } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  const target = `the operator API at ${baseUrl}`;
  const fetchOrExplain: SignedFetch = (url, init) => mapped({ region, target }, () => signed(url, init));
  return { service: createRemoteOperatorService({ baseUrl, fetch: fetchOrExplain }), baseUrl, region };
}
