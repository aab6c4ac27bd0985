import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { loadCalendar } from '../../../../functions/calendar/validate.ts';
import { deadlineEnd, TIME_ZONE } from '../../../../functions/calendar/time.ts';
import { answerAt, decisionAt, followUpAt, localDateOf, registrationAt, registrationWindow, SLOT_MINUTES } from '../../../../functions/local/rehearsal/timing.ts';

const local = (t: number) => DateTime.fromMillis(t, { zone: TIME_ZONE });
const onSlot = (t: number) => SLOT_MINUTES.includes(local(t).minute as (typeof SLOT_MINUTES)[number]) && local(t).second === 30;

// MSR 2021's proposal: the agreement (and its link) on 1 September 09:00, the deadline 15 September.
const received = Date.parse('2020-09-01T07:00:00Z');
const expires = Date.parse(deadlineEnd('2020-09-15'));

describe('when simulated providers answer', () => {
  it('never for `never`', () => {
    expect(answerAt('never', received, expires, ['s', 'a'])).toBeUndefined();
  });

  it('early: soon after the email; after a reminder: between the 14- and 3-day reminders; last day: that afternoon; late: after the link expired', () => {
    for (let i = 0; i < 50; i++) {
      const key = ['seed', String(i), 'submit-proposal'];
      const early = answerAt('early', received, expires, key)!;
      const reminded = answerAt('after-reminder', received, expires, key)!;
      const lastDay = answerAt('last-day', received, expires, key)!;
      const late = answerAt('late', received, expires, key)!;
      expect(early).toBeGreaterThan(received);
      expect(early).toBeLessThan(received + 3 * 86_400_000);
      expect(localDateOf(reminded)).toBe('2020-09-05');
      expect(localDateOf(lastDay)).toBe('2020-09-15');
      expect(lastDay).toBeLessThan(expires);
      expect(late).toBeGreaterThan(expires);
      for (const t of [early, reminded, lastDay, late]) expect(onSlot(t), new Date(t).toISOString()).toBe(true);
      expect(onSlot(followUpAt(early, key))).toBe(true);
      expect(followUpAt(early, key)).toBeGreaterThan(early);
    }
  });

  it('never answers before the email arrived', () => {
    const late = Date.parse('2020-09-14T20:00:00Z');
    const t = answerAt('after-reminder', late, expires, ['s', 'b'])!;
    expect(t).toBeGreaterThan(late);
    expect(onSlot(t)).toBe(true);
  });

  it('new providers register in the window (or the day after), purchasers decide before the notification', async () => {
    const msr = await loadCalendar('msr-2021');
    const window = registrationWindow(msr)!;
    expect(window).toEqual({ opens: '2020-05-01', closes: '2020-07-01' });
    for (let i = 0; i < 30; i++) {
      const key = ['s', String(i), 'request-registration'];
      expect(localDateOf(registrationAt(window, 'early', key)) < '2020-06-01').toBe(true);
      expect(localDateOf(registrationAt(window, 'early', key)) >= '2020-05-01').toBe(true);
      expect(localDateOf(registrationAt(window, 'last-day', key))).toBe('2020-07-01');
      expect(localDateOf(registrationAt(window, 'late', key))).toBe('2020-07-02');
      const decided = decisionAt(msr, ['s', String(i), 'decide'])!;
      expect(localDateOf(decided) >= '2020-07-02' && localDateOf(decided) < '2020-09-04').toBe(true);
      expect(onSlot(decided)).toBe(true);
    }
    expect(decisionAt(await loadCalendar('zvt-2021'), ['s'])).toBeUndefined();
  });
});
