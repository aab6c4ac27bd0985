/**
 * The remembered date functions and the fast path for instants give exactly
 * what luxon gives, checked against the plain luxon definitions (the code
 * before they were remembered) for every day of two years, every hour of
 * 2021, every minute around each DST switch of 2019-2026, and instants luxon
 * must still handle itself (historical offsets, out-of-range, invalid).
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/commons/errors.ts';
import {
  addDays,
  afterDeadline,
  deadlineEnd,
  formatDutchDate,
  formatDutchDeadline,
  formatDutchWindow,
  localDateAt,
  sendInstant,
  TIME_ZONE,
  windowContains,
} from '../../../functions/calendar/time.ts';
import { dutchLocalDate, endOfDutchDay, startOfDutchDay } from '../../../functions/links/dutch-dates.ts';

/** The luxon definitions, as they were before results were remembered. */
const luxon = {
  start: (date: string) => DateTime.fromISO(date, { zone: TIME_ZONE }),
  deadlineEnd: (date: string) => luxon.start(date).endOf('day').toUTC().toISO(),
  afterDeadline: (date: string) => luxon.start(date).plus({ days: 1 }).toUTC().toISO(),
  sendInstant: (date: string, hour: number, minute: number) => luxon.start(date).set({ hour, minute }).toUTC().toISO(),
  addDays: (date: string, days: number) => luxon.start(date).plus({ days }).toISODate(),
  dutch: (dt: DateTime) => dt.setZone(TIME_ZONE).setLocale('nl'),
  moment: (d: string | number) => luxon.dutch(typeof d === 'number' ? DateTime.fromMillis(d) : luxon.start(d).endOf('day')),
  date: (d: string | number) => luxon.moment(d).toFormat('d LLLL yyyy'),
  deadline: (d: string | number) => luxon.moment(d).toFormat('cccc d LLLL yyyy, HH:mm'),
  localDate: (ms: number) => DateTime.fromMillis(ms, { zone: TIME_ZONE }).toFormat('yyyy-MM-dd'),
};

const DAY_MS = 86_400_000;
const days = (from: string, to: string): string[] => {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
};

/** Last Sunday of a month, computed without the code under test. */
const lastSunday = (year: number, month: number): string => {
  const last = new Date(Date.UTC(year, month, 0));
  return new Date(last.getTime() - last.getUTCDay() * DAY_MS).toISOString().slice(0, 10);
};
const YEARS = [2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026];
const SWITCHES = YEARS.flatMap((y) => [lastSunday(y, 3), lastSunday(y, 10)]);

/** Each function twice: the first call may compute, the second comes from memory; both must match. */
const twice = <T>(fn: () => T): T => {
  const first = fn();
  expect(fn()).toBe(first);
  return first;
};

