/**
 * The CDK stack, synthesized once for the whole file without bundling
 * (`aws:cdk:bundling-stacks: []`: function code is a placeholder asset, which
 * is all a template assertion needs).
 */
import { Validations, type App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, createTableInput } from '../../../functions/store/table.ts';
import { CYCLE_SUBSTITUTIONS, STATE, buildCycleDefinition } from '../../../workflows/cycle.ts';
import { OPERATOR_ROUTE_PATH } from '../../../infra/constructs/apis.ts';
import { METRIC, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME } from '../../../functions/commons/metric-names.ts';
import { emittedMetrics } from '../commons/emitted-metrics.ts';
import { ENTRY_METADATA_KEY, FUNCTIONS, WORKFLOW_FUNCTION_KEYS, type FunctionKey } from '../../../infra/functions.ts';
import { REPO_ROOT } from '../../../infra/paths.ts';
import { FUNCTION_GRANTS } from '../../../infra/permissions.ts';
import { STACK_OUTPUTS, type InkoopkalenderStack } from '../../../infra/stack.ts';
import { createApp, cycleWorkflowFromTemplate, synthesizeStack, type CfnTemplate } from '../../../infra/synth.ts';

type Resource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, unknown> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

let app: App;
let stack: InkoopkalenderStack;
let template: Template;
let json: CfnTemplate & { Resources: Record<string, Resource> };

beforeAll(() => {
  ({ app, stack } = createApp({ bundling: false }));
  template = Template.fromStack(stack);
  json = template.toJSON() as typeof json;
}, 120_000);

// ---------------------------------------------------------------- helpers

