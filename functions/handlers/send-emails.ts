/**
 * Lambda task: sends queued outbox emails (the cycle workflow's SendEmails
 * task for one cycle, and an every-minute schedule for all). Works for at most
 * BUDGET_MS, then returns `more: true` so the workflow calls again.
 * Thin: the work is in functions/email/sender.ts.
 */
import type { z } from 'zod';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { getDocumentClient, getSesClient } from '../commons/clients.ts';
import { systemClock, type Clock } from '../commons/clock.ts';
import { lazy, type DepsSource } from '../commons/deps.ts';
import { envSchema, envValue, readEnv } from '../commons/env.ts';
import { lambdaMetrics, type MetricsPort } from '../commons/metrics.ts';
import { createEmailSender, type EmailSenderConfig, type LinkIssuerPort } from '../email/sender.ts';
import type { Outbox } from '../email/ports.ts';
import { createLinkIssuer } from '../links/issue.ts';
import { SecretsManagerLinkKeyProvider } from '../links/keys.ts';
import { realSleep, type RateLimiter, type Sleep } from '../email/rate-limit.ts';
import { createStore } from '../store/index.ts';
import { sendEmailsInput, sendEmailsOutput, type SendEmailsOutput } from '../../workflows/contracts.ts';

/** Time budget of one invocation; the function's timeout (240 s) leaves room for the last send and its retries. */
export const BUDGET_MS = 60_000;
const MAX_ATTEMPTS = 5;
/** Messages listed, and claimed in one go when the budget allows (store/tokens.ts packs them into transactions of 100 items). */
const BATCH_SIZE = 100;

export const sendEmailsEnv = envSchema({
  TABLE_NAME: envValue.text,
  SENDER: envValue.text,
  CONFIGURATION_SET: envValue.text,
  /** The stack sets it (context `sesRatePerSecond`; 1/s is the SES sandbox rate). */
  SES_RATE_PER_SECOND: envValue.positiveNumber,
  /** The sender issues each message's action link at send time, signed with this secret's key, under LINKS_BASE_URL. */
  LINK_SECRET_ARN: envValue.text,
  LINKS_BASE_URL: envValue.url,
});
export type SendEmailsEnv = z.infer<typeof sendEmailsEnv>;

/** What the sender takes from this function's environment (AWS and the local runtime alike). */
export type SendEmailsSettings = Pick<EmailSenderConfig, 'from' | 'configurationSet' | 'ratePerSecond'>;
export const sendEmailsSettingsOf = (env: SendEmailsEnv): SendEmailsSettings => ({
  from: env.SENDER,
  configurationSet: env.CONFIGURATION_SET,
  ratePerSecond: env.SES_RATE_PER_SECOND,
});

export interface SendEmailsDeps {
  outbox: Outbox;
  ses: Pick<SESv2Client, 'send'>;
  clock: Clock;
  settings: SendEmailsSettings;
  sleep?: Sleep;
  /** Issues the action links of messages that carry one (functions/links/issue.ts). */
  linkIssuer?: LinkIssuerPort;
  /** Messages sent at once (default 1; the local runtime sends several). */
  concurrency?: number;
  /** Emails sent, failed, retried and the sender's lag; flushed after each invocation. */
  metrics?: MetricsPort;
  /** One rate shared by every invocation (the local runtime); default: each invocation paces itself at SES_RATE_PER_SECOND. */
  limiter?: RateLimiter;
}

export function awsSendEmailsDeps(env: SendEmailsEnv): SendEmailsDeps {
  const clock = systemClock;
  const store = createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock });
  return {
    outbox: store,
    ses: getSesClient(),
    clock,
    settings: sendEmailsSettingsOf(env),
    linkIssuer: createLinkIssuer({ keys: new SecretsManagerLinkKeyProvider(env.LINK_SECRET_ARN), baseUrl: env.LINKS_BASE_URL, clock }),
    metrics: lambdaMetrics(),
  };
}

export function createSendEmailsHandler(deps: DepsSource<SendEmailsDeps> = () => awsSendEmailsDeps(readEnv(sendEmailsEnv))) {
  const get = lazy(deps);
  return async (event: unknown): Promise<SendEmailsOutput> => {
    const input = sendEmailsInput.parse(event ?? {});
    const { outbox, ses, clock, settings, sleep, linkIssuer, concurrency, metrics, limiter } = get();
    const sender = createEmailSender({
      outbox,
      ses,
      clock,
      sleep: sleep ?? realSleep,
      linkIssuer,
      metrics,
      limiter,
      config: { ...settings, maxAttempts: MAX_ATTEMPTS, batchSize: BATCH_SIZE, concurrency },
    });
    try {
      const { sent, failed, more } = await sender.sendQueued({ cycleId: input.cycleId, budgetMs: BUDGET_MS });
      return sendEmailsOutput.parse({ sent, failed, more });
    } finally {
      metrics?.flush();
    }
  };
}

export const handler = createSendEmailsHandler();
