/**
 * When simulated people act, in virtual time. Pure: the same plan, the same
 * emails, the same instants.
 *
 * Every simulated instant falls at half past a quarter-hour slot minute
 * (hh:mm:30, mm one of 07, 22, 37, 52): milestone steps run on whole hours, the
 * scheduled sender on whole minutes, so the simulation never ties with either
 * and the order of events is the same in every run. Slots (rather than any
 * minute) let people who act in the same quarter share one run of the
 * scheduled sender, as they would in AWS.
 */
import { DateTime } from 'luxon';
import type { Calendar } from '../../calendar/schema.ts';
import { TIME_ZONE } from '../../calendar/time.ts';
import type { Timing } from './population.ts';
import { between, unit } from './random.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The local calendar date (YYYY-MM-DD) of an instant. */
export const localDateOf = (instant: number): string => DateTime.fromMillis(instant, { zone: TIME_ZONE }).toISODate()!;

/** An instant on a local date at hh:mm:30. */
export function localAt(date: string, hour: number, minute: number): number {
  return DateTime.fromISO(date, { zone: TIME_ZONE }).set({ hour, minute, second: 30, millisecond: 0 }).toMillis();
}

export function addLocalDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: TIME_ZONE }).plus({ days }).toISODate()!;
}

export const SLOT_MINUTES = [7, 22, 37, 52] as const;

/** A slot minute drawn from the parts. */
export const minuteOf = (...parts: (string | number)[]): number => SLOT_MINUTES[between(unit(...parts, 'minute'), 0, SLOT_MINUTES.length - 1)];

/** Moves an instant to hh:mm:30 of its minute grid (never a whole hour). */
function onGrid(instant: number, minute: number): number {
  const t = DateTime.fromMillis(instant, { zone: TIME_ZONE });
  return t.set({ minute, second: 30, millisecond: 0 }).toMillis() + (t.minute > minute ? HOUR : 0);
}

/**
 * When a provider answers a link received at `receivedAt` that is valid until
 * `expiresAt`; undefined for `never`.
 * - early: within two days of receiving it, before any reminder (14 days ahead);
 * - after-reminder: ten days before the last day (after the 14-day reminder, before the 3-day one);
 * - last-day: the afternoon of the last day;
 * - late: the morning after the last day (the link has expired).
 * An instant that would fall before the email arrived moves to an hour after it.
 */
export function answerAt(timing: Timing, receivedAt: number, expiresAt: number, key: readonly (string | number)[]): number | undefined {
  const minute = minuteOf(...key);
  const lastDay = localDateOf(expiresAt);
  const notBefore = (t: number): number => (t > receivedAt ? t : onGrid(receivedAt + HOUR, minute));
  switch (timing) {
    case 'never':
      return undefined;
    case 'early': {
      const latest = Math.min(receivedAt + 2 * DAY, expiresAt - 15 * DAY);
      const span = Math.max(0, latest - receivedAt - 2 * HOUR);
      const t = onGrid(receivedAt + 2 * HOUR + Math.floor(unit(...key, 'early') * span), minute);
      return Math.min(notBefore(t), expiresAt - HOUR);
    }
    case 'after-reminder':
      return notBefore(localAt(addLocalDays(lastDay, -10), 11, minute));
    case 'last-day':
      return notBefore(localAt(lastDay, 15, minute));
    case 'late':
      return Math.max(notBefore(localAt(addLocalDays(lastDay, 1), 10, minute)), expiresAt + HOUR);
  }
}

/** A follow-up (a corrected form) two hours after a first attempt, on the grid. */
export const followUpAt = (first: number, key: readonly (string | number)[]): number => onGrid(first + 2 * HOUR, minuteOf(...key, 'follow-up'));

export function registrationWindow(calendar: Calendar): { opens: string; closes: string } | undefined {
  const m = calendar.milestones.find((x) => x.kind === 'registration-window');
  return m?.opens && m.closes ? { opens: m.opens, closes: m.closes } : undefined;
}

const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

/** When a new provider fills in the public registration form: early in the window, on its last day (16:mm), or the day after it closed. */
export function registrationAt(window: { opens: string; closes: string }, timing: 'early' | 'last-day' | 'late', key: readonly (string | number)[]): number {
  const minute = minuteOf(...key);
  if (timing === 'last-day') return localAt(window.closes, 16, minute);
  if (timing === 'late') return localAt(addLocalDays(window.closes, 1), 10, minute);
  const half = Math.max(1, Math.floor(Math.max(1, daysBetween(window.opens, window.closes)) / 2));
  return localAt(addLocalDays(window.opens, Math.floor(unit(...key, 'day') * half)), 10 + Math.floor(unit(...key, 'hour') * 6), minute);
}

/**
 * When the purchaser decides on a registration: a day after the window closed
 * and before the first milestone that acts on decisions (the eligibility
 * notification, or the negotiation period's start); undefined when the
 * calendar has neither.
 */
export function decisionAt(calendar: Calendar, key: readonly (string | number)[]): number | undefined {
  const window = registrationWindow(calendar);
  if (!window) return undefined;
  const decideBy = calendar.milestones
    .filter((m) => m.kind === 'eligibility-notification' || m.kind === 'negotiation-period')
    .map((m) => (m.date ?? m.opens)!)
    .filter((d) => d > window.closes)
    .sort()[0];
  if (!decideBy) return undefined;
  const first = addLocalDays(window.closes, 1);
  const span = Math.max(1, daysBetween(first, decideBy) - 1);
  const day = addLocalDays(first, Math.floor(unit(...key, 'day') * span));
  return localAt(day, 10 + Math.floor(unit(...key, 'hour') * 6), minuteOf(...key));
}