function resourcesOf(type: string): [string, Resource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

function only(type: string): [string, Resource] {
  const found = resourcesOf(type);
  expect(found, type).toHaveLength(1);
  return found[0];
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Renders an ARN expression: `<Logical.Attr>`, `<Logical>` for Ref, joins concatenated. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(render).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}

function functionLogicalId(key: FunctionKey): string {
  const found = resourcesOf('AWS::Lambda::Function').filter(([, r]) => r.Metadata?.[ENTRY_METADATA_KEY] === FUNCTIONS[key].entry);
  expect(found, key).toHaveLength(1);
  return found[0][0];
}

/** Every statement of every policy attached to a role. */
function statementsOfRole(roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const [, policy] of resourcesOf('AWS::IAM::Policy')) {
    const roles = (policy.Properties.Roles ?? []) as unknown[];
    if (roles.some((r) => render(r) === `<${roleId}>`)) statements.push(...policy.Properties.PolicyDocument.Statement);
  }
  const role = json.Resources[roleId];
  for (const inline of (role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[]) {
    statements.push(...inline.PolicyDocument.Statement);
  }
  return statements;
}

function roleOfFunction(key: FunctionKey): string {
  const fn = json.Resources[functionLogicalId(key)];
  return (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
}

/** `action resource` pairs of a role, for the actions matching `prefix`. */
function grantsOf(roleId: string, prefix: string): string[] {
  const pairs: string[] = [];
  for (const statement of statementsOfRole(roleId)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of asArray(statement.Action)) {
      if (!action.startsWith(prefix)) continue;
      for (const resource of asArray(statement.Resource)) pairs.push(`${action} ${render(resource)}`);
    }
  }
  return pairs.sort();
}

function tableId(): string {
  return only('AWS::DynamoDB::Table')[0];
}

function documentsBucketId(): string {
  return resourcesOf('AWS::S3::Bucket').find(([, r]) => r.Properties.CorsConfiguration)![0];
}

function publicationsBucketId(): string {
  return render((json.Outputs as Record<string, { Value: unknown }>)[STACK_OUTPUTS.publicationsBucket].Value).slice(1, -1);
}

function envOf(key: FunctionKey): Record<string, unknown> {
  return json.Resources[functionLogicalId(key)].Properties.Environment.Variables as Record<string, unknown>;
}

// ---------------------------------------------------------------- table

describe('table', () => {
  it('is built from functions/store/table.ts: keys, GSIs, attribute types, TTL', () => {
    const [, table] = only('AWS::DynamoDB::Table');
    const shared = createTableInput();
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));
    expect([...table.Properties.AttributeDefinitions].sort(byName)).toEqual([...shared.AttributeDefinitions!].sort(byName));
    expect(table.Properties.GlobalSecondaryIndexes).toHaveLength(Object.keys(INDEXES).length);
    for (const index of Object.values(INDEXES)) {
      expect(table.Properties.GlobalSecondaryIndexes).toContainEqual({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      });
    }
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
  });

  it('is on demand, point-in-time recoverable, deletion protected, encrypted and retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

// ---------------------------------------------------------------- functions

describe('functions', () => {
  it('are exactly the catalog, each bundling an existing handler module', () => {
    const entries = resourcesOf('AWS::Lambda::Function').map(([, r]) => r.Metadata?.[ENTRY_METADATA_KEY]);
    expect(entries.sort()).toEqual(Object.values(FUNCTIONS).map((f) => f.entry).sort());
    for (const spec of Object.values(FUNCTIONS)) expect(existsSync(join(REPO_ROOT, spec.entry)), spec.entry).toBe(true);
  });

  it.each(Object.keys(FUNCTIONS) as FunctionKey[])('%s: nodejs22.x arm64, JSON logs to its own log group, traced', (key) => {
    const fn = json.Resources[functionLogicalId(key)];
    const spec = FUNCTIONS[key];
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    expect(fn.Properties.Architectures).toEqual(['arm64']);
    expect(fn.Properties.Handler).toBe('index.handler');
    expect(fn.Properties.Timeout).toBe(spec.timeoutSeconds);
    expect(fn.Properties.MemorySize).toBe(spec.memoryMb);
    expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    const logGroupId = render(fn.Properties.LoggingConfig.LogGroup).slice(1, -1);
    expect(json.Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
    expect(json.Resources[logGroupId].Properties.RetentionInDays).toBe(365);

    const env = fn.Properties.Environment.Variables as Record<string, unknown>;
    expect(env).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'inkoopkalender', LOG_LEVEL: 'INFO' });
    // Exactly the catalog's variables besides the house ones (the handler's schema reads those: test/unit/handlers/environment.test.ts).
    const given = Object.keys(env).filter((name) => !['POWERTOOLS_SERVICE_NAME', 'LOG_LEVEL', 'NODE_OPTIONS'].includes(name));
    expect(given.sort(), key).toEqual([...spec.environment].sort());
    expect(render(env.TABLE_NAME)).toBe(`<${tableId()}>`);
  });

  it('roles carry no AWS managed policy and write only their own log group', () => {
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const roleId = roleOfFunction(key);
      expect(json.Resources[roleId].Properties.ManagedPolicyArns, key).toBeUndefined();
      const fn = json.Resources[functionLogicalId(key)];
      const logGroupId = render(fn.Properties.LoggingConfig.LogGroup).slice(1, -1);
      expect(grantsOf(roleId, 'logs:')).toEqual([
        `logs:CreateLogStream <${logGroupId}.Arn>`,
        `logs:PutLogEvents <${logGroupId}.Arn>`,
      ]);
    }
  });

  it('SendEmails gets the SES settings and a dead-letter queue, no async retries', () => {
    const fn = json.Resources[functionLogicalId('sendEmails')];
    const [queueId] = only('AWS::SQS::Queue');
    expect(render(fn.Properties.DeadLetterConfig.TargetArn)).toBe(`<${queueId}.Arn>`);
    expect(fn.Properties.Environment.Variables).toMatchObject({ SENDER: 'inkoop@example.nl', SES_RATE_PER_SECOND: '10' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionLogicalId('sendEmails') },
      MaximumRetryAttempts: 0,
    });
  });

  it('SendEmails can issue links: the link secret ARN and the links base URL', () => {
    const [secretId] = only('AWS::SecretsManager::Secret');
    const env = envOf('sendEmails');
    expect(render(env.LINK_SECRET_ARN)).toBe(`<${secretId}>`);
    expect(env.LINKS_BASE_URL).toBeDefined();
  });

  it('RunMilestone gets the publications bucket and the milestone settings, not the link secret', () => {
    const env = envOf('runMilestone');
    expect(render(env.PUBLICATIONS_BUCKET)).toBe(`<${publicationsBucketId()}>`);
    expect(env).toMatchObject({
      PUBLICATIONS_BASE_URL: 'https://www.zorgverzekeraar.example/zorginkoop/publicaties',
      PAGE_SIZE: '100',
      PURCHASERS_EMAIL: 'inkoop@zorgverzekeraar.example',
      CUSTOMER_COMMUNICATION_EMAIL: 'klantcommunicatie@zorgverzekeraar.example',
    });
    expect(env.LINKS_BASE_URL).toBeDefined();
    expect(env).not.toHaveProperty('LINK_SECRET_ARN');
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      if (key !== 'runMilestone') expect(envOf(key), key).not.toHaveProperty('PUBLICATIONS_BUCKET');
    }
  });

  it('publication settings come from context', () => {
    const { stack: other } = createApp({
      bundling: false,
      validation: false,
      context: {
        publicationsBaseUrl: 'https://www.zorgverzekeraar.nl/inkoop/publicaties/',
        pageSize: 25,
        purchasersEmail: 'zorginkoop@zorgverzekeraar.nl',
        customerCommunicationEmail: 'klant@zorgverzekeraar.nl',
      },
    });
    const otherJson = Template.fromStack(other).toJSON() as typeof json;
    const [, fn] = Object.entries(otherJson.Resources).find(
      ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.[ENTRY_METADATA_KEY] === FUNCTIONS.runMilestone.entry,
    )!;
    expect(fn.Properties.Environment.Variables).toMatchObject({
      PUBLICATIONS_BASE_URL: 'https://www.zorgverzekeraar.nl/inkoop/publicaties',
      PAGE_SIZE: '25',
      PURCHASERS_EMAIL: 'zorginkoop@zorgverzekeraar.nl',
      CUSTOMER_COMMUNICATION_EMAIL: 'klant@zorgverzekeraar.nl',
    });
    expect(() => createApp({ bundling: false, validation: false, context: { pageSize: 5000 } })).toThrow(/pageSize/);
    expect(() => createApp({ bundling: false, validation: false, context: { publicationsBaseUrl: 'http://x.example' } })).toThrow(
      /publicationsBaseUrl/,
    );
  }, 60_000);

  it('SES events of the configuration set reach DeliveryEvents through the default bus, dead-lettered on failure', () => {
    const [queueId] = only('AWS::SQS::Queue');
    const [setId] = only('AWS::SES::ConfigurationSet');
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: setId },
      EventDestination: Match.objectLike({
        Enabled: true,
        // No Send: the sender's sent mark says SES accepted the email.
        MatchingEventTypes: ['delivery', 'bounce', 'complaint', 'reject', 'renderingFailure', 'deliveryDelay'],
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      }),
    });
    // The CloudWatch metrics keep Send (the dashboard's "SES send").
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        MatchingEventTypes: ['send', 'delivery', 'bounce', 'complaint', 'reject', 'renderingFailure', 'deliveryDelay'],
        CloudWatchDestination: Match.anyValue(),
      }),
    });
    const busArn = render(
      resourcesOf('AWS::SES::ConfigurationSetEventDestination').find(([, r]) => r.Properties.EventDestination.EventBridgeDestination)![1].Properties
        .EventDestination.EventBridgeDestination.EventBusArn,
    );
    expect(busArn).toMatch(/:event-bus\/default$/);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ses'],
        'detail-type': ['Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Rejected', 'Email Rendering Failed', 'Email Delivery Delayed'],
        detail: { mail: { tags: { 'ses:configuration-set': [{ Ref: setId }] } } },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionLogicalId('deliveryEvents'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
  });

  it('SendEmails also runs every minute, dead-lettering undeliverable ticks', () => {
    const [queueId] = only('AWS::SQS::Queue');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionLogicalId('sendEmails'), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });
});

