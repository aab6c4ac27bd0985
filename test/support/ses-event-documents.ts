/**
 * SES event records exactly as the SES Developer Guide prints them ("Examples
 * of event data that Amazon SES publishes to Amazon SNS" / "... to Firehose":
 * Bounce, Complaint, Delivery, Send, Reject, Rendering Failure, DeliveryDelay;
 * headers trimmed to the ones the examples share). `forMessage` puts our tag
 * and our recipient in, as SES would for one of our emails.
 */
import { encodeTagValue, MESSAGE_KEY_TAG } from '../../functions/email/tags.ts';
import type { SesEventType } from '../../functions/delivery/ses-events.ts';

const MESSAGE_ID = 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000';
const headers = [
  { name: 'From', value: 'sender@example.com' },
  { name: 'To', value: 'recipient@example.com' },
  { name: 'Subject', value: 'Message sent from Amazon SES' },
  { name: 'MIME-Version', value: '1.0' },
  { name: 'Content-Type', value: 'text/html; charset=UTF-8' },
];
const commonHeaders = { from: ['sender@example.com'], to: ['recipient@example.com'], messageId: MESSAGE_ID, subject: 'Message sent from Amazon SES' };
const tags = {
  'ses:configuration-set': ['ConfigSet'],
  'ses:source-ip': ['192.0.2.0'],
  'ses:from-domain': ['example.com'],
  'ses:caller-identity': ['ses_user'],
};
const mail = (timestamp: string) => ({
  timestamp,
  source: 'sender@example.com',
  sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
  sendingAccountId: '123456789012',
  messageId: MESSAGE_ID,
  destination: ['recipient@example.com'],
  headersTruncated: false,
  headers,
  commonHeaders,
  tags,
});

export const SES_DOCUMENTS: Record<SesEventType, Record<string, unknown>> = {
  Bounce: {
    eventType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'recipient@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      timestamp: '2017-08-05T00:41:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      reportingMTA: 'dsn; mta.example.com',
    },
    mail: mail('2017-08-05T00:40:02.012Z'),
  },
  Complaint: {
    eventType: 'Complaint',
    complaint: {
      complainedRecipients: [{ emailAddress: 'recipient@example.com' }],
      timestamp: '2017-08-05T00:41:02.669Z',
      feedbackId: '01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000',
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/60.0.3112.90 Safari/537.36',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2017-08-05T00:41:02.669Z',
    },
    mail: mail('2017-08-05T00:40:01.123Z'),
  },
  Delivery: {
    eventType: 'Delivery',
    mail: mail('2016-10-19T23:20:52.240Z'),
    delivery: {
      timestamp: '2016-10-19T23:21:04.133Z',
      processingTimeMillis: 11893,
      recipients: ['recipient@example.com'],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'mta.example.com',
    },
  },
  Send: { eventType: 'Send', mail: mail('2016-10-14T05:02:16.645Z'), send: {} },
  Reject: { eventType: 'Reject', mail: { ...mail('2016-10-14T17:38:15.211Z'), destination: ['sender@example.com'] }, reject: { reason: 'Bad content' } },
  'Rendering Failure': {
    eventType: 'Rendering Failure',
    mail: {
      timestamp: '2018-01-22T18:43:06.197Z',
      source: 'sender@example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
      sendingAccountId: '123456789012',
      messageId: MESSAGE_ID,
      destination: ['recipient@example.com'],
      headersTruncated: false,
      tags: { 'ses:configuration-set': ['ConfigSet'] },
    },
    failure: { errorMessage: "Attribute 'attributeName' is not present in the rendering data.", templateName: 'MyTemplate' },
  },
  DeliveryDelay: {
    eventType: 'DeliveryDelay',
    mail: {
      timestamp: '2020-06-16T00:15:40.641Z',
      source: 'sender@example.com',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/sender@example.com',
      sendingAccountId: '123456789012',
      messageId: MESSAGE_ID,
      destination: ['recipient@example.com'],
      headersTruncated: false,
      tags: { 'ses:configuration-set': ['ConfigSet'] },
    },
    deliveryDelay: {
      timestamp: '2020-06-16T00:25:40.095Z',
      delayType: 'TransientCommunicationFailure',
      expirationTime: '2020-06-16T00:25:40.914Z',
      delayedRecipients: [{ emailAddress: 'recipient@example.com', status: '4.4.1', diagnosticCode: 'smtp; 421 4.4.1 Unable to connect to remote host' }],
    },
  },
};

/** A documented record as SES would publish it for one of our emails: our tag, our recipient everywhere the example has one. */
export function forMessage(type: SesEventType, messageKey: string, address: string, overrides: { timestamp?: string } = {}): Record<string, unknown> {
  const json = JSON.stringify(SES_DOCUMENTS[type]).replaceAll('recipient@example.com', address).replace(/"sender@example.com"\]/, `"${address}"]`);
  const record = JSON.parse(json) as { mail: { tags: Record<string, string[]> } } & Record<string, unknown>;
  record.mail.tags = { ...record.mail.tags, [MESSAGE_KEY_TAG]: [encodeTagValue(messageKey)] };
  if (overrides.timestamp) {
    for (const part of Object.values(record)) {
      if (part !== record.mail && part && typeof part === 'object' && 'timestamp' in part) (part as { timestamp: string }).timestamp = overrides.timestamp;
    }
  }
  return record;
}

/** The EventBridge envelope SES puts a record in (source aws.ses, detail = the record). */
export const eventBridgeEvent = (detailType: string, detail: unknown) => ({
  version: '0',
  id: 'c2f9a6d1-0000-0000-0000-000000000000',
  'detail-type': detailType,
  source: 'aws.ses',
  account: '123456789012',
  time: '2017-08-05T00:41:03Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});
