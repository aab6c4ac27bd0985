/**
 * Time semantics of a calendar. Dates in the documents are Dutch calendar
 * dates: a deadline "uiterlijk 1 juli" is open until the end of 1 July in
 * Europe/Amsterdam, a window "1 mei t/m 1 juli" includes both days. Dutch
 * summer time starts on the last Sunday of March and ends on the last Sunday
 * of October, so the UTC offset of a day depends on the date: always convert
 * through luxon with the zone, never by adding fixed hours (the fast path for
 * instants below adds the offset luxon gives for that very hour).
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../commons/errors.ts';
import { memoize, remember } from '../commons/memo.ts';
import { LOCAL_DATE } from './schema.ts';

export const TIME_ZONE = 'Europe/Amsterdam';
export const DEFAULT_SEND_TIME = '09:00';
const SEND_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Every function of a date here is pure, and a calendar has a few dozen
 * distinct dates, while luxon spends tens of microseconds per zone conversion
 * (an Intl formatToParts for the offset). So results are kept per input, in
 * bounded maps (commons/memo.ts).
 */
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
export const deadlineEnd: (date: string) => string = memoize((date) => iso(startOfLocalDay(date).endOf('day')));

/** The first instant after a local date (00:00 the next day, local): when a passed deadline is checked. */
export const afterDeadline: (date: string) => string = memoize((date) => iso(startOfLocalDay(date).plus({ days: 1 })));

const sendInstants = new Map<string, string>();

/**
 * The instant notifications for a date go out: `sendTime` (HH:MM) local time.
 * A time that does not exist that day (02:30 on the last Sunday of March)
 * moves forward an hour, as luxon does.
 */
export function sendInstant(date: string, sendTime: string = DEFAULT_SEND_TIME): string {
  // Only valid pairs are kept, and a valid date has no '|', so the key names one pair.
  return remember(sendInstants, `${date}|${sendTime}`, () => {
    const match = SEND_TIME.exec(sendTime);
    if (!match) {
      throw new ValidationError(`not a send time: ${JSON.stringify(sendTime)}`, [
        { path: 'sendTime', message: 'not a time', expected: 'HH:MM', found: JSON.stringify(sendTime) },
      ]);
    }
    return iso(startOfLocalDay(date).set({ hour: Number(match[1]), minute: Number(match[2]) }));
  });
}

const shiftedDates = new Map<string, string>();

/** Local date arithmetic: `addDays('2020-07-01', -14)` is `'2020-06-17'`. */
export function addDays(date: string, days: number): string {
  return remember(shiftedDates, `${date}|${days}`, () => startOfLocalDay(date).plus({ days }).toISODate()!);
}

const dayStart = memoize((date) => startOfLocalDay(date).toMillis());
const dayEnd = memoize((date) => startOfLocalDay(date).endOf('day').toMillis());

/** Whether a window (both days included) contains the instant. */
export function windowContains(opens: string, closes: string, instant: string | number): boolean {
  const t = typeof instant === 'number' ? instant : Date.parse(instant);
  return t >= dayStart(opens) && t <= dayEnd(closes);
}

const dutch = (dt: DateTime): DateTime => dt.setZone(TIME_ZONE).setLocale('nl');

/** A local date (`YYYY-MM-DD`) at its end, in Dutch (luxon; callers remember the result). */
const dutchEndOfDay = (date: string): DateTime => dutch(startOfLocalDay(date).endOf('day'));

/**
 * Instants (epoch ms: a step's deadline, a clock's now) are many, so they are
 * not remembered one by one. Their Amsterdam offset is constant within a UTC
 * hour (the switches are on the hour), so it is kept per hour and the local
 * fields come from plain Date arithmetic, the same luxon does after the offset.
 * An hour with a switch inside it (none since 1946), a fractional or invalid
 * instant and a year outside 1000-9999 go through luxon.
 */
const HOUR_MS = 3_600_000;
const MAX_CACHED_HOURS = 20_000; // two years and a bit of hours
const hourOffsets = new Map<number, number>();

function offsetMinutes(epochMs: number): number {
  const hour = Math.floor(epochMs / HOUR_MS);
  return remember(
    hourOffsets,
    hour,
    () => {
      const first = DateTime.fromMillis(hour * HOUR_MS, { zone: TIME_ZONE }).offset;
      const last = DateTime.fromMillis(hour * HOUR_MS + HOUR_MS - 1, { zone: TIME_ZONE }).offset;
      return first === last ? first : NaN;
    },
    MAX_CACHED_HOURS,
  );
}