// ---------------------------------------------------------------- least privilege

describe('IAM', () => {
  it('grants no DynamoDB wildcard action to anyone', () => {
    for (const [id, policy] of [...resourcesOf('AWS::IAM::Policy'), ...resourcesOf('AWS::IAM::ManagedPolicy')]) {
      for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
        for (const action of asArray(statement.Action)) {
          if (action.startsWith('dynamodb:')) expect(action, id).not.toMatch(/\*|Scan/);
          expect(action, id).not.toBe('*');
        }
        if (asArray(statement.Action).some((a) => a.startsWith('dynamodb:'))) {
          for (const resource of asArray(statement.Resource)) expect(render(resource), id).not.toContain('*');
        }
      }
    }
  });

  it('DynamoDB actions are item actions only: no TransactWriteItems (not an IAM action), no Scan, no table-wide grants', () => {
    const allowed = new Set(
      ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem', 'BatchWriteItem'].map(
        (a) => `dynamodb:${a}`,
      ),
    );
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      for (const pair of grantsOf(roleOfFunction(key), 'dynamodb:')) expect(allowed.has(pair.split(' ')[0]), `${key}: ${pair}`).toBe(true);
    }
  });

  it('grants what the handlers call and no more: messages, publications, provider profiles', () => {
    const table = `<${tableId()}.Arn>`;
    // SendEmails claims and marks messages (Update), reads the applications its links are bound to (BatchGet); links are stored nowhere, so no Put or Delete.
    for (const action of ['GetItem', 'BatchGetItem', 'UpdateItem']) {
      expect(grantsOf(roleOfFunction('sendEmails'), 'dynamodb:')).toContain(`dynamodb:${action} ${table}`);
    }
    for (const action of ['PutItem', 'DeleteItem']) {
      expect(grantsOf(roleOfFunction('sendEmails'), 'dynamodb:')).not.toContain(`dynamodb:${action} ${table}`);
    }
    // RunMilestone reads provider profiles in batches and writes applications, events and messages.
    for (const action of ['BatchGetItem', 'PutItem']) {
      expect(grantsOf(roleOfFunction('runMilestone'), 'dynamodb:')).toContain(`dynamodb:${action} ${table}`);
    }
    // ProviderLinks reads a page in one BatchGetItem and answers with Put transactions conditioned on the version its link carries: no Update.
    expect(grantsOf(roleOfFunction('providerLinks'), 'dynamodb:')).toContain(`dynamodb:BatchGetItem ${table}`);
    expect(grantsOf(roleOfFunction('providerLinks'), 'dynamodb:')).not.toContain(`dynamodb:UpdateItem ${table}`);
  });

  it.each(Object.keys(FUNCTIONS) as FunctionKey[])('%s: DynamoDB access is exactly infra/permissions.ts', (key) => {
    const grants = FUNCTION_GRANTS[key] as { table: readonly string[]; indexes?: readonly (keyof typeof INDEXES)[] };
    const table = `<${tableId()}.Arn>`;
    const expected = [
      ...grants.table.map((action) => `dynamodb:${action} ${table}`),
      ...(grants.indexes ?? []).map((index) => `dynamodb:Query ${table}/index/${INDEXES[index].name}`),
    ].sort();
    expect(grantsOf(roleOfFunction(key), 'dynamodb:')).toEqual(expected);
  });

  it('only the link handlers and the sender (which issues links) read the link secret', () => {
    const [secretId] = only('AWS::SecretsManager::Secret');
    expect(grantsOf(roleOfFunction('sendEmails'), 'secretsmanager:')).toEqual([`secretsmanager:GetSecretValue <${secretId}>`]);
    expect(grantsOf(roleOfFunction('providerLinks'), 'secretsmanager:')).toEqual([`secretsmanager:GetSecretValue <${secretId}>`]);
    expect(grantsOf(roleOfFunction('runMilestone'), 'secretsmanager:')).toEqual([]);
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const expected = (FUNCTION_GRANTS[key] as { linkSecret?: boolean }).linkSecret
        ? [`secretsmanager:GetSecretValue <${secretId}>`]
        : [];
      expect(grantsOf(roleOfFunction(key), 'secretsmanager:'), key).toEqual(expected);
    }
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
  });

  it('only SendEmails sends email, through the configuration set and sender identity', () => {
    const [configSetId] = only('AWS::SES::ConfigurationSet');
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const ses = grantsOf(roleOfFunction(key), 'ses:');
      if (key !== 'sendEmails') {
        expect(ses, key).toEqual([]);
        continue;
      }
      const resources = [...new Set(ses.map((pair) => pair.split(' ')[1]))];
      expect(resources).toHaveLength(3);
      expect(resources.some((r) => r.endsWith(`:configuration-set/<${configSetId}>`))).toBe(true);
      expect(resources.some((r) => r.endsWith(':identity/example.nl'))).toBe(true);
      expect(resources.some((r) => r.endsWith(':identity/inkoop@example.nl'))).toBe(true);
      expect(ses.map((pair) => pair.split(' ')[0]).sort()).toEqual([
        ...Array(3).fill('ses:SendEmail'),
        ...Array(3).fill('ses:SendRawEmail'),
      ]);
    }
  });

  it('S3: ProviderLinks on the upload prefix of the documents bucket, OperatorApi on its imports prefix, RunMilestone on the publications bucket, nobody else', () => {
    const documents = documentsBucketId();
    const publications = publicationsBucketId();
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const expected =
        key === 'providerLinks'
          ? [`s3:GetObject <${documents}.Arn>/uploads/*`, `s3:ListBucket <${documents}.Arn>`, `s3:PutObject <${documents}.Arn>/uploads/*`]
          : key === 'runMilestone'
            ? [`s3:GetObject <${publications}.Arn>/*`, `s3:ListBucket <${publications}.Arn>`, `s3:PutObject <${publications}.Arn>/*`]
            : key === 'operatorApi'
              ? [`s3:GetObject <${documents}.Arn>/imports/*`, `s3:PutObject <${documents}.Arn>/imports/*`]
              : [];
      expect(grantsOf(roleOfFunction(key), 's3:'), key).toEqual(expected);
    }
  });

  it('ProviderLinks lists the documents bucket only under the upload prefix', () => {
    const lists = statementsOfRole(roleOfFunction('providerLinks')).filter((st) => asArray(st.Action).includes('s3:ListBucket'));
    expect(lists).toHaveLength(1);
    expect(lists[0].Condition).toEqual({ StringLike: { 's3:prefix': ['uploads/*'] } });
  });

  it('the publications bucket grant is on RunMilestone only', () => {
    const publications = publicationsBucketId();
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const onPublications = statementsOfRole(roleOfFunction(key)).filter((st) =>
        asArray(st.Resource).some((r) => render(r).includes(`<${publications}`)),
      );
      if (key === 'runMilestone') expect(onPublications.length, key).toBeGreaterThan(0);
      else expect(onPublications, key).toEqual([]);
    }
  });

  it('only OperatorApi touches the state machine; the state machine invokes only the four workflow functions and starts only its own executions', () => {
    const [machineId] = only('AWS::StepFunctions::StateMachine');
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const states = grantsOf(roleOfFunction(key), 'states:');
      if (key !== 'operatorApi') expect(states, key).toEqual([]);
      else {
        expect(states).toEqual([
          expect.stringMatching(new RegExp(`^states:DescribeExecution .*:execution:<${machineId}.Name>:\\*$`)),
          `states:ListExecutions <${machineId}>`,
          `states:StartExecution <${machineId}>`,
        ]);
      }
    }
    const machineRole = render(json.Resources[machineId].Properties.RoleArn).slice(1, -'.Arn>'.length);
    expect(grantsOf(machineRole, 'lambda:')).toEqual(
      WORKFLOW_FUNCTION_KEYS.map((key) => `lambda:InvokeFunction <${functionLogicalId(key)}.Arn>`).sort(),
    );
    // The hand-over to a successor execution (workflows/cycle.ts): StartExecution on itself, nothing else.
    expect(grantsOf(machineRole, 'states:')).toEqual([`states:StartExecution <${machineId}>`]);
  });
});

