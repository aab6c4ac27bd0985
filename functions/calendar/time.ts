/**
 * Time semantics of a calendar. Dates in the documents are Dutch calendar
 * dates: a deadline "uiterlijk 1 juli" is open until the end of 1 July in
 * Europe/Amsterdam, a window "1 mei t/m 1 juli" includes both days. Dutch
 * summer time starts on the last Sunday of March and ends on the last Sunday
 * of October, so the UTC offset of a day depends on the date: always convert
 * through luxon with the zone, never by adding hours.
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../commons/errors.ts';
import { LOCAL_DATE } from './schema.ts';

export const TIME_ZONE = 'Europe/Amsterdam';
export const DEFAULT_SEND_TIME = '09:00';
const SEND_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Start (00:00) of a local date in Amsterdam. */
function startOfLocalDay(date: string): DateTime {
  const day = LOCAL_DATE.test(date) ? DateTime.fromISO(date, { zone: TIME_ZONE }) : null;
  if (!day?.isValid) {
    throw new ValidationError(`not a calendar date: ${JSON.stringify(date)}`, [
      { path: 'date', message: 'not a calendar date', expected: 'YYYY-MM-DD', found: JSON.stringify(date) },
    ]);
  }
  return day;
}

const iso = (dt: DateTime): string => dt.toUTC().toISO()!;

/** The last instant of a local date: 23:59:59.999 Europe/Amsterdam, as an ISO UTC string. */
export function deadlineEnd(date: string): string {
  return iso(startOfLocalDay(date).endOf('day'));
}

/** The first instant after a local date (00:00 the next day, local): when a passed deadline is checked. */
export function afterDeadline(date: string): string {
  return iso(startOfLocalDay(date).plus({ days: 1 }));
}

/**
 * The instant notifications for a date go out: `sendTime` (HH:MM) local time.
 * A time that does not exist that day (02:30 on the last Sunday of March)
 * moves forward an hour, as luxon does.
 */
export function sendInstant(date: string, sendTime: string = DEFAULT_SEND_TIME): string {
  const match = SEND_TIME.exec(sendTime);
  if (!match) {
    throw new ValidationError(`not a send time: ${JSON.stringify(sendTime)}`, [
      { path: 'sendTime', message: 'not a time', expected: 'HH:MM', found: JSON.stringify(sendTime) },
    ]);
  }
  return iso(startOfLocalDay(date).set({ hour: Number(match[1]), minute: Number(match[2]) }));
}

/** Local date arithmetic: `addDays('2020-07-01', -14)` is `'2020-06-17'`. */
export function addDays(date: string, days: number): string {
  return startOfLocalDay(date).plus({ days }).toISODate()!;
}

/** Whether a window (both days included) contains the instant. */
export function windowContains(opens: string, closes: string, instant: string | number): boolean {
  const t = typeof instant === 'number' ? instant : Date.parse(instant);
  return t >= startOfLocalDay(opens).toMillis() && t <= startOfLocalDay(closes).endOf('day').toMillis();
}

const dutch = (dt: DateTime): DateTime => dt.setZone(TIME_ZONE).setLocale('nl');

/** A local date (`YYYY-MM-DD`) at its end, or an instant (epoch ms) as it is, in Dutch. */
const dutchMoment = (dateOrInstant: string | number): DateTime =>
  dutch(typeof dateOrInstant === 'number' ? DateTime.fromMillis(dateOrInstant) : startOfLocalDay(dateOrInstant).endOf('day'));

/** "1 juli 2020", for a local date or an instant (epoch ms). */
export function formatDutchDate(dateOrInstant: string | number): string {
  return dutchMoment(dateOrInstant).toFormat('d LLLL yyyy');
}

/**
 * "woensdag 1 juli 2020, 23:59": a deadline as providers read it. A local
 * date means the end of that day; an instant (epoch ms, e.g. a step's
 * `deadline`) is shown at its own local time.
 */
export function formatDutchDeadline(dateOrInstant: string | number): string {
  return dutchMoment(dateOrInstant).toFormat('cccc d LLLL yyyy, HH:mm');
}

/** "1 mei t/m 1 juli 2020", or "1 december 2020 t/m 15 januari 2021" across a year end. */
export function formatDutchWindow(opens: string, closes: string): string {
  const from = dutch(startOfLocalDay(opens));
  const to = formatDutchDate(closes);
  return from.year === startOfLocalDay(closes).year ? `${from.toFormat('d LLLL')} t/m ${to}` : `${formatDutchDate(opens)} t/m ${to}`;
}

/** An instant in Amsterdam local time for operators: "2020-07-02 00:00 +02:00". */
export function formatLocalInstant(instant: string): string {
  return DateTime.fromISO(instant, { zone: TIME_ZONE }).toFormat('yyyy-MM-dd HH:mm ZZ');
}
