/**
 * The outbox sender: claims queued messages, renders them and sends each one
 * through SES (SESv2 SendEmail, Simple content; attachments go in
 * `Content.Simple.Attachments`, so no hand-built MIME is needed).
 *
 * Exactly one email per message:
 * - A message is claimed (conditional queued → sending) before SES is called, so
 *   two senders running at once (the workflow task and the every-minute
 *   schedule) never both send it.
 * - SES has no idempotency key: a SendEmail whose outcome we did not see may or
 *   may not have gone out. A message still `sending` long after its claim
 *   (`staleClaimMs`, longer than any Lambda can run) belongs to a sender that
 *   died between claim and mark. We do NOT send it again: the crash may well
 *   have come after SES accepted it (a Lambda timeout while awaiting the
 *   response, a failed markMessageSent), and a second copy of a contract email
 *   is worse than one an operator re-sends on purpose. Instead it is marked
 *   failed with an `unknown-outcome` reason; every email carries its message key
 *   as an SES tag, so the operator can check the configuration set's sending
 *   events before re-queueing it.
 * - Within one claim, throttling and transient errors (5xx, timeouts, network)
 *   are retried with exponential backoff and full jitter. The SES client is
 *   built with maxAttempts 1 (commons/clients.ts) so these retries are the only
 *   ones and each passes the rate limiter. A response timeout is, strictly, an
 *   unknown outcome as well; it is retried all the same, because it is rare
 *   against SES and handing every network blip to an operator costs more than
 *   the small chance of a duplicate.
 * - When retries run out, the message goes back to the queue (it is SES that is
 *   unwell, not the message) and the run stops with `more: true`; after
 *   `maxAttempts` claims it fails for good.
 */
import type { SESv2Client, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Clock } from '../commons/clock.ts';
import { ConflictError, isDomainError } from '../commons/errors.ts';
import { logger as defaultLogger, redact } from '../commons/logger.ts';
import type { Message, Outbox } from './ports.ts';
import { TokenBucket, type Sleep } from './rate-limit.ts';
import { backoffMs, classifySesError, describeError, type SesErrorKind } from './ses-errors.ts';
import { render, type RenderedEmail } from './templates.ts';
import type { LinkAction } from '../links/token.ts';

export interface EmailSenderConfig {
  /** From address (a verified SES identity). */
  from: string;
  configurationSet?: string;
  /**
   * SES calls per second this sender allows itself. The SES quota is per account
   * and region, and two senders can run at once: keep this at or below half the
   * account's maximum send rate (throttling retries cover the rest).
   */
  ratePerSecond: number;
  /**
   * SES calls per claim for throttling and transient errors; also the claims a
   * message gets before a retryable error fails it for good.
   */
  maxAttempts: number;
  /** Messages read per outbox page. */
  batchSize: number;
  /**
   * Messages of a page worked on at once (default 1). Each is still claimed on
   * its own and every SES call passes the one rate limiter; more than one hides
   * the store's latency (the local runtime uses it: its SES is as fast as the machine).
   */
  concurrency?: number;
  /** A claim older than this is abandoned. Default 15 minutes, the longest a Lambda can run. */
  staleClaimMs?: number;
  /** Backoff between retries: full jitter in [0, min(maxMs, baseMs·2^(n-1))). */
  backoff?: { baseMs: number; maxMs: number };
}

