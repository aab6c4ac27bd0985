/**
 * The email log: outbox messages with their status, filtered by cycle,
 * status, template or provider. Read per status (gsi3) or per provider
 * (gsi2); a message's params are never shown (they may carry link URLs).
 */
import { z } from 'zod';
import { agbCode, causeOf, deliveryOf, messageStatus, type Message } from '../domain/index.ts';
import type { OperatorDeps } from './deps.ts';
import { allMessages } from './reads.ts';
import type { EmailLogView, EmailView } from './views.ts';

export const emailFilterSchema = z.object({
  cycle: z.string().min(1).optional(),
  status: messageStatus.optional(),
  template: z.string().regex(/^[a-z0-9-]+$/, 'a template id').optional(),
  agb: agbCode.optional(),
  limit: z.coerce.number('a number').int().min(1).max(1000).default(200),
});
export type EmailFilter = z.input<typeof emailFilterSchema>;

export const emailView = (m: Message): EmailView => ({
  key: m.key,
  cycleId: m.cycleId,
  ...(m.agb ? { agb: m.agb } : {}),
  template: m.template,
  status: m.status,
  attempts: m.attempts,
  createdAt: m.createdAt,
  ...(m.sentAt ? { sentAt: m.sentAt } : {}),
  ...(m.error ? { error: m.error } : {}),
  step: causeOf(m),
  to: m.recipients.map((r) => {
    const delivery = deliveryOf(m, r.address);
    return { role: r.role, ...(r.name ? { name: r.name } : {}), address: r.address, ...(delivery ? { delivery } : {}) };
  }),
  ...(m.link ? { link: { action: m.link.action, expiresAt: m.link.expiresAt } } : {}),
});

export const newestFirst = (a: Message, b: Message): number => b.createdAt.localeCompare(a.createdAt) || a.key.localeCompare(b.key);

export async function emailLog(deps: Pick<OperatorDeps, 'store'>, raw: EmailFilter = {}): Promise<EmailLogView> {
  const filter = emailFilterSchema.parse(raw);
  const candidates = filter.agb
    ? await deps.store.listMessagesOfProvider(filter.agb)
    : await allMessages(deps.store, filter.status ? [filter.status] : undefined);
  const matching = candidates
    .filter((m) => (!filter.cycle || m.cycleId === filter.cycle) && (!filter.status || m.status === filter.status) && (!filter.template || m.template === filter.template))
    .sort(newestFirst);
  return { emails: matching.slice(0, filter.limit).map(emailView), total: matching.length };
}
