/**
 * Operator alarms and the dashboard.
 *
 * Alarms publish to one SNS topic, encrypted with a customer managed KMS key
 * (CloudWatch cannot publish to a topic under the AWS managed aws/sns key) and
 * with an SSL-only topic policy. Alarms:
 * - cycle executions failed / timed out / aborted (a failed milestone fails the execution);
 * - every function's errors;
 * - emails failed: a metric filter on the SendEmails log group counting log lines
 *   whose `message` is exactly `email failed` (see EMAIL_FAILED_LOG_MESSAGE; the
 *   sender logs that once per failed message with Powertools, no email address);
 * - the dead-letter queue holding any message;
 * - 5xx answers of either API.
 */
import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SES_CONFIGURATION_SET_DIMENSION } from './email.ts';
import type { HouseFunction } from './house-function.ts';

/** Namespace of the stack's own metrics. */
export const METRICS_NAMESPACE = 'Inkoopkalender';
/** Log line `message` the sender writes once per email that failed to send. */
export const EMAIL_FAILED_LOG_MESSAGE = 'email failed';
/** Log line `message` the sender writes once per email sent (dashboard only). */
export const EMAIL_SENT_LOG_MESSAGE = 'email sent';

export interface MonitoringProps {
  stateMachine: sfn.StateMachine;
  functions: Record<string, HouseFunction>;
  sender: HouseFunction;
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

    // Emails: counted from the sender's log lines.
    this.emailsFailed = this.logCount(props.sender.logGroup, 'EmailsFailed', EMAIL_FAILED_LOG_MESSAGE);
    const emailsSent = this.logCount(props.sender.logGroup, 'EmailsSent', EMAIL_SENT_LOG_MESSAGE);
    alarm('EmailsFailedAlarm', this.emailsFailed, 'Emails failed to send (outbox messages marked failed).');

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
              emailsSent.with({ label: 'sent (log)' }),
              this.emailsFailed.with({ label: 'failed (log)' }),
              sesMetric('Send', cloudwatch.Stats.SUM, 'SES send'),
              sesMetric('Delivery', cloudwatch.Stats.SUM, 'SES delivery'),
              sesMetric('Bounce', cloudwatch.Stats.SUM, 'SES bounce'),
              sesMetric('Complaint', cloudwatch.Stats.SUM, 'SES complaint'),
              sesMetric('Reject', cloudwatch.Stats.SUM, 'SES reject'),
            ],
          }),
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

  /** Counts log lines whose JSON `message` is exactly `message`; 0 when none. */
  private logCount(logGroup: logs.ILogGroup, metricName: string, message: string): cloudwatch.Metric {
    const filter = new logs.MetricFilter(this, `${metricName}Filter`, {
      logGroup,
      filterPattern: logs.FilterPattern.stringValue('$.message', '=', message),
      metricNamespace: METRICS_NAMESPACE,
      metricName,
      metricValue: '1',
      defaultValue: 0,
      unit: cloudwatch.Unit.COUNT,
    });
    return filter.metric({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
  }
}