// ---------------------------------------------------------------- APIs

describe('HTTP APIs', () => {
  function routesOf(apiDescription: RegExp): Resource[] {
    const [apiId] = resourcesOf('AWS::ApiGatewayV2::Api').find(([, r]) => apiDescription.test(r.Properties.Description))!;
    return resourcesOf('AWS::ApiGatewayV2::Route')
      .filter(([, r]) => render(r.Properties.ApiId) === `<${apiId}>`)
      .map(([, r]) => r);
  }

  it('operator routes are IAM-authorised, under /operator/, and there is no other operator route', () => {
    const routes = routesOf(/^Operator API/);
    expect(routes.map((r) => r.Properties.RouteKey)).toEqual([`ANY ${OPERATOR_ROUTE_PATH}`]);
    for (const route of routes) expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('provider routes are public (signed links), never under /operator/', () => {
    const routes = routesOf(/^Provider pages/);
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(route.Properties.AuthorizationType ?? 'NONE').not.toBe('AWS_IAM');
      expect(route.Properties.RouteKey).not.toContain('/operator');
    }
  });

  it('default stages are throttled and access-logged without paths', () => {
    const stages = resourcesOf('AWS::ApiGatewayV2::Stage').map(([, r]) => r.Properties);
    expect(stages).toHaveLength(2);
    for (const stage of stages) {
      expect(stage.StageName).toBe('$default');
      expect(stage.DefaultRouteSettings.ThrottlingRateLimit).toBeGreaterThan(0);
      expect(stage.DefaultRouteSettings.ThrottlingBurstLimit).toBeGreaterThan(0);
      expect(stage.AccessLogSettings.Format).toContain('$context.requestId');
      // A provider link carries its token in the path: never log it.
      expect(stage.AccessLogSettings.Format).not.toMatch(/\$context\.(path|resourcePath|identity\.sourceIp)/);
    }
  });
});

// ---------------------------------------------------------------- state machine

describe('state machine', () => {
  it('deploys exactly JSON.stringify(buildCycleDefinition()) (the local runtime relies on it)', () => {
    const [, machine] = only('AWS::StepFunctions::StateMachine');
    expect(machine.Properties.DefinitionString).toBe(JSON.stringify(buildCycleDefinition()));
  });

  it('has every state of workflows/cycle.ts, and every Task has TimeoutSeconds', () => {
    const { definition } = cycleWorkflowFromTemplate(json);
    const states = definition.States as Record<string, { Type: string; TimeoutSeconds?: number }>;
    expect(Object.keys(states).sort()).toEqual(Object.values(STATE).sort());
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.length).toBeGreaterThan(0);
    for (const [name, task] of tasks) expect(task.TimeoutSeconds, name).toBeGreaterThan(0);
  });

  it('is STANDARD, traced, logging ALL without execution data', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
  });

  it('cycleWorkflowFromTemplate maps each substitution to its function and handler module', () => {
    const { substitutions } = cycleWorkflowFromTemplate(json);
    const expected = Object.fromEntries(
      WORKFLOW_FUNCTION_KEYS.map((key) => [
        CYCLE_SUBSTITUTIONS[key].slice(2, -1),
        { logicalId: functionLogicalId(key), entry: FUNCTIONS[key].entry, exportName: 'handler' },
      ]),
    );
    expect(substitutions).toEqual(expected);
  });
});

