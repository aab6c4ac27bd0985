/**
 * The last day a provider can act on a link, from the calendar as it stands
 * (amendments included). The emails date their links with it when they are
 * queued, and the provider pages check a link against it when it is used, so a
 * deadline moved later keeps every outstanding link working until the new day,
 * and one moved earlier ends them then (functions/links/resolve.ts).
 */
import { DateTime } from 'luxon';
import type { ProviderAction } from './schema.ts';
import type { Calendar, MilestoneKind } from './schema.ts';
import { TIME_ZONE } from './time.ts';
import { lastDay } from './timeline.ts';

const dateOf = (calendar: Calendar, kind: MilestoneKind): string | undefined => {
  const m = calendar.milestones.find((x) => x.kind === kind);
  return m && (m.date ?? m.closes);
};
const plusDays = (date: string, days: number): string => DateTime.fromISO(date, { zone: TIME_ZONE }).plus({ days }).toISODate()!;

/** Wlz: the agreements-final milestone asks for the signature, so it is where signing ends. */
export const signsAtAgreementsFinal = (calendar: Calendar): boolean =>
  calendar.milestones.find((m) => m.kind === 'agreements-final')?.action === 'sign-agreement';

/**
 * The day a negotiation agreement offered on `offeredOn` should be accepted by (functions/milestones/README.md):
 * the day before the contracted-provider publication, else the signing deadline, else agreements final (the day
 * before it when signing ends there, Wlz), each only when after the offer; else 14 days after it.
 */
export function acceptLastDay(calendar: Calendar, offeredOn: string): string {
  const after = (d: string | undefined) => (d && d > offeredOn ? d : undefined);
  const publication = after(dateOf(calendar, 'contracted-publication'));
  const final = after(dateOf(calendar, 'agreements-final'));
  const candidate =
    (publication && plusDays(publication, -1)) ?? after(dateOf(calendar, 'signing-deadline')) ?? (final && signsAtAgreementsFinal(calendar) ? plusDays(final, -1) : final);
  return candidate && candidate > offeredOn ? candidate : plusDays(offeredOn, 14);
}

/** Until when the signatory can sign: the milestone that asks for the signature, else the signing deadline, else the day before the contract year. */
export function signingLastDay(calendar: Calendar): string {
  const asks = calendar.milestones.find((m) => m.action === 'sign-agreement');
  return (asks && lastDay(asks)) ?? dateOf(calendar, 'signing-deadline') ?? `${calendar.contract.firstYear - 1}-12-31`;
}

/**
 * The last day (local date) a link for `action` works: the close or deadline of the milestone that asks for it;
 * accepting the negotiation agreement and signing as above. `issuedOn`: the local date the link was issued (the
 * accept-by day depends on when the agreement was offered). Undefined when the calendar names no such day.
 */
export function linkLastDay(calendar: Calendar, action: Exclude<ProviderAction, 'request-registration'>, issuedOn: string): string | undefined {
  if (action === 'accept-negotiation-agreement') return acceptLastDay(calendar, issuedOn);
  if (action === 'sign-agreement') return signingLastDay(calendar);
  const asks = calendar.milestones.find((m) => m.action === action || (action === 'submit-registration' && m.action === 'request-registration'));
  return asks && lastDay(asks);
}
