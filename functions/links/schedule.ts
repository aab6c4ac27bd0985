/**
 * The dates a provider page needs, read from the cycle's steps (the timeline as
 * it runs, amendments included) and its calendar (which milestone asks for
 * which action).
 */
import type { ProviderAction } from '../calendar/schema.ts';
import { linkLastDay, signingLastDay as calendarSigningLastDay } from '../calendar/deadlines.ts';
import { localDateAt } from '../calendar/time.ts';
import type { LinkClaims } from '../domain/tokens.ts';
import { lastDay } from '../calendar/timeline.ts';
import type { Cycle, Step } from '../domain/model.ts';
import { endOfDutchDay, startOfDutchDay } from './dutch-dates.ts';

export interface RegistrationWindow {
  /** Local dates, both days included. */
  opens: string;
  closes: string;
  /** Epoch ms: start of the opening day, end of the closing day. */
  opensAt: number;
  closesAt: number;
}

export function registrationWindow(steps: readonly Step[]): RegistrationWindow | undefined {
  const opens = steps.find((s) => s.kind === 'registration-window' && s.phase === 'opens');
  const closes = steps.find((s) => s.kind === 'registration-window' && s.phase === 'closes');
  if (!opens || !closes) return undefined;
  return { opens: opens.localDate, closes: closes.localDate, opensAt: startOfDutchDay(opens.localDate), closesAt: endOfDutchDay(closes.localDate) };
}

/** The last day (local date) to take an action: the close or deadline of the milestone that asks for it. */
export function actionLastDay(cycle: Cycle, steps: readonly Step[], action: ProviderAction): string | undefined {
  const milestone = cycle.calendar.milestones.find((m) => m.action === action);
  if (!milestone) return undefined;
  const end = steps.find((s) => s.milestoneId === milestone.id && (s.phase === 'closes' || s.phase === 'deadline'));
  return end?.localDate ?? lastDay(milestone);
}

/** Until when the signatory can sign (functions/calendar/deadlines.ts): the calendar as amended. */
export const signingLastDay = (cycle: Cycle): string => calendarSigningLastDay(cycle.calendar);

/** The local date of a one-day milestone (e.g. the eligibility notification), if the cycle has it. */
export const momentDay = (steps: readonly Step[], kind: Step['kind']): string | undefined =>
  steps.find((s) => s.kind === kind && (s.phase === 'notify' || s.phase === 'deadline'))?.localDate;

/** A link's `expiresAt` for a last day, as the outbox stores it (ISO instant). */
export const linkExpiry = (localDate: string): string => new Date(endOfDutchDay(localDate)).toISOString();

/** The first day of the policy year: a chamber-of-commerce extract must not be older (seed 001). */
export const kvkExtractNotBefore = (window: RegistrationWindow | undefined, cycle: Cycle): string =>
  `${window ? window.opens.slice(0, 4) : cycle.contract.firstYear - 1}-01-01`;

/**
 * A link's last valid instant from the cycle's calendar as it stands (functions/calendar/deadlines.ts),
 * undefined when the calendar names no day for its action (the signed expiry then holds).
 */
export function liveLinkExpiry(cycle: Pick<Cycle, 'calendar'>, link: Pick<LinkClaims, 'action' | 'issuedAt'>): number | undefined {
  const day = linkLastDay(cycle.calendar, link.action, localDateAt(link.issuedAt));
  return day === undefined ? undefined : endOfDutchDay(day);
}
