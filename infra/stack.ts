/**
 * The inkoopkalender stack: Step Functions owns time, DynamoDB owns state, SES
 * sends email, providers answer through signed links (HTTP API), operators use
 * an IAM-authorised HTTP API. Environment-agnostic: no lookups, no account or
 * region in the code; `cdk synth` works offline.
 *
 * Settings come from CDK context (infra/config.ts). Which function may do what
 * is infra/permissions.ts; which module each bundles is infra/functions.ts.
 */
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { readConfig } from './config.ts';
import { Apis } from './constructs/apis.ts';
import { Data } from './constructs/data.ts';
import { Email, SES_CONFIGURATION_SET_DIMENSION } from './constructs/email.ts';
import { RECORDED_SES_EVENT_TYPES, SES_DETAIL_TYPES } from '../functions/delivery/ses-events.ts';
import { grantStatements, type GrantTargets } from './constructs/grants.ts';
import { HouseFunction } from './constructs/house-function.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Workflow } from './constructs/workflow.ts';
import { environmentOf, FUNCTIONS, WORKFLOW_FUNCTION_KEYS, type EnvName, type FunctionKey } from './functions.ts';
import { DOCUMENTS_UPLOAD_PREFIX, FUNCTION_GRANTS } from './permissions.ts';
import { STACK_NAME, STACK_OUTPUTS } from '../functions/commons/stack.ts';
import { OPERATOR_ROLES, ROLE_POLICY_DESCRIPTIONS, ROLE_POLICY_OUTPUTS } from '../functions/operators/routes.ts';

export { STACK_NAME, STACK_OUTPUTS };

export class InkoopkalenderStack extends Stack {
  readonly functions: Record<FunctionKey, HouseFunction>;

  constructor(scope: Construct, id: string = STACK_NAME, props: StackProps = {}) {
    super(scope, id, {
      description: 'inkoopkalender: the yearly provider-contracting calendar of a Dutch health insurer.',
      ...props,
    });
    const config = readConfig(this);

    const data = new Data(this, 'Data', { documentsCorsOrigin: config.documentsCorsOrigin, publicationsReaderArn: config.publicationsReaderArn });
    const email = new Email(this, 'Email', {
      senderAddress: config.senderAddress,
      senderDomain: config.senderDomain,
    });

    // Asynchronous failures of the scheduled sender and of the SES event handler:
    // the functions' own dead-letter queue and their rule targets' (could not invoke) share it.
    const deadLetterQueue = new sqs.Queue(this, 'SendEmailsDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // Functions. Environment values are filled in below, once every resource
    // they name exists (the state machine needs the functions first).
    const env: Partial<Record<EnvName, string>> = {
      TABLE_NAME: data.table.tableName,
      LINK_SECRET_ARN: data.linkSecret.secretArn,
      DOCUMENTS_BUCKET: data.documents.bucketName,
      DOCUMENTS_UPLOAD_PREFIX,
      SENDER: config.senderAddress,
      CONFIGURATION_SET: email.configurationSetName,
      SES_RATE_PER_SECOND: String(config.sesRatePerSecond),
      PUBLICATIONS_BUCKET: data.publications.bucketName,
      PUBLICATIONS_BASE_URL: config.publicationsBaseUrl,
      PAGE_SIZE: String(config.pageSize),
      PURCHASERS_EMAIL: config.purchasersEmail,
      CUSTOMER_COMMUNICATION_EMAIL: config.customerCommunicationEmail,
    };
    const functions = {} as Record<FunctionKey, HouseFunction>;
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const spec = FUNCTIONS[key];
      functions[key] = new HouseFunction(this, spec.id, {
        entry: spec.entry,
        description: spec.description,
        timeout: Duration.seconds(spec.timeoutSeconds),
        memorySize: spec.memoryMb,
        logLevel: config.logLevel,
        logRetention: config.logRetention,
        ...(key === 'sendEmails' || key === 'deliveryEvents'
          ? {
              deadLetterQueue,
              // A failed tick is not retried: the next one comes within a minute. A failed SES event
              // is (twice): every write it makes is conditional, so a repeat changes nothing.
              retryAttempts: key === 'sendEmails' ? 0 : 2,
              maxEventAge: key === 'sendEmails' ? Duration.minutes(15) : Duration.hours(6),
            }
          : {}),
      });
    }
    this.functions = functions;

    const workflow = new Workflow(this, 'Cycle', {
      functions: Object.fromEntries(WORKFLOW_FUNCTION_KEYS.map((key) => [key, functions[key]])) as Record<
        (typeof WORKFLOW_FUNCTION_KEYS)[number],
        HouseFunction
      >,
      logRetention: config.logRetention,
    });

    const apis = new Apis(this, 'Api', {
      providerLinks: functions.providerLinks,
      operatorApi: functions.operatorApi,
      providerLinksThrottle: config.providerLinksThrottle,
      operatorApiThrottle: config.operatorApiThrottle,
      logRetention: config.logRetention,
    });

    env.STATE_MACHINE_ARN = workflow.stateMachine.stateMachineArn;
    env.LINKS_BASE_URL = config.linksBaseUrl ?? apis.providerLinksUrl;
    env.OPERATOR_VIEWER_POLICY_ARN = apis.rolePolicies.viewer.managedPolicyArn;
    env.OPERATOR_PURCHASER_POLICY_ARN = apis.rolePolicies.purchaser.managedPolicyArn;
    env.OPERATOR_ADMINISTRATOR_POLICY_ARN = apis.rolePolicies.administrator.managedPolicyArn;
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      for (const [name, value] of Object.entries(environmentOf(key, env))) functions[key].function.addEnvironment(name, value);
    }

