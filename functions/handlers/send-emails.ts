/**
 * Lambda task: sends queued outbox emails (the cycle workflow's SendEmails
 * task for one cycle, and an every-minute schedule for all). Works for at most
 * BUDGET_MS, then returns `more: true` so the workflow calls again.
 */
import { z } from 'zod';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { getDocumentClient, getSesClient } from '../commons/clients.ts';
import { systemClock, type Clock } from '../commons/clock.ts';
import { lambdaMetrics, type MetricsPort } from '../commons/metrics.ts';
import { createEmailSender, type LinkIssuerPort } from '../email/sender.ts';
import type { Outbox } from '../email/ports.ts';
import { createLinkIssuer } from '../links/issue.ts';
import { SecretsManagerLinkKeyProvider } from '../links/keys.ts';
import { realSleep, type Sleep } from '../email/rate-limit.ts';
import { createStore } from '../store/index.ts';
import { DEFAULT_TABLE_NAME } from '../store/table.ts';
import { sendEmailsInput, sendEmailsOutput, type SendEmailsOutput } from '../../workflows/contracts.ts';

/** Time budget of one invocation; the function's timeout (240 s) leaves room for the last send and its retries. */
export const BUDGET_MS = 60_000;
const MAX_ATTEMPTS = 5;
/** Messages listed, and claimed in one go when the budget allows (store/tokens.ts packs them into transactions of 100 items). */
const BATCH_SIZE = 100;

const optional = z
  .string()
  .optional()
  .transform((s) => (s ? s : undefined));

export const sendEmailsEnv = z.object({
  TABLE_NAME: optional.transform((s) => s ?? DEFAULT_TABLE_NAME),
  SENDER: z.string().trim().min(1, 'SENDER (the From address) is required'),
  CONFIGURATION_SET: optional,
  /** The stack sets it (context `sesRatePerSecond`); 1/s is the SES sandbox rate. */
  SES_RATE_PER_SECOND: optional.transform((s) => (s === undefined ? 1 : Number(s))).pipe(z.number().positive()),
  /** Both set (AWS): the sender issues each message's action link, signed with this secret's key. */
  LINK_SECRET_ARN: optional,
  LINKS_BASE_URL: optional,
});
export type SendEmailsEnv = z.infer<typeof sendEmailsEnv>;

export interface SendEmailsDeps {
  outbox?: Outbox;
  ses?: Pick<SESv2Client, 'send'>;
  clock?: Clock;
  sleep?: Sleep;
  env?: Record<string, string | undefined>;
  /** Issues the action links of messages that carry one (functions/links/issue.ts). */
  linkIssuer?: LinkIssuerPort;
  /** Messages sent at once (default 1; the local runtime sends several). */
  concurrency?: number;
  /** Emails sent, failed, retried and the sender's lag; flushed after each invocation. */
  metrics?: MetricsPort;
}

export function createSendEmailsHandler(deps: SendEmailsDeps = {}) {
  let outbox = deps.outbox;
  let linkIssuer = deps.linkIssuer;
  return async (event: unknown): Promise<SendEmailsOutput> => {
    const input = sendEmailsInput.parse(event ?? {});
    const env = sendEmailsEnv.parse(deps.env ?? process.env);
    const clock = deps.clock ?? systemClock;
    if (!outbox) {
      const store = createStore({ client: getDocumentClient(), tableName: env.TABLE_NAME, clock });
      outbox = store;
      if (!linkIssuer && env.LINK_SECRET_ARN && env.LINKS_BASE_URL) {
        linkIssuer = createLinkIssuer({ store, keys: new SecretsManagerLinkKeyProvider(env.LINK_SECRET_ARN), baseUrl: env.LINKS_BASE_URL, clock });
      }
    }
    const sender = createEmailSender({
      outbox,
      ses: deps.ses ?? getSesClient(),
      clock,
      sleep: deps.sleep ?? realSleep,
      linkIssuer,
      metrics: deps.metrics,
      config: {
        from: env.SENDER,
        configurationSet: env.CONFIGURATION_SET,
        ratePerSecond: env.SES_RATE_PER_SECOND,
        maxAttempts: MAX_ATTEMPTS,
        batchSize: BATCH_SIZE,
        concurrency: deps.concurrency,
      },
    });
    try {
      const { sent, failed, more } = await sender.sendQueued({ cycleId: input.cycleId, budgetMs: BUDGET_MS });
      return sendEmailsOutput.parse({ sent, failed, more });
    } finally {
      deps.metrics?.flush();
    }
  };
}

export const handler = createSendEmailsHandler({ metrics: lambdaMetrics() });
