import { DateTime } from 'luxon';
import { memoize } from '../commons/memo.ts';
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

/** The first instant of a Dutch calendar day: when a window opens. */
export const startOfDutchDay: (date: string) => number = memoize((date) => {
  const day = DateTime.fromISO(date, { zone: TIME_ZONE });
  if (!day.isValid) throw new Error(`not a date: ${date}`);
  return day.startOf('day').toMillis();
});

/** The Dutch calendar date (YYYY-MM-DD) at an instant, e.g. "today" for form rules, from a Clock. */
export const dutchLocalDate = (epochMs: number): string => localDateAt(epochMs);
