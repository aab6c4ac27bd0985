import { DateTime } from 'luxon';

/**
 * Dutch dates for provider pages. Stop-gap: functions/calendar/time.ts (being
 * written elsewhere) will own `formatDutchDeadline`; when it lands, re-export
 * from there and delete the duplicates here.
 */
export const ZONE = 'Europe/Amsterdam';

const local = (epochMs: number) => DateTime.fromMillis(epochMs, { zone: ZONE }).setLocale('nl');

/** "woensdag 1 juli 2020, 23:59" */
export const formatDutchDeadline = (epochMs: number): string => local(epochMs).toFormat('cccc d LLLL yyyy, HH:mm');

/** "1 mei 2020" */
export const formatDutchDate = (epochMs: number): string => local(epochMs).toFormat('d LLLL yyyy');

/** "1 januari 2023" for a calendar date "2023-01-01". */
export const formatDutchLocalDate = (date: string): string =>
  DateTime.fromISO(date, { zone: ZONE }).setLocale('nl').toFormat('d LLLL yyyy');

/** The Dutch calendar date (YYYY-MM-DD) at an instant. */
export const dutchLocalDate = (epochMs: number): string => local(epochMs).toFormat('yyyy-MM-dd');

/** The last instant of a Dutch calendar day: 23:59:59.999 local, summer time or not. */
export function endOfDutchDay(date: string): number {
  const day = DateTime.fromISO(date, { zone: ZONE });
  if (!day.isValid) throw new Error(`not a date: ${date}`);
  return day.endOf('day').toMillis();
}

/** The first instant of a Dutch calendar day. */
export function startOfDutchDay(date: string): number {
  const day = DateTime.fromISO(date, { zone: ZONE });
  if (!day.isValid) throw new Error(`not a date: ${date}`);
  return day.startOf('day').toMillis();
}
