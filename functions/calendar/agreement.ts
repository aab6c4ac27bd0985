/**
 * What a calendar implies for the negotiation agreement, shared by the email
 * that offers it (functions/milestones/plan/negotiation.ts) and the page that accepts it
 * (functions/links/actions.ts), so the two never tell a provider different things.
 */
import type { Calendar } from './schema.ts';

/**
 * Whether accepting the negotiation agreement also signs all quality
 * conditions: only in a Zvw calendar without a conditions declaration of its
 * own (MSR: signing the onderhandelakkoord signs them). The Wlz policy ties no
 * conditions to the agreement: they are assessed with the registration.
 */
export function agreementIncludesQualityConditions(calendar: Pick<Calendar, 'regime' | 'milestones'>): boolean {
  return calendar.regime !== 'wlz' && !calendar.milestones.some((m) => m.kind === 'conditions-deadline');
}
