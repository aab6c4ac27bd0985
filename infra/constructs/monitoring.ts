/**
 * Operator alarms and the dashboard.
 *
 * Alarms publish to one SNS topic, encrypted with a customer managed KMS key
 * (CloudWatch cannot publish to a topic under the AWS managed aws/sns key) and
 * with an SSL-only topic policy. Alarms:
 * - cycle executions failed / timed out / aborted (a failed milestone fails the execution);
 * - every function's errors;
 * - the stack's own metrics, which the functions emit in CloudWatch Embedded
 *   Metric Format with Powertools Metrics (names in functions/commons/metric-names.ts):
 *   emails failed, the sender's lag, provider form posts that ended in our error;
 * - the dead-letter queue holding any message;
 * - 5xx answers of either API.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SES_CONFIGURATION_SET_DIMENSION } from './email.ts';
import {
  LINK_OUTCOME_DIMENSION,
  LINK_OUTCOMES,
  METRIC,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  SERVICE_NAME,
  type MetricName,
} from '../../functions/commons/metric-names.ts';
import type { HouseFunction } from './house-function.ts';

/** An email waiting longer than this between its creation and SES accepting it raises an alarm. */
export const SENDER_LAG_ALARM_SECONDS = 3600;

/** One of the stack's own metrics (EMF, functions/commons/metrics.ts): they all carry service=SERVICE_NAME. */
export function ownMetric(name: MetricName, options: { statistic?: string; dimensions?: Record<string, string>; label?: string } = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME, ...options.dimensions },
    statistic: options.statistic ?? cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    label: options.label,
  });
}

