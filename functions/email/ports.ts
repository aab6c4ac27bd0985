/**
 * What the sender needs from the outbox: the message methods of the store
 * (functions/store/messages.ts), by the same names, so `createStore(...)`
 * satisfies this port as is and tests use an in-memory fake.
 */
import type { Application, Message, MessageStatus } from '../domain/model.ts';
import type { ClaimOutcome, ClaimRequest, SentMark, UpdateOutcome } from '../store/messages.ts';

export type { ClaimOutcome, ClaimRequest, Message, MessageStatus, SentMark, UpdateOutcome };

export interface OutboxPage {
  items: Message[];
  /** Opaque; null when there are no more pages. */
  cursor: string | null;
}

export interface Outbox {
  /** Messages in one status, oldest first, a page at a time. */
  queryMessagesByStatus(status: MessageStatus, page?: { limit?: number; cursor?: string | null }): Promise<OutboxPage>;
  /** Claims queued messages (queued → sending, counting the attempt), each only if it is still as listed. Outcomes in order. */
  claimMessages(requests: readonly ClaimRequest[]): Promise<ClaimOutcome[]>;
  /** Applications of one cycle by AGB code, read together (the versions the links of claimed messages are bound to). */
  getApplications(cycleId: string, agbs: readonly string[]): Promise<Map<string, Pick<Application, 'version'>>>;
  /** sending → sent for each; `conflict` when a message is not in `sending`. */
  markMessagesSent(sent: readonly SentMark[]): Promise<UpdateOutcome[]>;
  /** sending → sent. Throws ConflictError when the message is not in `sending`. */
  markMessageSent(key: string, sesMessageId: string, known?: { createdAt?: string }): Promise<unknown>;
  /** sending → failed; with `retry`, sending → queued (to be claimed again later). */
  markMessageFailed(key: string, reason: string, options?: { retry?: boolean }): Promise<unknown>;
  /** Claims (as returned by `claimMessages`) that were not sent: back to queued, the attempt not counted. */
  releaseMessages(claimed: readonly Pick<Message, 'key' | 'createdAt' | 'claimedAt'>[]): Promise<UpdateOutcome[]>;
}
