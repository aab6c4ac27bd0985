/**
 * Two HTTP APIs, deliberately separate so no route can be shared by accident:
 *
 * - Provider links: public by design (providers have no AWS identity); every
 *   request is protected by a signed, single-use link token that the handler
 *   verifies. Throttled at the default stage.
 * - Operator API: IAM authorisation (SigV4) as the API's default authoriser, so
 *   every route, present and future, requires it; routes live under
 *   `/operator/{proxy+}`. Three managed policies, one per operator role
 *   (viewer, purchaser, administrator), each allow `execute-api:Invoke` on
 *   exactly that role's routes (functions/operators/routes.ts).
 *
 * Access logs are JSON without the request path or query string (a provider
 * link carries its token in the path) and without source IPs.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { OPERATOR_PREFIX, OPERATOR_ROLES, ROLE_POLICY_DESCRIPTIONS, iamPath, iamResourcePath, routesOf, type OperatorRole } from '../../functions/operators/routes.ts';
import { acknowledge, acknowledgeWildcardResource, nagRef } from '../nag.ts';
import type { HouseFunction } from './house-function.ts';

/** The operator routes: everything under this prefix, IAM-authorised. */
export const OPERATOR_ROUTE_PATH = '/operator/{proxy+}';

const BASE_LOG_FIELDS: Record<string, string> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

function accessLogFormat(extra: Record<string, string> = {}): AccessLogFormat {
  const fields = { ...BASE_LOG_FIELDS, ...extra };
  const body = Object.entries(fields)
    .map(([key, value]) => `"${key}":"${value}"`)
    .join(',');
  return AccessLogFormat.custom(`{${body}}`);
}

interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface ApisProps {
  providerLinks: HouseFunction;
  operatorApi: HouseFunction;
  providerLinksThrottle: Throttle;
  operatorApiThrottle: Throttle;
  logRetention: logs.RetentionDays;
}

export class Apis extends Construct {
  readonly providerApi: apigw.HttpApi;
  readonly providerStage: apigw.HttpStage;
  readonly operatorApi: apigw.HttpApi;
  readonly operatorStage: apigw.HttpStage;
  /** The three operator role policies: attach one per operator (README). */
  readonly rolePolicies = {} as Record<OperatorRole, iam.ManagedPolicy>;

  constructor(scope: Construct, id: string, props: ApisProps) {
    super(scope, id);

    // Provider links: one catch-all route ($default) to the link handler.
    this.providerApi = new apigw.HttpApi(this, 'ProviderLinksApi', {
      description: 'Provider pages and answers behind signed single-use links (public by design).',
      createDefaultStage: false,
      defaultIntegration: new HttpLambdaIntegration('ProviderLinksIntegration', props.providerLinks.function),
    });
    this.providerStage = this.providerApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.providerLinksThrottle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup('ProviderLinksAccessLogs', props)),
        format: accessLogFormat(),
      },
    });
    for (const route of this.providerApi.node.findAll()) {
      if (route instanceof apigw.CfnRoute) {
        acknowledge(
          route,
          'AwsSolutions-APIG4',
          'Provider-link routes are public by design: providers have no AWS or IdP identity. Each request ' +
            'carries a signed (HMAC, Secrets Manager key), single-use, expiring link token that the handler ' +
            'verifies before reading or writing anything; the stage is throttled.',
        );
      }
    }

    // Operator API: IAM as the default authoriser; nothing outside /operator/.
    this.operatorApi = new apigw.HttpApi(this, 'OperatorApi', {
      description: 'Operator API (IAM-authorised, SigV4).',
      createDefaultStage: false,
      defaultAuthorizer: new HttpIamAuthorizer(),
    });
    this.operatorApi.addRoutes({
      path: OPERATOR_ROUTE_PATH,
      methods: [apigw.HttpMethod.ANY],
      integration: new HttpLambdaIntegration('OperatorApiIntegration', props.operatorApi.function),
      authorizer: new HttpIamAuthorizer(),
    });
    this.operatorStage = this.operatorApi.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.operatorApiThrottle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogGroup('OperatorApiAccessLogs', props)),
        // Who did it: the IAM caller is the operator's audit trail.
        format: accessLogFormat({ caller: '$context.identity.userArn' }),
      },
    });

    // One managed policy per operator role, each allowing exactly its routes (functions/operators/routes.ts).
    const stack = Stack.of(this);
    const stackArn = stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` });
    for (const role of OPERATOR_ROLES) {
      const policy = new iam.ManagedPolicy(this, `Operator${role[0].toUpperCase()}${role.slice(1)}Policy`, {
        description: ROLE_POLICY_DESCRIPTIONS[role],
        statements: [
          new iam.PolicyStatement({
            sid: 'InvokeOperatorRoutes',
            actions: ['execute-api:Invoke'],
            resources: routesOf(role).map((route) => this.operatorApi.arnForExecuteApi(route.method, iamPath(route), '$default')),
          }),
          // `inkoop --aws` finds the API's address in the stack outputs.
          new iam.PolicyStatement({ sid: 'ReadStackOutputs', actions: ['cloudformation:DescribeStacks'], resources: [stackArn] }),
        ],
      });
      this.rolePolicies[role] = policy;
      const wildcarded = routesOf(role).filter((route) => route.path.includes(':'));
      for (const route of wildcarded) {
        acknowledgeWildcardResource(
          policy,
          `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${nagRef(this.operatorApi)}/$default/${iamResourcePath(route)}`,
          `The ${role} role may call ${route.method} ${OPERATOR_PREFIX}${route.path} of this one API and stage; each * stands for one path parameter.`,
        );
      }
      acknowledgeWildcardResource(
        policy,
        `arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${stack.stackName}/*`,
        'DescribeStacks of this one stack (the * is the stack id CloudFormation appends): the CLI reads the operator API address from its outputs.',
      );
    }
  }

  get providerLinksUrl(): string {
    return this.providerStage.url;
  }

  get operatorApiUrl(): string {
    return this.operatorStage.url;
  }

  private accessLogGroup(id: string, props: ApisProps): logs.LogGroup {
    return new logs.LogGroup(this, id, { retention: props.logRetention, removalPolicy: RemovalPolicy.RETAIN });
  }
}