describe('remembered local-date functions', () => {
  it('match luxon on every day of 2020 and 2021', { timeout: 30_000 }, () => {
    const dates = days('2020-01-01', '2021-12-31');
    const ours = (date: string) => [
      deadlineEnd(date),
      afterDeadline(date),
      sendInstant(date),
      sendInstant(date, '02:30'),
      addDays(date, -14),
      addDays(date, 1),
      formatDutchDate(date),
      formatDutchDeadline(date),
      endOfDutchDay(date),
      startOfDutchDay(date),
    ];
    const expected = dates.map((date) => [
      luxon.deadlineEnd(date),
      luxon.afterDeadline(date),
      luxon.sendInstant(date, 9, 0),
      luxon.sendInstant(date, 2, 30),
      luxon.addDays(date, -14),
      luxon.addDays(date, 1),
      luxon.date(date),
      luxon.deadline(date),
      luxon.start(date).endOf('day').toMillis(),
      luxon.start(date).toMillis(),
    ]);
    expect(dates.map(ours)).toEqual(expected); // computed
    expect(dates.map(ours)).toEqual(expected); // remembered
  });

  it('finds the last Sundays of March and October as the days that are 23 and 25 hours long', () => {
    expect(SWITCHES.slice(0, 4)).toEqual(['2019-03-31', '2019-10-27', '2020-03-29', '2020-10-25']);
    for (const date of days('2019-01-01', '2026-12-31').filter((d) => d.slice(5, 7) === '03' || d.slice(5, 7) === '10')) {
      const hours = (Date.parse(afterDeadline(date)) - startOfDutchDay(date)) / 3_600_000;
      expect(hours).toBe(date === SWITCHES.find((s) => s === date) ? (date.slice(5, 7) === '03' ? 23 : 25) : 24);
    }
  });

  it('keep the DST switch days right when asked again (2021: 28 March and 31 October)', () => {
    for (let round = 0; round < 2; round++) {
      expect(deadlineEnd('2021-03-27')).toBe('2021-03-27T22:59:59.999Z');
      expect(deadlineEnd('2021-03-28')).toBe('2021-03-28T21:59:59.999Z');
      expect(afterDeadline('2021-03-27')).toBe('2021-03-27T23:00:00.000Z');
      expect(sendInstant('2021-03-28', '02:30')).toBe('2021-03-28T01:30:00.000Z');
      expect(deadlineEnd('2021-10-30')).toBe('2021-10-30T21:59:59.999Z');
      expect(deadlineEnd('2021-10-31')).toBe('2021-10-31T22:59:59.999Z');
      expect(afterDeadline('2021-10-31')).toBe('2021-10-31T23:00:00.000Z');
      expect(sendInstant('2021-10-31', '02:30')).toBe('2021-10-31T00:30:00.000Z'); // the first 02:30, summer time
      expect(formatDutchDeadline('2021-03-28')).toBe('zondag 28 maart 2021, 23:59');
      expect(formatDutchDeadline('2021-10-31')).toBe('zondag 31 oktober 2021, 23:59');
      expect(addDays('2021-04-04', -7)).toBe('2021-03-28');
      expect(addDays('2021-10-31', 1)).toBe('2021-11-01');
    }
  });

  it('include both switch days in a window, to the millisecond', () => {
    for (const date of SWITCHES) {
      const start = Date.parse(afterDeadline(addDays(date, -1)));
      const end = Date.parse(deadlineEnd(date));
      for (let round = 0; round < 2; round++) {
        expect(windowContains(date, date, start - 1)).toBe(false);
        expect(windowContains(date, date, start)).toBe(true);
        expect(windowContains(date, date, new Date(end).toISOString())).toBe(true);
        expect(windowContains(date, date, end + 1)).toBe(false);
      }
    }
  });

  it('write windows as before', () => {
    const pairs = [['2020-05-01', '2020-07-01'], ['2020-12-01', '2021-01-15'], ['2021-03-01', '2021-03-28'], ['2020-10-25', '2021-10-31']];
    for (const [opens, closes] of pairs) {
      const from = luxon.dutch(luxon.start(opens));
      const expected =
        from.year === luxon.start(closes).year ? `${from.toFormat('d LLLL')} t/m ${luxon.date(closes)}` : `${luxon.date(opens)} t/m ${luxon.date(closes)}`;
      expect(twice(() => formatDutchWindow(opens, closes))).toBe(expected);
    }
  });

  it('throw the same error for a bad input every time, and remember nothing for it', () => {
    for (let round = 0; round < 2; round++) {
      expect(() => deadlineEnd('2020-02-30')).toThrow(ValidationError);
      expect(() => deadlineEnd('2020-02-30')).toThrow('not a calendar date: "2020-02-30"');
      expect(() => formatDutchDate('1 juli 2020')).toThrow(ValidationError);
      expect(() => formatDutchDeadline('2021-13-01')).toThrow(ValidationError);
      expect(() => sendInstant('2020-07-01', '9:00')).toThrow('not a send time: "9:00"');
      expect(() => sendInstant('2020-02-30', '09:00')).toThrow('not a calendar date');
      expect(() => formatDutchWindow('2020-05-01', 'later')).toThrow('not a calendar date: "later"');
      expect(() => windowContains('x', '2020-07-01', 0)).toThrow(ValidationError);
      expect(() => startOfDutchDay('not a date')).toThrow('not a date: not a date');
    }
  });

  it('stay right after more distinct inputs than they keep', { timeout: 30_000 }, () => {
    const many = days('2000-01-01', '2007-12-31'); // 2,922 dates, more than the memory holds
    for (const date of many) formatDutchDate(date);
    for (const date of ['2000-01-01', '2004-03-28', '2007-12-31']) expect(formatDutchDate(date)).toBe(luxon.date(date));
    expect(deadlineEnd('2000-01-01')).toBe(luxon.deadlineEnd('2000-01-01'));
  });
});

