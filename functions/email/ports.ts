/**
 * What the sender needs from the outbox: the message methods of the store
 * (functions/store/messages.ts), by the same names, so `createStore(...)`
 * satisfies this port as is and tests use an in-memory fake.
 */
import type { Message, MessageStatus } from '../domain/model.ts';

export type { Message, MessageStatus };

export interface OutboxPage {
  items: Message[];
  /** Opaque; null when there are no more pages. */
  cursor: string | null;
}

export interface Outbox {
  /** Messages in one status, oldest first, a page at a time. */
  queryMessagesByStatus(status: MessageStatus, page?: { limit?: number; cursor?: string | null }): Promise<OutboxPage>;
  /**
   * Conditional queued → sending (sets `claimedAt`, counts the attempt). Returns the
   * claimed message, or undefined when another sender got it first or it is no
   * longer queued. Also takes over a `sending` claim older than `leaseMs`.
   * `createdAt` (the message's, as the queue listed it) saves reading it first.
   */
  claimMessage(key: string, options?: { leaseMs?: number; createdAt?: string }): Promise<Message | undefined>;
  /** sending → sent. Throws ConflictError when the message is not in `sending`. */
  markMessageSent(key: string, sesMessageId: string, known?: { createdAt?: string }): Promise<unknown>;
  /** sending → failed; with `retry`, sending → queued (to be claimed again later). */
  markMessageFailed(key: string, reason: string, options?: { retry?: boolean }): Promise<unknown>;
}
