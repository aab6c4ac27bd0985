/**
 * SES: the sender's domain identity (Easy DKIM; publish the three CNAMEs of the
 * `SenderDkim*` outputs), and the configuration set every email is sent with:
 * TLS required, reputation metrics, account suppression list for bounces and
 * complaints, and SES events as CloudWatch metrics per configuration set for
 * the dashboard. No open or click tracking (providers' privacy).
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import { RECORDED_SES_EVENT_TYPES, type SesEventType } from '../../functions/delivery/ses-events.ts';

/** SES auto-tag that carries the configuration set name; the CloudWatch dimension of SES event metrics. */
export const SES_CONFIGURATION_SET_DIMENSION = 'ses:configuration-set';

/** Each SES event type we handle, as the configuration set names it. */
const SENDING_EVENT: Record<SesEventType, ses.EmailSendingEvent> = {
  Send: ses.EmailSendingEvent.SEND,
  Delivery: ses.EmailSendingEvent.DELIVERY,
  Bounce: ses.EmailSendingEvent.BOUNCE,
  Complaint: ses.EmailSendingEvent.COMPLAINT,
  Reject: ses.EmailSendingEvent.REJECT,
  'Rendering Failure': ses.EmailSendingEvent.RENDERING_FAILURE,
  DeliveryDelay: ses.EmailSendingEvent.DELIVERY_DELAY,
};

/** Every sending event but opens, clicks and subscriptions (no tracking of providers). */
const DELIVERY_EVENTS = Object.values(SENDING_EVENT);

export interface EmailProps {
  senderAddress: string;
  senderDomain: string;
}

export class Email extends Construct {
  readonly configurationSet: ses.ConfigurationSet;
  readonly identity: ses.EmailIdentity;
  readonly senderAddress: string;
  private readonly senderDomain: string;

  constructor(scope: Construct, id: string, props: EmailProps) {
    super(scope, id);
    this.senderAddress = props.senderAddress;
    this.senderDomain = props.senderDomain;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });

    new ses.ConfigurationSetEventDestination(this, 'Metrics', {
      configurationSet: this.configurationSet,
      destination: ses.EventDestination.cloudWatchDimensions([
        {
          name: SES_CONFIGURATION_SET_DIMENSION,
          source: ses.CloudWatchDimensionSource.MESSAGE_TAG,
          defaultValue: 'none',
        },
      ]),
      events: DELIVERY_EVENTS,
    });

    // The same events but Send (the sender's sent mark says it: RECORDED_SES_EVENT_TYPES), each with its
    // tags (the message key), to the default bus: a rule in the stack hands them to the DeliveryEvents
    // function (delivery status, bounces, complaints).
    new ses.ConfigurationSetEventDestination(this, 'Events', {
      configurationSet: this.configurationSet,
      destination: ses.EventDestination.eventBus(events.EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: RECORDED_SES_EVENT_TYPES.map((t) => SENDING_EVENT[t]),
    });

    this.identity = new ses.EmailIdentity(this, 'SenderIdentity', {
      identity: ses.Identity.domain(props.senderDomain),
      configurationSet: this.configurationSet,
    });
  }

  get configurationSetName(): string {
    return this.configurationSet.configurationSetName;
  }

  private sesArn(resource: string, resourceName: string): string {
    return Stack.of(this).formatArn({ service: 'ses', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  }

  /**
   * Sending, restricted to the sender identities (domain, and the address in
   * case it is verified on its own), this configuration set, and the sender as
   * From address. In the SES sandbox, recipients are identities too: sending
   * to unverified test recipients fails there regardless of this grant.
   */
  sendStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      sid: 'SendThroughConfigurationSet',
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [
        this.sesArn('identity', this.senderDomain),
        this.sesArn('identity', this.senderAddress),
        this.sesArn('configuration-set', this.configurationSetName),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': this.senderAddress } },
    });
  }
}
