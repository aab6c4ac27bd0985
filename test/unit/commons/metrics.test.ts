import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LINK_OUTCOME_DIMENSION, linkOutcomeOf, METRIC, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAME } from '../../../functions/commons/metric-names.ts';
import { lambdaMetrics } from '../../../functions/commons/metrics.ts';
import { emittedMetrics } from './emitted-metrics.ts';

/** The EMF documents written to stdout while `run` runs. */
function emfWrittenBy(run: () => void): Array<Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
}

afterEach(() => vi.unstubAllEnvs());

describe('lambdaMetrics (Powertools EMF)', () => {
  it('writes the counts and durations of an invocation as one EMF document in our namespace, with the service dimension', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const port = lambdaMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
    const [doc, ...rest] = emfWrittenBy(() => {
      port.count(METRIC.emailsSent);
      port.count(METRIC.emailsSent);
      port.seconds(METRIC.senderLag, 42);
      port.flush();
    });
    expect(rest).toEqual([]);
    const [directive] = doc._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe(METRICS_NAMESPACE);
    expect(directive.Dimensions).toEqual([[SERVICE_DIMENSION]]);
    expect(doc[SERVICE_DIMENSION]).toBe(SERVICE_NAME);
    expect(directive.Metrics).toEqual(
      expect.arrayContaining([
        { Name: METRIC.emailsSent, Unit: 'Count' },
        { Name: METRIC.senderLag, Unit: 'Seconds' },
      ]),
    );
    expect(doc[METRIC.emailsSent]).toEqual([1, 1]);
    expect(doc[METRIC.senderLag]).toBe(42);
  });

  it('writes a count with its own dimension at once, next to the service dimension', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const port = lambdaMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
    const [doc] = emfWrittenBy(() => port.count(METRIC.linkActions, 1, { [LINK_OUTCOME_DIMENSION]: 'refused' }));
    expect(doc._aws.CloudWatchMetrics[0].Dimensions).toEqual([[SERVICE_DIMENSION, LINK_OUTCOME_DIMENSION]]);
    expect(doc).toMatchObject({ [SERVICE_DIMENSION]: SERVICE_NAME, [LINK_OUTCOME_DIMENSION]: 'refused', [METRIC.linkActions]: 1 });
  });

  it('writes nothing when nothing was recorded', () => {
    const port = lambdaMetrics(new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }));
    expect(emfWrittenBy(() => port.flush())).toEqual([]);
  });
});

describe('what the code emits', () => {
  it('counts sent, failed and retried emails, the lag of the sent one, and a provider post by outcome', async () => {
    const emitted = await emittedMetrics();
    const of = (name: string) => emitted.filter((m) => m.name === name);
    expect(of(METRIC.emailsSent)).toEqual([{ name: METRIC.emailsSent, unit: 'Count', value: 1, dimensions: {} }]);
    expect(of(METRIC.emailsFailed)).toHaveLength(1);
    expect(of(METRIC.emailsRetried)).toHaveLength(1);
    const [lag] = of(METRIC.senderLag);
    // Created at 07:00, sent after 90 s and one backoff on the virtual clock.
    expect(lag.value).toBeGreaterThanOrEqual(90);
    expect(lag.value).toBeLessThan(100);
    expect(of(METRIC.linkActions)).toEqual([{ name: METRIC.linkActions, unit: 'Count', value: 1, dimensions: { [LINK_OUTCOME_DIMENSION]: 'error' } }]);
  });

  it('sorts provider posts into outcomes by status', () => {
    expect([200, 303, 400, 403, 409, 410, 500, 503].map(linkOutcomeOf)).toEqual(['done', 'done', 'invalid', 'refused', 'refused', 'refused', 'error', 'error']);
  });
});
