/**
 * SES events, locally. aws-ses-v2-local accepts an email and keeps it; it
 * publishes no events and forgets the tags. This module watches the SES
 * client's SendEmail calls (a middleware: the request as sent, with its tags,
 * and the MessageId SES answered), makes the event records AWS would publish
 * for them through the configuration set, and hands them, in EventBridge's
 * envelope, to the same DeliveryEvents handler the stack's rule invokes.
 *
 * What becomes of each recipient follows the SES mailbox simulator
 * (https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator):
 * `bounce@simulator.amazonses.com` bounces hard, `complaint@…` is delivered and
 * then complained about, `suppressionlist@…` bounces as on the suppression
 * list; a `+label` before the @ is allowed, as in SES. Every other address is
 * delivered. Events are stamped with the virtual time of the send.
 */
import type { SendEmailCommandInput, SESv2Client } from '@aws-sdk/client-sesv2';
import { isoAt, type Clock } from '../commons/clock.ts';
import { SES_DETAIL_TYPES, type SesEvent } from '../delivery/ses-events.ts';

export const SIMULATOR_DOMAIN = 'simulator.amazonses.com';
export type SimulatedOutcome = 'delivered' | 'bounce' | 'complaint' | 'suppressed';

/** What the SES mailbox simulator does with an address. */
export function simulatedOutcome(address: string): SimulatedOutcome {
  const [local, domain] = address.trim().toLowerCase().split('@');
  if (domain !== SIMULATOR_DOMAIN) return 'delivered';
  const box = local.split('+')[0];
  if (box === 'bounce') return 'bounce';
  if (box === 'complaint') return 'complaint';
  if (box === 'suppressionlist') return 'suppressed';
  return 'delivered';
}

/** A simulator address that does `outcome`, labelled so each stays distinct (contact ids derive from addresses). */
export const simulatorAddress = (outcome: 'bounce' | 'complaint', label: string): string => `${outcome}+${label}@${SIMULATOR_DOMAIN}`;


/**
 * The records AWS would publish to the DeliveryEvents function for one accepted
 * SendEmail, in the order it would: the configuration set publishes no Send
 * (RECORDED_SES_EVENT_TYPES), so neither does this.
 */
export function eventsForSend(input: SendEmailCommandInput, messageId: string, sentAt: number, configurationSet = 'local'): SesEvent[] {
  const destination = [...(input.Destination?.ToAddresses ?? []), ...(input.Destination?.CcAddresses ?? []), ...(input.Destination?.BccAddresses ?? [])];
  const tags: Record<string, string[]> = { 'ses:configuration-set': [input.ConfigurationSetName ?? configurationSet] };
  for (const t of input.EmailTags ?? []) if (t.Name && t.Value !== undefined) tags[t.Name] = [t.Value];
  const mail = { timestamp: isoAt(sentAt), messageId, destination, tags };
  const events: SesEvent[] = [];
  const outcomes = destination.map((address) => ({ address, outcome: simulatedOutcome(address) }));
  const delivered = outcomes.filter((o) => o.outcome === 'delivered' || o.outcome === 'complaint').map((o) => o.address);
  if (delivered.length) {
    events.push({ eventType: 'Delivery', mail, delivery: { timestamp: isoAt(sentAt + 1_000), recipients: delivered, smtpResponse: '250 2.6.0 Message received' } });
  }
  for (const { address, outcome } of outcomes) {
    if (outcome === 'bounce' || outcome === 'suppressed') {
      events.push({
        eventType: 'Bounce',
        mail,
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: outcome === 'bounce' ? 'General' : 'OnAccountSuppressionList',
          bouncedRecipients: [
            outcome === 'bounce'
              ? { emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }
              : { emailAddress: address, action: 'failed', status: '5.1.1', diagnosticCode: 'Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.' },
          ],
          timestamp: isoAt(sentAt + 1_000),
        },
      });
    }
    if (outcome === 'complaint') {
      events.push({
        eventType: 'Complaint',
        mail,
        complaint: { complainedRecipients: [{ emailAddress: address }], timestamp: isoAt(sentAt + 60_000), complaintFeedbackType: 'abuse' },
      });
    }
  }
  return events;
}

/** An SES event record in the envelope EventBridge delivers it in. */
export const asEventBridgeEvent = (record: SesEvent, at: number) => ({
  version: '0',
  id: `local-${record.mail.messageId}-${record.eventType}`,
  'detail-type': SES_DETAIL_TYPES[record.eventType],
  source: 'aws.ses',
  account: '000000000000',
  time: isoAt(at),
  region: 'eu-west-1',
  resources: [],
  detail: record,
});

export interface SesEventRelay {
  /** Events made since the last flush, handed to the handler in order. Returns how many. */
  flush(): Promise<number>;
  /** Events handed over so far, by type. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Watches `client`'s SendEmail calls and queues their events; `flush` invokes
 * `deliver` with each (the runtime does after every send, inside the send
 * invocation, so the clock cannot move in between).
 */
export function relaySesEvents(client: Pick<SESv2Client, 'middlewareStack'>, clock: Clock, deliver: (event: unknown) => Promise<unknown>): SesEventRelay {
  const pending: SesEvent[] = [];
  const counts: Record<string, number> = {};
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'SendEmailCommand') {
        const messageId = (result.output as { MessageId?: string }).MessageId;
        if (messageId) pending.push(...eventsForSend(args.input as SendEmailCommandInput, messageId, clock.now()));
      }
      return result;
    },
    { step: 'initialize', name: 'inkoopSesEvents' },
  );
  return {
    counts,
    async flush() {
      let n = 0;
      for (let record = pending.shift(); record; record = pending.shift()) {
        await deliver(asEventBridgeEvent(record, clock.now()));
        counts[record.eventType] = (counts[record.eventType] ?? 0) + 1;
        n++;
      }
      return n;
    },
  };
}
