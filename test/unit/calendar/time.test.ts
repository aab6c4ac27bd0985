import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/commons/errors.ts';
import {
  addDays,
  afterDeadline,
  deadlineEnd,
  formatDutchDate,
  formatDutchDeadline,
  formatDutchWindow,
  formatLocalInstant,
  sendInstant,
  windowContains,
} from '../../../functions/calendar/time.ts';

describe('deadlines and send times', () => {
  it('ends a summer-time day at 21:59:59.999 UTC and a winter day at 22:59:59.999 UTC', () => {
    expect(deadlineEnd('2020-07-01')).toBe('2020-07-01T21:59:59.999Z');
    expect(deadlineEnd('2020-12-31')).toBe('2020-12-31T22:59:59.999Z');
  });

  // Summer time starts on the last Sunday of March: 29 March 2020, 02:00 → 03:00.
  it('handles the last Sunday of March (29 March 2020)', () => {
    expect(deadlineEnd('2020-03-28')).toBe('2020-03-28T22:59:59.999Z');
    expect(deadlineEnd('2020-03-29')).toBe('2020-03-29T21:59:59.999Z');
    expect(sendInstant('2020-03-28')).toBe('2020-03-28T08:00:00.000Z');
    expect(sendInstant('2020-03-29')).toBe('2020-03-29T07:00:00.000Z');
    expect(afterDeadline('2020-03-29')).toBe('2020-03-29T22:00:00.000Z');
  });

  // Summer time ends on the last Sunday of October: 25 October 2020, 03:00 → 02:00.
  it('handles the last Sunday of October (25 October 2020)', () => {
    expect(deadlineEnd('2020-10-24')).toBe('2020-10-24T21:59:59.999Z');
    expect(deadlineEnd('2020-10-25')).toBe('2020-10-25T22:59:59.999Z');
    expect(sendInstant('2020-10-24')).toBe('2020-10-24T07:00:00.000Z');
    expect(sendInstant('2020-10-25')).toBe('2020-10-25T08:00:00.000Z');
    expect(afterDeadline('2020-10-25')).toBe('2020-10-25T23:00:00.000Z');
  });

  it('runs the check one millisecond after the deadline', () => {
    for (const date of ['2020-03-29', '2020-07-01', '2020-10-25', '2020-12-31']) {
      expect(Date.parse(afterDeadline(date)) - Date.parse(deadlineEnd(date))).toBe(1);
    }
  });

  it('uses the calendar send time, moving a time that does not exist forward', () => {
    expect(sendInstant('2020-07-01', '17:30')).toBe('2020-07-01T15:30:00.000Z');
    expect(sendInstant('2020-03-29', '02:30')).toBe('2020-03-29T01:30:00.000Z'); // 03:30 summer time
  });

  it('rejects what is not a date or a time', () => {
    expect(() => deadlineEnd('2020-02-30')).toThrow(ValidationError);
    expect(() => deadlineEnd('1 juli 2020')).toThrow(ValidationError);
    expect(() => sendInstant('2020-07-01', '9:00')).toThrow(ValidationError);
  });

  it('counts days on the calendar, not in 24-hour blocks', () => {
    expect(addDays('2020-07-01', -14)).toBe('2020-06-17');
    expect(addDays('2020-04-05', -14)).toBe('2020-03-22'); // across the March change
    expect(addDays('2020-11-01', -14)).toBe('2020-10-18'); // across the October change
  });

  it('includes both days of a window', () => {
    expect(windowContains('2020-05-01', '2020-07-01', '2020-04-30T21:59:59.999Z')).toBe(false);
    expect(windowContains('2020-05-01', '2020-07-01', '2020-04-30T22:00:00.000Z')).toBe(true); // 1 May 00:00 local
    expect(windowContains('2020-05-01', '2020-07-01', '2020-07-01T21:59:59.999Z')).toBe(true); // 1 July 23:59:59.999
    expect(windowContains('2020-05-01', '2020-07-01', '2020-07-01T22:00:00.000Z')).toBe(false);
  });
});

describe('Dutch formatting', () => {
  it('writes dates and deadlines as providers read them', () => {
    expect(formatDutchDate('2020-07-01')).toBe('1 juli 2020');
    expect(formatDutchDeadline('2020-07-01')).toBe('woensdag 1 juli 2020, 23:59');
    expect(formatDutchDeadline('2020-03-29')).toBe('zondag 29 maart 2020, 23:59');
    expect(formatDutchDeadline('2020-10-25')).toBe('zondag 25 oktober 2020, 23:59');
  });

  it('formats instants (epoch ms) in Amsterdam time', () => {
    expect(formatDutchDeadline(Date.parse(deadlineEnd('2020-07-01')))).toBe('woensdag 1 juli 2020, 23:59');
    expect(formatDutchDeadline(Date.parse('2020-10-25T08:00:00Z'))).toBe('zondag 25 oktober 2020, 09:00');
    expect(formatDutchDate(Date.parse('2020-06-30T22:30:00Z'))).toBe('1 juli 2020');
  });

  it('writes windows with "t/m", the year once when it is the same', () => {
    expect(formatDutchWindow('2020-05-01', '2020-07-01')).toBe('1 mei t/m 1 juli 2020');
    expect(formatDutchWindow('2020-12-01', '2021-01-15')).toBe('1 december 2020 t/m 15 januari 2021');
  });

  it('shows instants in local time with the offset for operators', () => {
    expect(formatLocalInstant('2020-07-01T22:00:00.000Z')).toBe('2020-07-02 00:00 +02:00');
    expect(formatLocalInstant('2020-12-31T23:00:00.000Z')).toBe('2021-01-01 00:00 +01:00');
  });
});
