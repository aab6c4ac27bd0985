import { DateTime } from 'luxon';
import { TIME_ZONE, deadlineEnd, formatDutchDate, formatDutchDeadline, localDateAt } from '../calendar/time.ts';

/**
 * Dutch dates for provider pages. Formatting comes from calendar/time.ts (the
 * one definition); this adds the epoch-millisecond forms tokens and records use.
 */
export { TIME_ZONE, formatDutchDate, formatDutchDeadline };

/** "1 januari 2023" for a calendar date "2023-01-01". */
export const formatDutchLocalDate = (date: string): string => formatDutchDate(date);

/** The last instant of a Dutch calendar day, 23:59:59.999 local, summer time or not: a link's `expiresAt`. */
export const endOfDutchDay = (date: string): number => Date.parse(deadlineEnd(date));

/** Days already converted (a calendar has a few dozen); bounded, the oldest goes first. */
const dayStarts = new Map<string, number>();

/** The first instant of a Dutch calendar day: when a window opens. */
export function startOfDutchDay(date: string): number {
  const known = dayStarts.get(date);
  if (known !== undefined) return known;
  const day = DateTime.fromISO(date, { zone: TIME_ZONE });
  if (!day.isValid) throw new Error(`not a date: ${date}`);
  const start = day.startOf('day').toMillis();
  if (dayStarts.size >= 2_000) dayStarts.delete(dayStarts.keys().next().value!);
  dayStarts.set(date, start);
  return start;
}

/** The Dutch calendar date (YYYY-MM-DD) at an instant, e.g. "today" for form rules, from a Clock. */
export const dutchLocalDate = (epochMs: number): string => localDateAt(epochMs);
