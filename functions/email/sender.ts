/**
 * The outbox sender: claims queued messages, renders them and sends each one
 * through SES (SESv2 SendEmail, Simple content; attachments go in
 * `Content.Simple.Attachments`, so no hand-built MIME is needed).
 *
 * Exactly one email per message:
 * - A message is claimed (conditional queued → sending) before SES is called, so
 *   two senders running at once (the workflow task and the every-minute
 *   schedule) never both send it. Claims go a chunk of the queue at a time (one
 *   transaction for many messages, store/messages.ts `claimMessages`). A
 *   claimed message's action link is signed after the claim, bound to the
 *   version of the application it acts on: the one the message was enqueued
 *   with (`link.version`, from the move that queued it), else read then for the
 *   whole chunk (one request). One claimed by another sender gets none, and
 *   nothing is stored per link (functions/domain/tokens.ts).
 *   The chunk is no bigger than can be sent within the time budget, so every
 *   claim is followed by its SES call; claims left unsent when the run stops
 *   (SES trouble) go back to the queue, uncounted. Marks of sent messages go
 *   together after the chunk's SES calls.
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
 * - Abandoned claims are looked for at the start of a run, at most once a
 *   minute per outbox and cycle: they are at least `staleClaimMs` old anyway.
 */
import type { SESv2Client, SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Clock } from '../commons/clock.ts';
import { oneLine } from '../commons/text.ts';
import { ConflictError, isDomainError } from '../commons/errors.ts';
import { logger as defaultLogger, redact } from '../commons/logger.ts';
import { METRIC } from '../commons/metric-names.ts';
import type { MetricsPort } from '../commons/metrics.ts';
import type { Message, Outbox } from './ports.ts';
import { TokenBucket, type RateLimiter, type Sleep } from './rate-limit.ts';
import { backoffMs, classifySesError, describeError, type SesErrorKind } from './ses-errors.ts';
import { encodeTagValue, MESSAGE_KEY_TAG, tagValue } from './tags.ts';
import { render, type RenderedEmail } from './templates.ts';
import { isSingleUse, type LinkAction } from '../domain/tokens.ts';

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
  /** Messages read per outbox page; also the most claimed at once (a page is claimed in one go when the budget allows). */
  batchSize: number;
  /**
   * SES calls in flight at once (default 1); every one passes the one rate
   * limiter. More than one hides SES's latency (the local runtime uses it: its
   * SES is as fast as the machine).
   */
  concurrency?: number;
  /** How often a run looks for abandoned claims, per outbox and cycle. Default 5 minutes. */
  abandonedCheckMs?: number;
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
   * Issues the action link of a message that has `link` (functions/links/issue.ts)
   * once it is claimed, so a message already sent (or a re-run milestone that
   * found it queued) never gets a link, bound to the application version the message names (else read then).
   */
  linkIssuer?: LinkIssuerPort;
  /** Emails sent, failed and retried, and the sender's lag (commons/metric-names.ts). */
  metrics?: MetricsPort;
  /**
   * A limiter shared with other senders (the local runtime: one SES rate for every cycle and invocation,
   * fair between cycles); default: this sender's own token bucket at `ratePerSecond`.
   */
  limiter?: RateLimiter;
}

export interface LinkInput {
  cycleId: string;
  agb: string;
  action: LinkAction;
  contactId: string;
  expiresAt: number;
  /** The application version the link is bound to (single-use actions): the message's, else read at its claim. */
  version?: number;
}

