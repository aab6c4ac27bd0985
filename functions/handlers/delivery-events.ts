/**
 * Lambda: SES delivery events. The configuration set publishes Delivery,
 * Bounce, Complaint, Reject, Rendering Failure and DeliveryDelay (not Send:
 * RECORDED_SES_EVENT_TYPES) to the default EventBridge bus; a rule invokes this function with each
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
import { lazy, type DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
import { logger as defaultLogger } from '../commons/logger.ts';
import { createDeliveryEvents, type DeliveryEventResult, type DeliveryStore } from '../delivery/record.ts';
import { createReachability, type ReachabilityStore } from '../delivery/reachability.ts';
import type { SenderLogger } from '../email/sender.ts';
import { createStore } from '../store/index.ts';

export const deliveryEventsEnv = envSchema({
  TABLE_NAME: envValue.text,
  /** Where the escalation about a provider nobody can reach goes. */
  PURCHASERS_EMAIL: envValue.email,
});
export type DeliveryEventsEnv = z.infer<typeof deliveryEventsEnv>;

/** An EventBridge event from SES (source `aws.ses`); `detail` is the SES event record. */
export const sesEventBridgeEvent = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  detail: z.unknown(),
});

export interface DeliveryEventsDeps {
  store: DeliveryStore & ReachabilityStore;
  clock: Clock;
  /** The purchasers' team address (PURCHASERS_EMAIL). */
  purchasersEmail: string;
  logger?: SenderLogger;
}

export function awsDeliveryEventsDeps(env: DeliveryEventsEnv): DeliveryEventsDeps {
  return {
    store: createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock: systemClock }),
    clock: systemClock,
    purchasersEmail: env.PURCHASERS_EMAIL,
  };
}

export function createDeliveryEventsHandler(deps: DepsSource<DeliveryEventsDeps> = () => awsDeliveryEventsDeps(readEnv(deliveryEventsEnv))) {
  const events = lazy(() => {
    const { store, clock, purchasersEmail, logger = defaultLogger } = lazy(deps)();
    return createDeliveryEvents({ store, logger, undeliverable: createReachability({ store, clock, purchasersEmail, logger }) });
  });
  return async (event: unknown): Promise<DeliveryEventResult> => {
    const input = sesEventBridgeEvent.parse(event);
    return events().handleRecord(input.detail);
  };
}

export const handler = createDeliveryEventsHandler();
