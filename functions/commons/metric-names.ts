/**
 * The one source of the stack's own CloudWatch metrics: the names the code
 * emits (functions/commons/metrics.ts, Powertools EMF) and the names the alarms
 * and the dashboard read (infra/constructs/monitoring.ts). No runtime
 * dependency, so the CDK app can import it.
 */

/** Service name of logs and metrics; metrics carry it as the `service` dimension. */
export const SERVICE_NAME = 'inkoopkalender';
/** CloudWatch namespace of the stack's own metrics. */
export const METRICS_NAMESPACE = 'Inkoopkalender';
/** The dimension Powertools puts on every metric (its value is SERVICE_NAME). */
export const SERVICE_DIMENSION = 'service';

export const METRIC = {
  /** Emails SES accepted (count, SendEmails). */
  emailsSent: 'EmailsSent',
  /** Emails that failed for good: marked failed in the outbox (count, SendEmails). */
  emailsFailed: 'EmailsFailed',
  /** Sends tried again: an SES call retried after throttling or a transient error, or a claim put back in the queue (count, SendEmails). */
  emailsRetried: 'EmailsRetried',
  /** Seconds from a message's creation to SES accepting it (SendEmails; alarm on the maximum). */
  senderLag: 'SenderLagSeconds',
  /** Pages of applications a milestone ran (count, RunMilestone). */
  milestonePagesRun: 'MilestonePagesRun',
  /** Provider form posts, by the `Outcome` dimension (count, ProviderLinks). */
  linkActions: 'LinkActions',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** Dimension of METRIC.linkActions. */
export const LINK_OUTCOME_DIMENSION = 'Outcome';
/**
 * done: the action went through (2xx, 3xx); invalid: the form was refused (400);
 * refused: the link or the step refused it (used, expired, closed: other 4xx);
 * error: our failure (5xx).
 */
export const LINK_OUTCOMES = ['done', 'invalid', 'refused', 'error'] as const;
export type LinkOutcome = (typeof LINK_OUTCOMES)[number];

export function linkOutcomeOf(statusCode: number): LinkOutcome {
  if (statusCode >= 500) return 'error';
  if (statusCode === 400) return 'invalid';
  if (statusCode >= 400) return 'refused';
  return 'done';
}
