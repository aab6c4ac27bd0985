/** Outbox rules: the idempotency key of a message. */

/**
 * One key per (cycle, provider, cause, template). `cause` is the milestone step id
 * or the provider action (with the application version when an action may repeat,
 * e.g. `submit-registration@v3`). A retried milestone builds the same key, and the
 * store's conditional put then refuses the second message.
 */
export function messageKey(parts: { cycleId: string; agb?: string; cause: string; template: string }): string {
  return [parts.cycleId, parts.agb ?? '-', parts.cause, parts.template].join('#');
}