const MIN_FAST_MS = Date.UTC(1000, 0, 2);
const MAX_FAST_MS = Date.UTC(9999, 11, 30);

/** The Amsterdam wall-clock fields of an instant (read with getUTC*), or undefined where luxon must do it. */
function localFields(epochMs: number): Date | undefined {
  if (!Number.isInteger(epochMs) || epochMs < MIN_FAST_MS || epochMs > MAX_FAST_MS) return undefined;
  const offset = offsetMinutes(epochMs);
  return Number.isNaN(offset) ? undefined : new Date(epochMs + offset * 60 * 1000);
}

/** Dutch month and weekday names, taken from luxon once so they read exactly as it writes them. */
const MONTHS = Array.from({ length: 12 }, (_, m) => DateTime.utc(2021, m + 1, 1).setLocale('nl').toFormat('LLLL'));
/** Indexed by `getUTCDay()` (0 is Sunday); 3 January 2021 was a Sunday. */
const WEEKDAYS = Array.from({ length: 7 }, (_, d) => DateTime.utc(2021, 1, 3 + d).setLocale('nl').toFormat('cccc'));
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

const DATE_FORMAT = 'd LLLL yyyy';
const DEADLINE_FORMAT = 'cccc d LLLL yyyy, HH:mm';

const dutchDateOfDay = memoize((date) => dutchEndOfDay(date).toFormat(DATE_FORMAT));
const dutchDeadlineOfDay = memoize((date) => dutchEndOfDay(date).toFormat(DEADLINE_FORMAT));

/** "1 juli 2020", for a local date or an instant (epoch ms). */
export function formatDutchDate(dateOrInstant: string | number): string {
  if (typeof dateOrInstant !== 'number') return dutchDateOfDay(dateOrInstant);
  const f = localFields(dateOrInstant);
  if (!f) return dutch(DateTime.fromMillis(dateOrInstant)).toFormat(DATE_FORMAT);
  return `${f.getUTCDate()} ${MONTHS[f.getUTCMonth()]} ${f.getUTCFullYear()}`;
}

/**
 * "woensdag 1 juli 2020, 23:59": a deadline as providers read it. A local
 * date means the end of that day; an instant (epoch ms, e.g. a step's
 * `deadline`) is shown at its own local time.
 */
export function formatDutchDeadline(dateOrInstant: string | number): string {
  if (typeof dateOrInstant !== 'number') return dutchDeadlineOfDay(dateOrInstant);
  const f = localFields(dateOrInstant);
  if (!f) return dutch(DateTime.fromMillis(dateOrInstant)).toFormat(DEADLINE_FORMAT);
  return (
    `${WEEKDAYS[f.getUTCDay()]} ${f.getUTCDate()} ${MONTHS[f.getUTCMonth()]} ${f.getUTCFullYear()}, ` +
    `${two(f.getUTCHours())}:${two(f.getUTCMinutes())}`
  );
}

/** The Amsterdam calendar date (`YYYY-MM-DD`) at an instant (epoch ms). */
export function localDateAt(epochMs: number): string {
  const f = localFields(epochMs);
  if (!f) return DateTime.fromMillis(epochMs, { zone: TIME_ZONE }).toFormat('yyyy-MM-dd');
  return `${f.getUTCFullYear()}-${two(f.getUTCMonth() + 1)}-${two(f.getUTCDate())}`;
}

const windows = new Map<string, string>();

/** "1 mei t/m 1 juli 2020", or "1 december 2020 t/m 15 januari 2021" across a year end. */
export function formatDutchWindow(opens: string, closes: string): string {
  // Only valid pairs are kept, and a valid date has no '|', so the key names one pair.
  return remember(windows, `${opens}|${closes}`, () => {
    const from = dutch(startOfLocalDay(opens));
    const to = formatDutchDate(closes);
    return from.year === startOfLocalDay(closes).year ? `${from.toFormat('d LLLL')} t/m ${to}` : `${formatDutchDate(opens)} t/m ${to}`;
  });
}

/** An instant in Amsterdam local time for operators: "2020-07-02 00:00 +02:00". */
export function formatLocalInstant(instant: string): string {
  return DateTime.fromISO(instant, { zone: TIME_ZONE }).toFormat('yyyy-MM-dd HH:mm ZZ');
}
