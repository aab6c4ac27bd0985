/**
 * Lambda: SES delivery events. The configuration set publishes Send,
 * Delivery, Bounce, Complaint, Reject, Rendering Failure and DeliveryDelay to
 * the default EventBridge bus; a rule invokes this function with each
 * (infra/stack.ts). The local runtime invokes it with the same documents,
 * made from the local SES's sends (functions/local/ses-events.ts).
 *
 * Thin: the work is in functions/delivery/. An error (DynamoDB unwell) fails
 * the invocation, and EventBridge's asynchronous retries deliver the event
 * again; every write is conditional, so a repeat changes nothing.
 */
import { z } from 'zod';
import { getDocumentClient } from '../commons/clients.ts';
import { systemClock, type Clock } from '../commons/clock.ts';
import { logger as defaultLogger } from '../commons/logger.ts';
import { createDeliveryEvents, type DeliveryEventResult, type DeliveryStore, type UndeliverablePort } from '../delivery/record.ts';
import { createReachability, type ReachabilityStore } from '../delivery/reachability.ts';
import type { SenderLogger } from '../email/sender.ts';
import { createStore } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';

const optional = z
  .string()
  .optional()
  .transform((s) => (s ? s : undefined));

export const deliveryEventsEnv = z.object({
  TABLE_NAME: optional.transform((s) => s ?? DEFAULT_TABLE_NAME),
  /** Where the escalation about a provider nobody can reach goes. */
  PURCHASERS_EMAIL: z.email('PURCHASERS_EMAIL (the purchasers\' team address) is required'),
});
export type DeliveryEventsEnv = z.infer<typeof deliveryEventsEnv>;

/** An EventBridge event from SES (source `aws.ses`); `detail` is the SES event record. */
export const sesEventBridgeEvent = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  detail: z.unknown(),
});

export interface DeliveryEventsDeps {
  store?: DeliveryStore & ReachabilityStore;
  clock?: Clock;
  env?: Record<string, string | undefined>;
  logger?: SenderLogger;
}

export function createDeliveryEventsHandler(deps: DeliveryEventsDeps = {}) {
  let events: ReturnType<typeof createDeliveryEvents> | undefined;
  return async (event: unknown): Promise<DeliveryEventResult> => {
    const input = sesEventBridgeEvent.parse(event);
    if (!events) {
      const env = deliveryEventsEnv.parse(deps.env ?? process.env);
      const clock = deps.clock ?? systemClock;
      const store = deps.store ?? createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock });
      const logger = deps.logger ?? defaultLogger;
      const undeliverable: UndeliverablePort = createReachability({ store, clock, purchasersEmail: env.PURCHASERS_EMAIL, logger });
      events = createDeliveryEvents({ store, logger, undeliverable });
    }
    return events.handleRecord(input.detail);
  };
}

export const handler = createDeliveryEventsHandler();
