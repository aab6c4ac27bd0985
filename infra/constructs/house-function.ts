/**
 * The house construct for Lambda functions: every function of the stack goes
 * through it, so they all get the same runtime, bundling, logging, tracing and
 * IAM shape.
 *
 * - Node.js 22 on arm64, bundled locally by esbuild as ESM (minified, source
 *   maps on, AWS SDK bundled so the deployed code runs the SDK versions of the
 *   lock file, the same ones the local runtime and the tests use).
 * - Powertools logger environment and Lambda's JSON log format, into an
 *   explicit log group with a retention.
 * - Active X-Ray tracing.
 * - Its own role, with no AWS managed policy: writing its own log group is an
 *   explicit statement, and `allow()` adds the narrow grants of permissions.ts
 *   as a separate policy (so the acknowledged X-Ray `Resource: *` of the
 *   default policy never covers a data grant).
 * - CloudFormation Metadata `inkoop:entry` on the function resource records the
 *   handler module, so the local runtime can route workflow tasks to it.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { LogLevelName } from '../config.ts';
import { ENTRY_METADATA_KEY } from '../functions.ts';
import { acknowledge, acknowledgeWildcardResource } from '../nag.ts';
import { REPO_ROOT } from '../paths.ts';

/** Service name in every log line (functions/commons/logger.ts uses the same). */
export const POWERTOOLS_SERVICE_NAME = 'inkoopkalender';

export const HOUSE_FUNCTION_DEFAULTS = {
  runtime: lambda.Runtime.NODEJS_22_X,
  architecture: lambda.Architecture.ARM_64,
  timeout: Duration.seconds(30),
  memorySize: 512,
} as const;

/**
 * ESM bundles have no `require`; some CommonJS dependencies call it (e.g. for
 * Node built-ins). The alias avoids a clash with a bundled `createRequire`.
 */
const ESM_REQUIRE_BANNER =
  "import { createRequire as __inkoopCreateRequire } from 'node:module'; const require = __inkoopCreateRequire(import.meta.url);";

export interface HouseFunctionProps {
  /** Handler module relative to the repository root (exports `handler`). */
  entry: string;
  description: string;
  logLevel: LogLevelName;
  logRetention: logs.RetentionDays;
  timeout?: Duration;
  memorySize?: number;
  /** Reserved concurrency; unset (unreserved) by default. */
  reservedConcurrentExecutions?: number;
  environment?: Record<string, string>;
  /** Dead-letter queue for asynchronous invocations (e.g. a schedule). */
  deadLetterQueue?: sqs.IQueue;
  /** Retries of failed asynchronous invocations (Lambda default 2). */
  retryAttempts?: number;
  /** Maximum age of an asynchronous event before it goes to the dead-letter queue. */
  maxEventAge?: Duration;
}

const APPLICATION_LOG_LEVEL: Record<LogLevelName, lambda.ApplicationLogLevel> = {
  DEBUG: lambda.ApplicationLogLevel.DEBUG,
  INFO: lambda.ApplicationLogLevel.INFO,
  WARN: lambda.ApplicationLogLevel.WARN,
  ERROR: lambda.ApplicationLogLevel.ERROR,
};

export class HouseFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** Handler module relative to the repository root. */
  readonly entry: string;
  private accessPolicy?: iam.Policy;

  constructor(scope: Construct, id: string, props: HouseFunctionProps) {
    super(scope, id);
    this.entry = props.entry;

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${id} (${props.entry})`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteOwnLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: HOUSE_FUNCTION_DEFAULTS.runtime,
      architecture: HOUSE_FUNCTION_DEFAULTS.architecture,
      description: props.description,
      timeout: props.timeout ?? HOUSE_FUNCTION_DEFAULTS.timeout,
      memorySize: props.memorySize ?? HOUSE_FUNCTION_DEFAULTS.memorySize,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: APPLICATION_LOG_LEVEL[props.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      maxEventAge: props.maxEventAge,
      environment: {
        POWERTOOLS_SERVICE_NAME,
        LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        banner: ESM_REQUIRE_BANNER,
        bundleAwsSDK: true,
        externalModules: [],
      },
    });

    const cfnFunction = this.function.node.defaultChild as lambda.CfnFunction;
    cfnFunction.addMetadata(ENTRY_METADATA_KEY, props.entry);

    acknowledge(
      this.function,
      'AwsSolutions-L1',
      'Pinned to nodejs22.x on purpose: the project toolchain, the local runtime and the tests run on Node 22 ' +
        '(package.json engines, the `node` devDependency); the Lambda runtime moves together with them.',
    );
    const defaultPolicy = this.role.node.findChild('DefaultPolicy');
    acknowledgeWildcardResource(
      defaultPolicy,
      '*',
      'Only X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords), added by Lambda active tracing: ' +
        'X-Ray has no resource-level permissions. Data grants live in the separate AccessPolicy, not covered by this.',
    );
  }

  get functionArn(): string {
    return this.function.functionArn;
  }

  /** Adds statements to this function's access policy (one policy per function, created on first use). */
  allow(...statements: iam.PolicyStatement[]): iam.Policy {
    if (!this.accessPolicy) {
      this.accessPolicy = new iam.Policy(this, 'AccessPolicy', { roles: [this.role] });
      // The function must not run before its grants exist.
      this.function.node.addDependency(this.accessPolicy);
    }
    this.accessPolicy.addStatements(...statements);
    return this.accessPolicy;
  }

  /** Acknowledges one AwsSolutions-IAM5 wildcard resource of this function's access policy. */
  acknowledgeWildcardResource(resource: string, reason: string): void {
    if (!this.accessPolicy) throw new Error(`${this.node.path}: no access policy to acknowledge on`);
    acknowledgeWildcardResource(this.accessPolicy, resource, reason);
  }
}