describe('instants (epoch ms) in Amsterdam time', () => {
  const ours = (ms: number) => [formatDutchDate(ms), formatDutchDeadline(ms), localDateAt(ms), dutchLocalDate(ms)];
  const theirs = (ms: number) => [luxon.date(ms), luxon.deadline(ms), luxon.localDate(ms), luxon.localDate(ms)];
  const check = (instants: number[]) => expect(instants.map(ours)).toEqual(instants.map(theirs));

  it('match luxon every hour of 2021', { timeout: 30_000 }, () => {
    const instants: number[] = [];
    for (let t = Date.parse('2021-01-01T00:00:00Z'); t < Date.parse('2022-01-01T00:00:00Z'); t += 3_600_000) instants.push(t + 17 * 60_000);
    check(instants);
  });

  it('match luxon every minute from three hours before to three hours after each switch', { timeout: 30_000 }, () => {
    const instants: number[] = [];
    for (const date of SWITCHES) {
      const switchAt = Date.parse(`${date}T01:00:00Z`); // 02:00 winter / 03:00 summer time
      for (let t = switchAt - 3 * 3_600_000; t <= switchAt + 3 * 3_600_000; t += 60_000) instants.push(t, t + 59_999);
    }
    check(instants);
    check(instants); // the offsets of these hours are remembered now
  });

  it('show the hour that is skipped and the hour that comes twice (2020)', () => {
    expect(formatDutchDeadline(Date.parse('2020-03-29T00:59:59.999Z'))).toBe('zondag 29 maart 2020, 01:59');
    expect(formatDutchDeadline(Date.parse('2020-03-29T01:00:00.000Z'))).toBe('zondag 29 maart 2020, 03:00');
    expect(formatDutchDeadline(Date.parse('2020-10-25T00:30:00.000Z'))).toBe('zondag 25 oktober 2020, 02:30');
    expect(formatDutchDeadline(Date.parse('2020-10-25T01:30:00.000Z'))).toBe('zondag 25 oktober 2020, 02:30');
    expect(dutchLocalDate(Date.parse('2020-10-24T21:59:59.999Z'))).toBe('2020-10-24');
    expect(dutchLocalDate(Date.parse('2020-10-24T22:00:00.000Z'))).toBe('2020-10-25');
    expect(dutchLocalDate(Date.parse('2020-10-25T22:59:59.999Z'))).toBe('2020-10-25');
    expect(dutchLocalDate(Date.parse('2020-10-25T23:00:00.000Z'))).toBe('2020-10-26');
  });

  it('leave to luxon what the fast path does not cover', () => {
    const instants = [
      Date.parse('1900-06-01T12:00:00Z'), // Amsterdam mean time, +00:19:32
      Date.parse('1937-07-01T00:00:00Z'), // +00:20 summer time of the 1930s
      Date.parse('1940-05-16T00:30:00Z'), // the switch to German time, in the middle of an hour
      Date.parse('0999-12-31T23:00:00Z'),
      Date.parse('9999-12-31T23:30:00Z'),
      -1,
      0,
      1.5,
      Date.parse('2020-07-01T12:00:00Z') + 0.25,
      8.64e15,
    ];
    check(instants);
    expect(formatDutchDate(NaN)).toBe(luxon.date(NaN));
    expect(dutchLocalDate(NaN)).toBe(luxon.localDate(NaN));
  });
});
