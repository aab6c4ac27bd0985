/**
 * The metrics the code really emits, recorded while the sender and the
 * provider-links handler run their ordinary paths: an email sent after a
 * throttled call (sent, retried, lag), one SES rejects (failed), a provider
 * form post that fails on our side (link action, outcome error). The alarm
 * test (test/unit/infra/stack.test.ts) checks each alarm against this list.
 */
import { MessageRejected, TooManyRequestsException, type SendEmailCommand } from '@aws-sdk/client-sesv2';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { recordingMetrics, type RecordedMetric } from '../../../functions/commons/metrics.ts';
import { createEmailSender } from '../../../functions/email/sender.ts';
import { createProviderLinksHandler } from '../../../functions/handlers/provider-links.ts';
import { createFakeOutbox } from '../email/fake-outbox.ts';
import { SAMPLES } from '../email/samples.ts';
import { event } from '../http/support.ts';

const quiet = { info() {}, warn() {}, error() {} };

export async function emittedMetrics(): Promise<RecordedMetric[]> {
  const metrics = recordingMetrics();
  const clock = new VirtualClock('2020-06-17T07:00:00Z');
  const outbox = createFakeOutbox(clock);
  outbox.add({ key: 'msr-2021#12345670#step#reminder', template: 'reminder', params: SAMPLES.reminder });
  outbox.add({ key: 'msr-2021#12345671#step#reminder', template: 'reminder', params: SAMPLES.reminder });
  clock.advanceBy(90_000);
  let calls = 0;
  const ses = {
    send: async (command: SendEmailCommand) => {
      calls++;
      if (calls === 1) throw new TooManyRequestsException({ message: 'slow down', $metadata: { httpStatusCode: 429 } });
      if (command.input.EmailTags?.some((t) => t.Value?.includes('12345671'))) {
        throw new MessageRejected({ message: 'rejected', $metadata: { httpStatusCode: 400 } });
      }
      return { MessageId: `ses-${calls}`, $metadata: {} };
    },
  };
  const sender = createEmailSender({
    outbox,
    ses: ses as never,
    clock,
    sleep: async (ms) => {
      clock.advanceBy(ms);
    },
    config: { from: 'inkoop@example.nl', ratePerSecond: 10, maxAttempts: 3, batchSize: 10 },
    random: () => 0.5,
    logger: quiet,
    metrics,
  });
  await sender.sendQueued();

  // The link key cannot be read (Secrets Manager unwell): the handler answers 500 (our error), and counts the post.
  const unwell = async (): Promise<never> => {
    throw new Error('Secrets Manager unwell');
  };
  const links = createProviderLinksHandler({ store: {} as never, keys: { getKey: unwell }, uploads: {} as never, clock, metrics });
  await links(event('POST', '/l/token', { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }));
  return metrics.recorded;
}
