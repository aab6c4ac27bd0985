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

/** The cause a key was made with (the step id or action), or the whole key if it was not made by `messageKey`. */
export function causeOf(message: { key: string; cycleId: string; agb?: string; template: string }): string {
  const prefix = `${message.cycleId}#${message.agb ?? '-'}#`;
  const suffix = `#${message.template}`;
  return message.key.startsWith(prefix) && message.key.endsWith(suffix) && message.key.length > prefix.length + suffix.length
    ? message.key.slice(prefix.length, -suffix.length)
    : message.key;
}
