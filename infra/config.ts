/**
 * Deployment settings, read from CDK context (`cdk.json` or `-c key=value`).
 * Every key is optional; the defaults make `cdk synth` work offline with no
 * context at all. Nothing here is looked up in an account: the stack is
 * environment-agnostic.
 *
 * | context key              | default                         | meaning                                                    |
 * |--------------------------|---------------------------------|------------------------------------------------------------|
 * | `senderAddress`          | `inkoop@example.nl`             | From address of every email (env `SENDER`)                 |
 * | `senderDomain`           | the domain of `senderAddress`   | SES domain identity (verify it with the DKIM CNAMEs output) |
 * | `sesRatePerSecond`       | `10`                            | emails per second the sender allows itself                 |
 * | `linksBaseUrl`           | the provider-links API URL      | base of the signed links in emails (custom domain)         |
 * | `documentsCorsOrigin`    | `https://*.execute-api.<region>.amazonaws.com` | origin allowed to PUT presigned uploads     |
 * | `publicationsBaseUrl`    | `https://www.zorgverzekeraar.example/zorginkoop/publicaties` | where the website serves the publications bucket (env `PUBLICATIONS_BASE_URL`) |
 * | `publicationsReaderArn`  | none                            | IAM role of the insurer's website (any account) that may read the publications bucket |
 * | `pageSize`               | `100`                           | applications per run-milestone call (env `PAGE_SIZE`, 1–1000) |
 * | `purchasersEmail`        | `inkoop@zorgverzekeraar.example` | purchasers' team address (env `PURCHASERS_EMAIL`)         |
 * | `customerCommunicationEmail` | `klantcommunicatie@zorgverzekeraar.example` | customer-communication team (env `CUSTOMER_COMMUNICATION_EMAIL`) |
 * | `alarmEmail`             | none                            | subscribes this address to the operator alarm topic        |
 * | `logLevel`               | `INFO`                          | Powertools `LOG_LEVEL` and Lambda application log level    |
 * | `logRetentionDays`       | `365`                           | retention of every log group (a CloudWatch retention value) |
 * | `providerLinksRateLimit` | `50`                            | provider-links API steady requests per second              |
 * | `providerLinksBurstLimit`| `100`                           | provider-links API burst                                   |
 * | `operatorApiRateLimit`   | `10`                            | operator API steady requests per second                    |
 * | `operatorApiBurstLimit`  | `20`                            | operator API burst                                         |
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  DEFAULT_CUSTOMER_COMMUNICATION_EMAIL,
  DEFAULT_PAGE_SIZE,
  DEFAULT_PURCHASERS_EMAIL,
} from '../functions/milestones/config.ts';

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface InkoopConfig {
  senderAddress: string;
  senderDomain: string;
  sesRatePerSecond: number;
  linksBaseUrl?: string;
  documentsCorsOrigin?: string;
  publicationsBaseUrl: string;
  publicationsReaderArn?: string;
  pageSize: number;
  purchasersEmail: string;
  customerCommunicationEmail: string;
  alarmEmail?: string;
  logLevel: LogLevelName;
  logRetention: RetentionDays;
  providerLinksThrottle: { rateLimit: number; burstLimit: number };
  operatorApiThrottle: { rateLimit: number; burstLimit: number };
}

export const DEFAULT_SENDER_ADDRESS = 'inkoop@example.nl';
export const DEFAULT_PUBLICATIONS_BASE_URL = 'https://www.zorgverzekeraar.example/zorginkoop/publicaties';

const LOG_LEVELS: readonly LogLevelName[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];

function text(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function positive(scope: Construct, key: string, fallback: number): number {
  const raw = text(scope, key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`context "${key}" must be a positive number, got "${raw}"`);
  }
  return value;
}

function email(scope: Construct, key: string, fallback: string): string {
  const value = text(scope, key) ?? fallback;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)) throw new Error(`context "${key}" must be an email address, got "${value}"`);
  return value;
}

/** An IAM role ARN (the website's role may live in another account). */
function roleArn(scope: Construct, key: string): string | undefined {
  const value = text(scope, key);
  if (value !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(value)) {
    throw new Error(`context "${key}" must be an IAM role ARN (arn:aws:iam::<account>:role/<name>), got "${value}"`);
  }
  return value;
}

function httpsUrl(scope: Construct, key: string, fallback: string): string {
  const value = text(scope, key) ?? fallback;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') throw new Error(`context "${key}" must be an https URL, got "${value}"`);
  return value.replace(/\/+$/, '');
}

export function readConfig(scope: Construct): InkoopConfig {
  const senderAddress = text(scope, 'senderAddress') ?? DEFAULT_SENDER_ADDRESS;
  const at = senderAddress.lastIndexOf('@');
  if (at < 1 || at === senderAddress.length - 1) {
    throw new Error(`context "senderAddress" must be an email address, got "${senderAddress}"`);
  }
  const senderDomain = (text(scope, 'senderDomain') ?? senderAddress.slice(at + 1)).toLowerCase();
  const addressDomain = senderAddress.slice(at + 1).toLowerCase();
  if (addressDomain !== senderDomain && !addressDomain.endsWith(`.${senderDomain}`)) {
    throw new Error(`senderAddress "${senderAddress}" is not in senderDomain "${senderDomain}"`);
  }

  const logLevel = (text(scope, 'logLevel') ?? 'INFO').toUpperCase() as LogLevelName;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`context "logLevel" must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  const retentionDays = positive(scope, 'logRetentionDays', 365);
  if (!(Object.values(RetentionDays) as unknown[]).includes(retentionDays)) {
    throw new Error(`context "logRetentionDays" is not a CloudWatch Logs retention value: ${retentionDays}`);
  }

  const pageSize = positive(scope, 'pageSize', DEFAULT_PAGE_SIZE);
  if (!Number.isInteger(pageSize) || pageSize > 1000) {
    throw new Error(`context "pageSize" must be a whole number from 1 to 1000, got ${pageSize}`);
  }

  return {
    senderAddress,
    senderDomain,
    sesRatePerSecond: positive(scope, 'sesRatePerSecond', 10),
    linksBaseUrl: text(scope, 'linksBaseUrl'),
    documentsCorsOrigin: text(scope, 'documentsCorsOrigin'),
    publicationsBaseUrl: httpsUrl(scope, 'publicationsBaseUrl', DEFAULT_PUBLICATIONS_BASE_URL),
    publicationsReaderArn: roleArn(scope, 'publicationsReaderArn'),
    pageSize,
    purchasersEmail: email(scope, 'purchasersEmail', DEFAULT_PURCHASERS_EMAIL),
    customerCommunicationEmail: email(scope, 'customerCommunicationEmail', DEFAULT_CUSTOMER_COMMUNICATION_EMAIL),
    alarmEmail: text(scope, 'alarmEmail'),
    logLevel,
    logRetention: retentionDays as RetentionDays,
    providerLinksThrottle: {
      rateLimit: positive(scope, 'providerLinksRateLimit', 50),
      burstLimit: positive(scope, 'providerLinksBurstLimit', 100),
    },
    operatorApiThrottle: {
      rateLimit: positive(scope, 'operatorApiRateLimit', 10),
      burstLimit: positive(scope, 'operatorApiBurstLimit', 20),
    },
  };
}