describe('synthesizeStack', () => {
  it('returns the same template in-process, readable by cycleWorkflowFromTemplate', () => {
    const synthesized = synthesizeStack({ bundling: false, validation: false });
    const fromHelper = cycleWorkflowFromTemplate(synthesized);
    const fromTest = cycleWorkflowFromTemplate(json);
    expect(fromHelper.definitionString).toBe(JSON.stringify(buildCycleDefinition()));
    expect(fromHelper.substitutions).toEqual(fromTest.substitutions);
    expect(Object.keys(synthesized.Resources).sort()).toEqual(Object.keys(json.Resources).sort());
  }, 60_000);

  it('rejects a template whose substitution is not a bundled function', () => {
    const broken = structuredClone(json);
    const [machineId] = only('AWS::StepFunctions::StateMachine');
    broken.Resources[machineId].Properties!.DefinitionSubstitutions = { NextMilestoneFunction: 'arn:aws:lambda:x' };
    expect(() => cycleWorkflowFromTemplate(broken)).toThrow(/not a function ARN reference/);
  });
});

// ---------------------------------------------------------------- storage, email

/** SSE-S3, no public access, versioned, and a bucket policy that denies requests without TLS. */
function expectPrivateBucket(id: string): void {
  expect(json.Resources[id].Properties).toMatchObject({
    BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
    VersioningConfiguration: { Status: 'Enabled' },
  });
  template.hasResourceProperties('AWS::S3::BucketPolicy', {
    Bucket: { Ref: id },
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
}

describe('documents, email', () => {
  it('documents bucket: encrypted, private, SSL only, access-logged, versioned, with lifecycle rules', () => {
    const documentsId = documentsBucketId();
    const documents = json.Resources[documentsId];
    expectPrivateBucket(documentsId);
    expect(documents.Properties.LoggingConfiguration.DestinationBucketName).toBeDefined();
    expect(documents.Properties.LifecycleConfiguration.Rules.length).toBeGreaterThan(0);
  });

  it('publications bucket: encrypted, private, SSL only, versioned, access-logged to the log bucket, retained', () => {
    const id = publicationsBucketId();
    const bucket = json.Resources[id] as Resource & { DeletionPolicy?: string };
    expect(bucket.Type).toBe('AWS::S3::Bucket');
    expect(bucket.DeletionPolicy).toBe('Retain');
    expectPrivateBucket(id);
    expect(bucket.Properties).toMatchObject({ LoggingConfiguration: { LogFilePrefix: 'publications/' } });
    const documentsLog = json.Resources[documentsBucketId()].Properties.LoggingConfiguration.DestinationBucketName;
    expect(bucket.Properties.LoggingConfiguration.DestinationBucketName).toEqual(documentsLog);
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('publications bucket: read by the website role given as publicationsReaderArn, and by no other principal', () => {
    const policyOf = (t: typeof json) =>
      Object.values(t.Resources).find((r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket?.Ref === publicationsBucketId())!.Properties
        .PolicyDocument.Statement as { Effect: string; Principal?: { AWS?: unknown }; Action: string | string[]; Resource: unknown }[];
    const allows = (t: typeof json) => policyOf(t).filter((st) => st.Effect === 'Allow');
    expect(allows(json)).toEqual([]);

    const website = 'arn:aws:iam::210987654321:role/website-publisher';
    const { stack: other } = createApp({ bundling: false, validation: false, context: { publicationsReaderArn: website } });
    const granted = allows(Template.fromStack(other).toJSON() as typeof json);
    expect(granted.map((st) => [st.Principal?.AWS, st.Action]).sort()).toEqual([
      [website, 's3:GetObject'],
      [website, 's3:ListBucket'],
    ]);
    expect(() => createApp({ bundling: false, validation: false, context: { publicationsReaderArn: 'website' } })).toThrow(/publicationsReaderArn/);
  }, 60_000);

  it('SES configuration set: TLS, reputation metrics, suppression; the sender domain identity uses it', () => {
    const [configSetId] = only('AWS::SES::ConfigurationSet');
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'example.nl',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: configSetId } },
    });
  });
});

// ---------------------------------------------------------------- alarms

describe('alarms', () => {
  const alarms = () => resourcesOf('AWS::CloudWatch::Alarm').map(([, r]) => r.Properties);

  it('all notify the encrypted, SSL-only operator topic', () => {
    const [topicId, topic] = only('AWS::SNS::Topic');
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('cover failed executions', () => {
    const [machineId] = only('AWS::StepFunctions::StateMachine');
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsFailed',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
        Threshold: 1,
      }),
    );
  });

  it.each(Object.keys(FUNCTIONS) as FunctionKey[])('cover errors of %s', (key) => {
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionLogicalId(key) } }],
      }),
    );
  });

  it('on the stack\'s own metrics are each on a metric the code emits (EMF), none on log lines', async () => {
    const own = alarms().filter((a) => a.Namespace === METRICS_NAMESPACE);
    expect(own.map((a) => a.MetricName).sort()).toEqual([METRIC.emailsFailed, METRIC.linkActions, METRIC.senderLag].sort());
    const emitted = await emittedMetrics();
    for (const a of own) {
      const { [SERVICE_DIMENSION]: service, ...dimensions } = Object.fromEntries(
        (a.Dimensions as { Name: string; Value: string }[]).map((d) => [d.Name, d.Value]),
      );
      expect(service, a.MetricName).toBe(SERVICE_NAME);
      expect(emitted, `${a.MetricName} ${JSON.stringify(dimensions)}`).toContainEqual(expect.objectContaining({ name: a.MetricName, dimensions }));
    }
    expect(resourcesOf('AWS::Logs::MetricFilter')).toEqual([]);
  });

  it('cover the dead-letter queue holding anything', () => {
    const [queueId] = only('AWS::SQS::Queue');
    expect(alarms()).toContainEqual(
      expect.objectContaining({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
  });

  it('and a dashboard shows the state machine, functions, dead-letter queue and emails', () => {
    const [, dashboard] = only('AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const needle of ['AWS/States', 'AWS/Lambda', 'AWS/SQS', 'EmailsFailed', 'AWS/SES']) expect(body).toContain(needle);
  });
});

// ---------------------------------------------------------------- outputs, nag

describe('outputs', () => {
  it('has what the CLI reads by stack name', () => {
    for (const key of Object.values(STACK_OUTPUTS)) expect(json.Outputs, key).toHaveProperty(key);
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding (errors or warnings)', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('every acknowledgement names a finding and gives a specific reason', () => {
    const acknowledged: [string, string][] = [];
    for (const construct of app.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledged.push([id, reason]);
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(reason.length, id).toBeGreaterThan(60);
    }
  });

  // Reading the annotations walks the whole construct tree: seconds on a loaded 2-core machine, not the default 5.
  it('leaves no CDK warning or error annotations', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  }, 60_000);

  it('synthesizes without bundling', () => {
    // A tripwire, not a timing: bundling sneaking back into unit tests would run esbuild for every function.
    expect(app.node.tryGetContext('aws:cdk:bundling-stacks')).toEqual([]);
    expect(stack.bundlingRequired).toBe(false);
  });
});