/** Structured log lines: message key, template and status; never addresses, links or params. */
export interface SenderLogger {
  info(message: string, attributes: Record<string, unknown>): void;
  warn(message: string, attributes: Record<string, unknown>): void;
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface EmailSenderDeps {
  outbox: Outbox;
  ses: Pick<SESv2Client, 'send'>;
  clock: Clock;
  sleep: Sleep;
  config: EmailSenderConfig;
  /** Jitter source, in [0, 1). */
  random?: () => number;
  logger?: SenderLogger;
  /**
   * Issues the action link of a message that has `link` (functions/links/issue.ts).
   * Called after the claim, so a message already sent (or a re-run milestone that
   * found it queued) never gets a second link, and the newest email's link
   * supersedes the older ones for the same action.
   */
  linkIssuer?: LinkIssuerPort;
}

/** What the sender needs from functions/links/issue.ts. */
export interface LinkIssuerPort {
  issue(input: { cycleId: string; agb: string; action: LinkAction; contactId: string; expiresAt: number }): Promise<string>;
}

export interface SendResult {
  sent: number;
  /** Includes `unknownOutcome`. */
  failed: number;
  /** Queued messages remain (for the cycle, when one was given). */
  more: boolean;
  /** Abandoned claims reported as failed in this run. */
  unknownOutcome: number;
}

export const DEFAULT_STALE_CLAIM_MS = 15 * 60_000;
const DEFAULT_BACKOFF = { baseMs: 200, maxMs: 5_000 };

/** A message whose link cannot be issued whatever we retry. */
class LinkSpecError extends Error {
  override name = 'LinkSpecError';
}

/** SES cannot send anything (account paused or suspended, domain or configuration set missing). */
export class SendingHaltedError extends Error {
  constructor(readonly reason: string) {
    super(`SES refuses to send: ${reason}`);
    this.name = 'SendingHaltedError';
  }
}

type Outcome =
  | { status: 'sent'; sesMessageId: string }
  | { status: 'failed'; reason: string }
  /** Another sender claimed it first. */
  | { status: 'skipped' }
  /** Put back in the queue; SES is unwell, stop this run. */
  | { status: 'requeued'; reason: string };

/** SES tag values allow only ASCII letters, digits, `_` and `-`, at most 256 characters. */
export const tagValue = (s: string): string => s.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';

export function createEmailSender(deps: EmailSenderDeps) {
  const { outbox, ses, clock, sleep, config } = deps;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? defaultLogger;
  const staleClaimMs = config.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS;
  const backoff = config.backoff ?? DEFAULT_BACKOFF;
  const bucket = new TokenBucket(config.ratePerSecond, clock, sleep);

  function sendEmailInput(message: Message, email: RenderedEmail): SendEmailCommandInput {
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    return {
      FromEmailAddress: config.from,
      Destination: { ToAddresses: message.recipients.map((r) => r.address) },
      Content: {
        Simple: {
          Subject: utf8(email.subject),
          Body: { Html: utf8(email.html), Text: utf8(email.text) },
          ...(email.attachments?.length
            ? {
                Attachments: email.attachments.map((a) => ({
                  FileName: a.filename,
                  ContentType: a.contentType,
                  ContentDisposition: 'ATTACHMENT' as const,
                  // The SDK base64s RawContent on the wire; BASE64 here is how SES encodes the MIME part (the text is UTF-8).
                  ContentTransferEncoding: 'BASE64' as const,
                  RawContent: new TextEncoder().encode(a.content),
                })),
              }
            : {}),
        },
      },
      ...(config.configurationSet ? { ConfigurationSetName: config.configurationSet } : {}),
      EmailTags: [
        { Name: 'message-key', Value: tagValue(message.key) },
        { Name: 'template', Value: tagValue(message.template) },
        { Name: 'cycle', Value: tagValue(message.cycleId) },
      ],
    };
  }

  /**
   * The params to render: with a link spec, `actionUrl` is a freshly issued link.
   * Issued per claim: a retried claim issues a new link that supersedes the one
   * of the attempt whose email did not go out.
   */
  async function paramsWithLink(message: Message): Promise<Record<string, unknown>> {
    if (!message.link) return message.params;
    if (!deps.linkIssuer) throw new LinkSpecError('the sender has no link issuer');
    if (!message.agb) throw new LinkSpecError('a link needs the provider (agb)');
    if (message.link.action === 'request-registration') throw new LinkSpecError('request-registration is the public form, not a link');
    const actionUrl = await deps.linkIssuer.issue({
      cycleId: message.cycleId,
      agb: message.agb,
      action: message.link.action,
      contactId: message.link.contactId,
      expiresAt: Date.parse(message.link.expiresAt),
    });
    return { ...message.params, actionUrl };
  }

  /** One SES call per attempt, each through the rate limiter. */
  async function sendWithRetries(
    input: SendEmailCommandInput,
  ): Promise<{ ok: true; sesMessageId: string } | { ok: false; kind: SesErrorKind; reason: string }> {
    for (let attempt = 1; ; attempt++) {
      await bucket.take();
      try {
        const out = await ses.send(new SendEmailCommand(input));
        // Accepted without an id: it may have gone out, so it must not be sent again.
        if (!out.MessageId) return { ok: false, kind: 'permanent', reason: 'unknown-outcome: SES answered without a MessageId' };
        return { ok: true, sesMessageId: out.MessageId };
      } catch (error) {
        const kind = classifySesError(error);
        const reason = describeError(error);
        const retryable = kind === 'throttled' || kind === 'transient';
        if (!retryable || attempt >= config.maxAttempts) return { ok: false, kind, reason };
        await sleep(backoffMs(attempt, backoff, random));
      }
    }
  }

  /** A Dynamo write after SES accepted: retried a little, since losing it leaves the message `sending`. */
  async function markSent(key: string, sesMessageId: string, createdAt: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await outbox.markMessageSent(key, sesMessageId, { createdAt });
        return;
      } catch (error) {
        if (error instanceof ConflictError || attempt >= 3) {
          // The email went out; the item stays `sending` and is reported as unknown-outcome later.
          log.error('email sent but not recorded', { messageKey: key, sesMessageId, error: describeError(error) });
          return;
        }
        await sleep(backoffMs(attempt, backoff, random));
      }
    }
  }

  /** `createdAt` (from the queue's page) is part of the index key: the store need not read the message first. */
  async function claim(key: string, createdAt: string): Promise<Message | undefined> {
    try {
      return await outbox.claimMessage(key, { leaseMs: staleClaimMs, createdAt });
    } catch (error) {
      if (error instanceof ConflictError) return undefined;
      throw error;
    }
  }

  async function processOne(queued: Message): Promise<Outcome> {
    const message = await claim(queued.key, queued.createdAt);
    if (!message) return { status: 'skipped' };

    let params: Record<string, unknown>;
    try {
      params = await paramsWithLink(message);
    } catch (error) {
      // A message that cannot carry a link fails; a store hiccup while issuing it goes back to the queue.
      if (error instanceof LinkSpecError || message.attempts >= config.maxAttempts) {
        const reason = String(redact(`no link: ${describeError(error)}`)).slice(0, 1000);
        await outbox.markMessageFailed(message.key, reason);
        return { status: 'failed', reason };
      }
      const reason = String(redact(`link not issued: ${describeError(error)}`)).slice(0, 1000);
      await outbox.markMessageFailed(message.key, reason, { retry: true });
      return { status: 'requeued', reason };
    }

    let email: RenderedEmail;
    try {
      if (!message.recipients.length) throw new Error('no recipients');
      email = render(message.template, params);
    } catch (error) {
      const reason = String(redact(`not renderable: ${isDomainError(error) ? error.message : describeError(error)}`)).slice(0, 1000);
      await outbox.markMessageFailed(message.key, reason);
      return { status: 'failed', reason };
    }

    const result = await sendWithRetries(sendEmailInput(message, email));
    if (result.ok) {
      await markSent(message.key, result.sesMessageId, message.createdAt);
      return { status: 'sent', sesMessageId: result.sesMessageId };
    }
    if (result.kind === 'permanent') {
      await outbox.markMessageFailed(message.key, result.reason);
      return { status: 'failed', reason: result.reason };
    }
    // Not this message's fault (quota, outage, account): back to the queue, unless it has had its chances.
    if (result.kind !== 'halt' && message.attempts >= config.maxAttempts) {
      const reason = `gave up after ${message.attempts} claims: ${result.reason}`;
      await outbox.markMessageFailed(message.key, reason);
      return { status: 'failed', reason };
    }
    await outbox.markMessageFailed(message.key, result.reason, { retry: true });
    if (result.kind === 'halt') throw new SendingHaltedError(result.reason);
    return { status: 'requeued', reason: result.reason };
  }

  /** Marks abandoned claims failed (unknown outcome); see the module comment for why they are not resent. */
  async function reportAbandoned(cycleId: string | undefined): Promise<number> {
    const staleBefore = clock.now() - staleClaimMs;
    let reported = 0;
    let cursor: string | null = null;
    do {
      const page = await outbox.queryMessagesByStatus('sending', { limit: config.batchSize, cursor });
      for (const m of page.items) {
        if (cycleId && m.cycleId !== cycleId) continue;
        if (!m.claimedAt || Date.parse(m.claimedAt) >= staleBefore) continue;
        const reason =
          `unknown-outcome: claimed at ${m.claimedAt} and never marked sent or failed; SES may have sent it. ` +
          `Check the SES events for tag message-key=${tagValue(m.key)} before re-queueing.`;
        try {
          await outbox.markMessageFailed(m.key, reason);
        } catch (error) {
          if (error instanceof ConflictError) continue; // finished meanwhile
          throw error;
        }
        reported++;
        log.error('email outcome unknown', { messageKey: m.key, template: m.template, status: 'failed', claimedAt: m.claimedAt });
      }
      cursor = page.cursor;
    } while (cursor);
    return reported;
  }

  /** Whether a queued message (of the cycle) exists from `cursor` on. */
  async function anyQueued(cycleId: string | undefined, cursor: string | null): Promise<boolean> {
    do {
      const page = await outbox.queryMessagesByStatus('queued', { limit: config.batchSize, cursor });
      if (page.items.some((m) => !cycleId || m.cycleId === cycleId)) return true;
      cursor = page.cursor;
    } while (cursor);
    return false;
  }

  /**
   * Sends queued messages (of one cycle, or all) until the queue is empty or the
   * time budget is spent. `more` tells the caller to come back.
   */
  async function sendQueued(options: { cycleId?: string; budgetMs?: number } = {}): Promise<SendResult> {
    const { cycleId } = options;
    const started = clock.now();
    const budgetSpent = () => options.budgetMs !== undefined && clock.now() - started >= options.budgetMs;

    const unknownOutcome = await reportAbandoned(cycleId);
    const result: SendResult = { sent: 0, failed: unknownOutcome, more: false, unknownOutcome };

    // One pass over the queued index. Claimed messages leave it; the cursor is a
    // key position, so paging stays correct while items move out.
    let cursor: string | null = null;
    do {
      const page = await outbox.queryMessagesByStatus('queued', { limit: config.batchSize, cursor });
      const items = page.items.filter((m) => !cycleId || m.cycleId === cycleId);
      // Up to `concurrency` messages in flight; each still claimed on its own, all through the one rate limiter.
      let next = 0;
      let stop: 'budget' | 'requeued' | undefined;
      const worker = async (): Promise<void> => {
        while (!stop && next < items.length) {
          if (budgetSpent()) {
            stop = 'budget';
            return;
          }
          const queued = items[next++];
          const outcome = await processOne(queued);
          const fields = { messageKey: queued.key, template: queued.template, status: outcome.status };
          switch (outcome.status) {
            case 'sent':
              result.sent++;
              log.info('email sent', { ...fields, sesMessageId: outcome.sesMessageId });
              break;
            case 'failed':
              result.failed++;
              log.warn('email failed', { ...fields, reason: outcome.reason });
              break;
            case 'skipped':
              log.info('email claimed by another sender', fields);
              break;
            case 'requeued':
              log.warn('SES unavailable, email re-queued; stopping this run', { ...fields, reason: outcome.reason });
              stop = 'requeued';
              break;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(config.concurrency ?? 1, items.length)) }, worker));
      if (stop === 'requeued') return { ...result, more: true };
      if (stop === 'budget') return { ...result, more: next < items.length || (await anyQueued(cycleId, page.cursor)) };
      cursor = page.cursor;
    } while (cursor);

    // Messages enqueued while this pass ran, behind its cursor.
    return { ...result, more: await anyQueued(cycleId, null) };
  }

  return { sendQueued };
}

export type EmailSender = ReturnType<typeof createEmailSender>;