export interface MonitoringProps {
  stateMachine: sfn.StateMachine;
  functions: Record<string, HouseFunction>;
  deadLetterQueue: sqs.Queue;
  apis: { name: string; stage: apigw.HttpStage }[];
  configurationSetName: string;
  alarmEmail?: string;
}

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  readonly emailsFailed: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);

    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the inkoopkalender operator alarm topic.',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }),
    );
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: 'Inkoopkalender alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);

    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
      return created;
    };
    const fiveMinutes = { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM };

    // The cycle.
    const sm = props.stateMachine;
    alarm(
      'ExecutionsFailed',
      sm.metricFailed(fiveMinutes),
      'A cycle execution failed: a milestone failed. See `inkoop status`, then `inkoop milestone retry`.',
    );
    alarm('ExecutionsTimedOut', sm.metricTimedOut(fiveMinutes), 'A cycle execution timed out.');
    alarm('ExecutionsAborted', sm.metricAborted(fiveMinutes), 'A cycle execution was aborted (stopped by hand?).');

    // Functions.
    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}Errors`, fn.function.metricErrors(fiveMinutes), `${name} threw errors (see its log group).`);
    }

    // The code's own metrics (EMF): emails, the sender's lag, provider form posts.
    this.emailsFailed = ownMetric(METRIC.emailsFailed);
    alarm('EmailsFailedAlarm', this.emailsFailed, 'Emails failed to send (outbox messages marked failed).');
    // Alarm metrics carry no label: a labelled metric renders as a metric math alarm.
    const senderLag = ownMetric(METRIC.senderLag, { statistic: cloudwatch.Stats.MAXIMUM });
    alarm(
      'SenderLagHigh',
      senderLag,
      `An email waited ${SENDER_LAG_ALARM_SECONDS / 60} minutes or more before SES accepted it: the sender is behind (SES rate, throttling?).`,
      SENDER_LAG_ALARM_SECONDS,
    );
    const linkActions = Object.fromEntries(
      LINK_OUTCOMES.map((outcome) => [outcome, ownMetric(METRIC.linkActions, { dimensions: { [LINK_OUTCOME_DIMENSION]: outcome } })]),
    );
    alarm('LinkActionErrors', linkActions.error, 'Provider form posts failed on our side (5xx): providers could not act on their links.');

    // Dead-letter queue: the scheduled sender failed (after its retries) or could not be invoked.
    const dlqDepth = props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: Duration.minutes(1),
      statistic: cloudwatch.Stats.MAXIMUM,
    });
    alarm(
      'DeadLetterQueueNotEmpty',
      dlqDepth,
      'The scheduled email sender or the SES event handler dead-lettered an invocation: inspect and redrive the queue.',
    );

    // APIs.
    for (const { name, stage } of props.apis) {
      alarm(`${name}ServerErrors`, stage.metricServerError(fiveMinutes), `${name} answered with 5xx errors.`);
    }

    // SES reputation of this configuration set (AWS/SES, published with reputation metrics on).
    const sesMetric = (metricName: string, statistic: string, label: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        dimensionsMap: { [SES_CONFIGURATION_SET_DIMENSION]: props.configurationSetName },
        statistic,
        period: Duration.minutes(5),
        label,
      });
    alarm(
      'BounceRateHigh',
      sesMetric('Reputation.BounceRate', cloudwatch.Stats.MAXIMUM, 'Bounce rate'),
      'SES bounce rate of the configuration set is at or above 5% (SES reviews accounts from 5%).',
      0.05,
    );
    alarm(
      'ComplaintRateHigh',
      sesMetric('Reputation.ComplaintRate', cloudwatch.Stats.MAXIMUM, 'Complaint rate'),
      'SES complaint rate of the configuration set is at or above 0.1% (SES reviews accounts from 0.1%).',
      0.001,
    );

    // Dashboard.
    const fns = Object.entries(props.functions);
    const perFunction = (make: (fn: HouseFunction) => cloudwatch.IMetric) =>
      fns.map(([name, fn]) => {
        const metric = make(fn) as cloudwatch.Metric;
        return metric.with({ label: name });
      });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Cycle executions',
            width: 12,
            left: [
              sm.metricStarted(fiveMinutes).with({ label: 'started' }),
              sm.metricSucceeded(fiveMinutes).with({ label: 'succeeded' }),
              sm.metricFailed(fiveMinutes).with({ label: 'failed' }),
              sm.metricTimedOut(fiveMinutes).with({ label: 'timed out' }),
              sm.metricAborted(fiveMinutes).with({ label: 'aborted' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'Emails',
            width: 12,
            left: [
              ownMetric(METRIC.emailsSent, { label: 'sent' }),
              this.emailsFailed.with({ label: 'failed' }),
              ownMetric(METRIC.emailsRetried, { label: 'retried' }),
              sesMetric('Send', cloudwatch.Stats.SUM, 'SES send'),
              sesMetric('Delivery', cloudwatch.Stats.SUM, 'SES delivery'),
              sesMetric('Bounce', cloudwatch.Stats.SUM, 'SES bounce'),
              sesMetric('Complaint', cloudwatch.Stats.SUM, 'SES complaint'),
              sesMetric('Reject', cloudwatch.Stats.SUM, 'SES reject'),
            ],
          }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Sender lag', width: 8, left: [senderLag.with({ label: 'longest wait (s)' })] }),
          new cloudwatch.GraphWidget({
            title: 'Milestone pages run',
            width: 8,
            left: [ownMetric(METRIC.milestonePagesRun, { label: 'pages' })],
          }),
          new cloudwatch.GraphWidget({ title: 'Provider form posts by outcome', width: 8, left: Object.entries(linkActions).map(([outcome, m]) => m.with({ label: outcome })) }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function invocations',
            width: 8,
            left: perFunction((fn) => fn.function.metricInvocations(fiveMinutes)),
          }),
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            width: 8,
            left: perFunction((fn) => fn.function.metricErrors(fiveMinutes)),
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration p95',
            width: 8,
            left: perFunction((fn) =>
              fn.function.metricDuration({ period: Duration.minutes(5), statistic: cloudwatch.Stats.p(95) }),
            ),
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function throttles',
            width: 8,
            left: perFunction((fn) => fn.function.metricThrottles(fiveMinutes)),
          }),
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queue',
            width: 8,
            left: [
              dlqDepth.with({ label: 'visible messages' }),
              props.deadLetterQueue
                .metricApproximateAgeOfOldestMessage({
                  period: Duration.minutes(1),
                  statistic: cloudwatch.Stats.MAXIMUM,
                })
                .with({ label: 'age of oldest (s)' }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: 'API requests and errors',
            width: 8,
            left: props.apis.map(({ name, stage }) =>
              stage.metricCount(fiveMinutes).with({ label: `${name} requests` }),
            ),
            right: props.apis.flatMap(({ name, stage }) => [
              stage.metricClientError(fiveMinutes).with({ label: `${name} 4xx` }),
              stage.metricServerError(fiveMinutes).with({ label: `${name} 5xx` }),
            ]),
          }),
        ],
      ],
    });
  }
}