    // Grants: exactly infra/permissions.ts.
    const grantTargets: GrantTargets = {
      table: data.table,
      linkSecret: data.linkSecret,
      documents: data.documents,
      publications: data.publications,
      email,
      stateMachine: workflow.stateMachine,
    };
    for (const key of Object.keys(FUNCTIONS) as FunctionKey[]) {
      const { statements, wildcards } = grantStatements(FUNCTION_GRANTS[key], grantTargets);
      functions[key].allow(...statements);
      for (const { resource, reason } of wildcards) functions[key].acknowledgeWildcardResource(resource, reason);
    }

    // Link confirmation emails go out within a minute, cycle or no cycle.
    const schedule = new events.Rule(this, 'SendEmailsSchedule', {
      description: 'Every minute: send queued emails (link confirmations) outside milestone runs.',
      schedule: events.Schedule.rate(Duration.minutes(1)),
    });
    schedule.addTarget(
      new targets.LambdaFunction(functions.sendEmails.function, {
        event: events.RuleTargetInput.fromObject({ source: 'schedule' }),
        deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.minutes(5),
      }),
    );

    // SES events of this configuration set (infra/constructs/email.ts) to the DeliveryEvents function.
    const sesEvents = new events.Rule(this, 'SesEventsRule', {
      description: 'SES sending events of the configuration set: delivery status per email, bounces, complaints.',
      eventPattern: {
        source: ['aws.ses'],
        detailType: RECORDED_SES_EVENT_TYPES.map((t) => SES_DETAIL_TYPES[t]),
        detail: { mail: { tags: { [SES_CONFIGURATION_SET_DIMENSION]: [email.configurationSetName] } } },
      },
    });
    sesEvents.addTarget(
      new targets.LambdaFunction(functions.deliveryEvents.function, {
        deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      }),
    );

    new Monitoring(this, 'Monitoring', {
      stateMachine: workflow.stateMachine,
      functions: Object.fromEntries(
        (Object.keys(FUNCTIONS) as FunctionKey[]).map((key) => [FUNCTIONS[key].id, functions[key]]),
      ),
      deadLetterQueue,
      apis: [
        { name: 'ProviderLinksApi', stage: apis.providerStage },
        { name: 'OperatorApi', stage: apis.operatorStage },
      ],
      configurationSetName: email.configurationSetName,
      alarmEmail: config.alarmEmail,
    });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(STACK_OUTPUTS.tableName, data.table.tableName, 'DynamoDB table (single-table design).');
    output(STACK_OUTPUTS.stateMachineArn, workflow.stateMachine.stateMachineArn, 'Cycle state machine (one execution per cycle).');
    output(STACK_OUTPUTS.providerLinksUrl, apis.providerLinksUrl, 'Provider-links HTTP API (public, signed links).');
    output(STACK_OUTPUTS.operatorApiUrl, apis.operatorApiUrl, 'Operator HTTP API (IAM/SigV4), routes under operator/.');
    output(STACK_OUTPUTS.documentsBucket, data.documents.bucketName, 'Bucket of provider document uploads.');
    output(
      STACK_OUTPUTS.publicationsBucket,
      data.publications.bucketName,
      `Public documents (contracted-provider lists, Q&A memo), served by the website at ${config.publicationsBaseUrl}.`,
    );
    output(STACK_OUTPUTS.linkSecretArn, data.linkSecret.secretArn, 'Secret holding the link-signing HMAC key.');
    for (const role of OPERATOR_ROLES) {
      output(ROLE_POLICY_OUTPUTS[role], apis.rolePolicies[role].managedPolicyArn, ROLE_POLICY_DESCRIPTIONS[role]);
    }
    output(STACK_OUTPUTS.configurationSetName, email.configurationSetName, 'SES configuration set of every email.');
    for (const [i, record] of email.identity.dkimRecords.entries()) {
      output(`SenderDkim${i + 1}`, `${record.name} CNAME ${record.value}`, `DKIM CNAME ${i + 1} of the sender domain.`);
    }
  }
}
