/**
 * Metrics in CloudWatch Embedded Metric Format through Powertools for AWS
 * Lambda: a log line CloudWatch turns into metrics, whatever the log level.
 * Code takes a MetricsPort; the Lambda entry points pass `lambdaMetrics()` and
 * flush at the end of each invocation, tests pass `recordingMetrics()`, and the
 * local runtime passes none.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, SERVICE_NAME, type MetricName } from './metric-names.ts';

export interface MetricsPort {
  /** Adds `value` (default 1) to a count. */
  count(name: MetricName, value?: number, dimensions?: Record<string, string>): void;
  /** Records a duration in seconds. */
  seconds(name: MetricName, value: number): void;
  /** Publishes what was recorded (once per invocation). */
  flush(): void;
}

export interface RecordedMetric {
  name: MetricName;
  unit: 'Count' | 'Seconds';
  value: number;
  dimensions: Record<string, string>;
}

/** Powertools Metrics: EMF on stdout, namespace METRICS_NAMESPACE, dimension service=SERVICE_NAME. */
export function lambdaMetrics(metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME })): MetricsPort {
  return {
    count(name, value = 1, dimensions) {
      if (!dimensions) {
        metrics.addMetric(name, MetricUnit.Count, value);
        return;
      }
      // A metric with its own dimensions goes out at once, apart from the invocation's batch.
      const single = metrics.singleMetric();
      single.addDimensions(dimensions);
      single.addMetric(name, MetricUnit.Count, value);
    },
    seconds(name, value) {
      metrics.addMetric(name, MetricUnit.Seconds, value);
    },
    flush() {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/** Keeps every metric in `recorded` (tests). */
export function recordingMetrics(): MetricsPort & { recorded: RecordedMetric[] } {
  const recorded: RecordedMetric[] = [];
  return {
    recorded,
    count(name, value = 1, dimensions = {}) {
      recorded.push({ name, unit: 'Count', value, dimensions });
    },
    seconds(name, value) {
      recorded.push({ name, unit: 'Seconds', value, dimensions: {} });
    },
    flush() {},
  };
}