/** What the sender needs from functions/links/issue.ts. */
export interface LinkIssuerPort {
  issue(input: LinkInput): Promise<string>;
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
// A claim is abandoned only 15 minutes after it was made: looking every 5 minutes reports it within 20,
// and spares the every-minute scheduled runs a query each.
const DEFAULT_ABANDONED_CHECK_MS = 5 * 60_000;

/**
 * When each outbox was last looked at for abandoned claims, per cycle ('' for
 * all). Module scope: the local runtime builds a sender per invocation and a
 * warm Lambda keeps its module, and both keep their outbox.
 */
const abandonedChecked = new WeakMap<Outbox, Map<string, number>>();

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
  /** SES accepted it; to be marked sent with the rest of the chunk. */
  | { status: 'sent'; sesMessageId: string }
  | { status: 'failed'; reason: string }
  /** Put back in the queue; SES (or the link store) is unwell, stop this run. */
  | { status: 'requeued'; reason: string }
  /** Put back in the queue; SES refuses to send anything. */
  | { status: 'halted'; reason: string };

/** A claimed message with the version its link is bound to, or why it cannot have a link. */
interface Claimed {
  message: Message;
  version?: number;
  /** LinkSpecError: never; anything else (the versions could not be read): not now. */
  linkError?: unknown;
}

export function createEmailSender(deps: EmailSenderDeps) {
  const { outbox, ses, clock, sleep, config } = deps;
  const random = deps.random ?? Math.random;
  const log = deps.logger ?? defaultLogger;
  const staleClaimMs = config.staleClaimMs ?? DEFAULT_STALE_CLAIM_MS;
  const backoff = config.backoff ?? DEFAULT_BACKOFF;
  const bucket: RateLimiter = deps.limiter ?? new TokenBucket(config.ratePerSecond, clock, sleep);

  function sendEmailInput(message: Message, email: RenderedEmail): SendEmailCommandInput {
    const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });
    return {
      FromEmailAddress: config.from,
      Destination: { ToAddresses: message.recipients.map((r) => r.address) },
      Content: {
        Simple: {
          // Also for messages rendered before: SES would otherwise fold a CR/LF into the header.
          Subject: utf8(oneLine(email.subject)),
          Body: { Html: utf8(email.html), Text: utf8(email.text) },
          ...(email.attachments?.length
            ? {
                Attachments: email.attachments.map((a) => ({
                  FileName: oneLine(a.filename),
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
        // Reversible: SES events find their message by it (functions/delivery/).
        { Name: MESSAGE_KEY_TAG, Value: encodeTagValue(message.key) },
        { Name: 'template', Value: tagValue(message.template) },
        { Name: 'cycle', Value: tagValue(message.cycleId) },
      ],
    };
  }

  /**
   * The link a message carries, if any; throws LinkSpecError when it cannot have
   * one. Issued per claim: a retried claim issues a new link that supersedes the
   * one of the attempt whose email did not go out.
   */
  function linkInput(message: Message): LinkInput | undefined {
    if (!message.link) return undefined;
    if (!deps.linkIssuer) throw new LinkSpecError('the sender has no link issuer');
    if (!message.agb) throw new LinkSpecError('a link needs the provider (agb)');
    if (message.link.action === 'request-registration') throw new LinkSpecError('request-registration is the public form, not a link');
    return {
      cycleId: message.cycleId,
      agb: message.agb,
      action: message.link.action,
      contactId: message.link.contactId,
      expiresAt: Date.parse(message.link.expiresAt),
    };
  }

  /** One SES call per attempt, each through the rate limiter. */
  async function sendWithRetries(
    input: SendEmailCommandInput,
    lane: string,
  ): Promise<{ ok: true; sesMessageId: string } | { ok: false; kind: SesErrorKind; reason: string }> {
    for (let attempt = 1; ; attempt++) {
      await bucket.take(lane);
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
        deps.metrics?.count(METRIC.emailsRetried);
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

  /** Marks the chunk's sent messages in one go; what the batch could not write is retried one by one. */
  async function markAllSent(sent: { message: Message; sesMessageId: string }[]): Promise<void> {
    if (!sent.length) return;
    let outcomes: Awaited<ReturnType<Outbox['markMessagesSent']>>;
    try {
      outcomes = await outbox.markMessagesSent(sent.map(({ message, sesMessageId }) => ({ key: message.key, sesMessageId, createdAt: message.createdAt })));
    } catch (error) {
      outcomes = sent.map(() => ({ status: 'error' as const, error }));
    }
    await Promise.all(
      sent.map(async ({ message, sesMessageId }, i) => {
        const outcome = outcomes[i];
        if (outcome.status === 'done') return;
        if (outcome.status === 'conflict') {
          log.error('email sent but not recorded', { messageKey: message.key, sesMessageId, error: 'no longer sending' });
          return;
        }
        await markSent(message.key, sesMessageId, message.createdAt);
      }),
    );
  }

  /**
   * Claims a chunk of listed messages in one go, then binds their single-use
   * links to the versions the messages name, reading (one request per cycle) only
   * the applications of messages enqueued without one.
   */
  async function claimChunk(items: readonly Message[]): Promise<{ claimed: Claimed[]; contended: boolean; error?: unknown }> {
    let error: unknown;
    let contended = false;
    const outcomes = items.length ? await outbox.claimMessages(items.map((message) => ({ message }))) : [];
    const claimed: Claimed[] = [];
    outcomes.forEach((outcome, i) => {
      const message = items[i];
      switch (outcome.status) {
        case 'claimed':
          claimed.push({ message: outcome.message });
          break;
        case 'taken':
          log.info('email claimed by another sender', { messageKey: message.key, template: message.template, status: 'skipped' });
          break;
        case 'error':
          contended = true;
          error ??= outcome.error;
          break;
      }
    });
    await bindLinks(claimed);
    return { claimed, contended, error };
  }

  /**
   * Sets each claimed message's link version (or link error): the version it was
   * enqueued with, else (messages enqueued without one) from its application as it is now.
   */
  async function bindLinks(claimed: Claimed[]): Promise<void> {
    const byCycle = new Map<string, Claimed[]>();
    for (const c of claimed) {
      try {
        const input = linkInput(c.message);
        if (!input || !isSingleUse(input.action)) continue;
        if (c.message.link?.version !== undefined) {
          c.version = c.message.link.version;
          continue;
        }
        byCycle.set(input.cycleId, [...(byCycle.get(input.cycleId) ?? []), c]);
      } catch (linkError) {
        c.linkError = linkError;
      }
    }
    await Promise.all(
      [...byCycle].map(async ([cycleId, group]) => {
        try {
          const apps = await outbox.getApplications(cycleId, group.map((c) => c.message.agb!));
          for (const c of group) {
            const version = apps.get(c.message.agb!)?.version;
            if (version === undefined) c.linkError = new LinkSpecError('no application for the link');
            else c.version = version;
          }
        } catch (readError) {
          for (const c of group) c.linkError = readError;
        }
      }),
    );
  }

  /** A claimed message: its params (with the link), rendered, sent. Marking it sent is the caller's. */
  async function processClaimed({ message, version, linkError }: Claimed): Promise<Outcome> {
    let params = message.params;
    try {
      if (linkError) throw linkError;
      const input = linkInput(message);
      if (input) params = { ...message.params, actionUrl: await deps.linkIssuer!.issue({ ...input, ...(version !== undefined ? { version } : {}) }) };
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

    const result = await sendWithRetries(sendEmailInput(message, email), message.cycleId);
    if (result.ok) return { status: 'sent', sesMessageId: result.sesMessageId };
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
    return { status: result.kind === 'halt' ? 'halted' : 'requeued', reason: result.reason };
  }

  /**
   * Claims a chunk, sends its claimed messages (`concurrency` at a time, all
   * through the rate limiter) and marks the sent ones together. When a send
   * stops the run, claims not yet sent go back to the queue, uncounted.
   */
  async function runChunk(items: readonly Message[], result: SendResult): Promise<{ claimed: number; stop: boolean; contended: boolean }> {
    const { claimed, contended, error: claimError } = await claimChunk(items);
    const sent: { message: Message; sesMessageId: string }[] = [];
    let next = 0;
    let stop: { halted?: string; error?: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (!stop && next < claimed.length) {
        const item = claimed[next++];
        const fields = { messageKey: item.message.key, template: item.message.template };
        let outcome: Outcome;
        try {
          outcome = await processClaimed(item);
        } catch (error) {
          stop = { error };
          return;
        }
        switch (outcome.status) {
          case 'sent':
            result.sent++;
            sent.push({ message: item.message, sesMessageId: outcome.sesMessageId });
            deps.metrics?.count(METRIC.emailsSent);
            deps.metrics?.seconds(METRIC.senderLag, Math.max(0, clock.now() - Date.parse(item.message.createdAt)) / 1000);
            log.info('email sent', { ...fields, status: 'sent', sesMessageId: outcome.sesMessageId });
            break;
          case 'failed':
            result.failed++;
            deps.metrics?.count(METRIC.emailsFailed);
            log.warn('email failed', { ...fields, status: 'failed', reason: outcome.reason });
            break;
          case 'requeued':
            deps.metrics?.count(METRIC.emailsRetried);
            log.warn('SES unavailable, email re-queued; stopping this run', { ...fields, status: 'requeued', reason: outcome.reason });
            stop = {};
            break;
          case 'halted':
            deps.metrics?.count(METRIC.emailsRetried);
            log.warn('SES refuses to send, email re-queued; stopping', { ...fields, status: 'requeued', reason: outcome.reason });
            stop = { halted: outcome.reason };
            break;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(config.concurrency ?? 1, claimed.length)) }, worker));

    await markAllSent(sent);
    const unsent = claimed.slice(next).map((c) => c.message);
    if (unsent.length) {
      const outcomes = await outbox.releaseMessages(unsent).catch((error: unknown) => unsent.map(() => ({ status: 'error' as const, error })));
      outcomes.forEach((o, i) => {
        if (o.status === 'done') log.info('email not sent, back in the queue', { messageKey: unsent[i].key, template: unsent[i].template, status: 'queued' });
        else log.error('email claimed but not released; reported unknown-outcome later', { messageKey: unsent[i].key, error: o.status === 'error' ? describeError(o.error) : 'no longer sending' });
      });
    }
    if (stop?.error) throw stop.error;
    if (stop?.halted) throw new SendingHaltedError(stop.halted);
    if (claimError && !claimed.length) throw claimError;
    if (claimError) log.warn('some emails not claimed; stopping this run', { error: describeError(claimError) });
    return { claimed: claimed.length, stop: !!stop || !!claimError, contended };
  }

  /** Marks abandoned claims failed (unknown outcome); see the module comment for why they are not resent. */
  async function reportAbandoned(cycleId: string | undefined): Promise<number> {
    const checked = abandonedChecked.get(outbox) ?? new Map<string, number>();
    abandonedChecked.set(outbox, checked);
    const last = checked.get(cycleId ?? '');
    if (last !== undefined && clock.now() - last < (config.abandonedCheckMs ?? DEFAULT_ABANDONED_CHECK_MS)) return 0;
    checked.set(cycleId ?? '', clock.now());

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
          `Check the SES events for tag ${MESSAGE_KEY_TAG}=${encodeTagValue(m.key)} before re-queueing.`;
        try {
          await outbox.markMessageFailed(m.key, reason);
        } catch (error) {
          if (error instanceof ConflictError) continue; // finished meanwhile
          throw error;
        }
        reported++;
        deps.metrics?.count(METRIC.emailsFailed);
        log.error('email outcome unknown', { messageKey: m.key, template: m.template, status: 'failed', claimedAt: m.claimedAt });
      }
      cursor = page.cursor;
    } while (cursor);
    return reported;
  }

  /**
   * Sends queued messages (of one cycle, or all) until the queue is empty or the
   * time budget is spent. `more` tells the caller to come back.
   *
   * One pass over the queued index. Claimed messages leave it; the cursor is a
   * key position, so paging stays correct while items move out. A message
   * enqueued behind the cursor while the pass runs is left to the next run (the
   * every-minute schedule sends everything).
   */
  async function sendQueued(options: { cycleId?: string; budgetMs?: number } = {}): Promise<SendResult> {
    const { cycleId, budgetMs } = options;
    const started = clock.now();
    const left = () => (budgetMs === undefined ? Infinity : budgetMs - (clock.now() - started));
    // Sends that can start within the budget: the first at once, then one per 1/rate.
    const sendable = () => Math.floor((Math.max(0, left()) * config.ratePerSecond) / 1000) + 1;

    const unknownOutcome = await reportAbandoned(cycleId);
    const result: SendResult = { sent: 0, failed: unknownOutcome, more: false, unknownOutcome };

    let contended = false;
    let cursor: string | null = null;
    do {
      const page = await outbox.queryMessagesByStatus('queued', { limit: config.batchSize, cursor });
      const items = page.items.filter((m) => !cycleId || m.cycleId === cycleId);
      for (let i = 0; i < items.length; ) {
        if (left() <= 0) return { ...result, more: true };
        const chunk = items.slice(i, i + Math.min(items.length - i, sendable()));
        i += chunk.length;
        const run = await runChunk(chunk, result);
        contended ||= run.contended;
        if (run.stop) return { ...result, more: true };
      }
      cursor = page.cursor;
    } while (cursor);

    // Messages whose link's action was contended are still queued.
    return { ...result, more: contended };
  }

  return { sendQueued };
}

export type EmailSender = ReturnType<typeof createEmailSender>;
