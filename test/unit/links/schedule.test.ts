import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import { actionLastDay, kvkExtractNotBefore, linkExpiry, momentDay, registrationWindow, signingLastDay } from '../../../functions/links/schedule.ts';

const cycleOf = async (id: string) => {
  const calendar = await loadCalendar(id);
  return createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock: new VirtualClock('2020-01-01T00:00:00Z') });
};

describe('dates for provider pages, from the running timeline', () => {
  it('msr-2021: window 1 May – 1 July 2020, both days whole, Amsterdam summer time', async () => {
    const { cycle, steps } = await cycleOf('msr-2021');
    expect(registrationWindow(steps)).toEqual({
      opens: '2020-05-01',
      closes: '2020-07-01',
      opensAt: Date.parse('2020-04-30T22:00:00Z'),
      closesAt: Date.parse('2020-07-01T21:59:59.999Z'),
    });
    expect(actionLastDay(cycle, steps, 'submit-registration')).toBe('2020-07-01');
    expect(actionLastDay(cycle, steps, 'submit-proposal')).toBe('2020-09-15');
    expect(actionLastDay(cycle, steps, 'declare-conditions')).toBeUndefined();
    expect(signingLastDay(cycle)).toBe('2020-12-31');
    expect(momentDay(steps, 'eligibility-notification')).toBe('2020-09-04');
    expect(kvkExtractNotBefore(registrationWindow(steps), cycle)).toBe('2020-01-01');
    // 31 December is winter time: UTC+1.
    expect(linkExpiry('2020-12-31')).toBe('2020-12-31T22:59:59.999Z');
  });

  it('wlz-2021 signs at "agreements final"; zg-2024-2025 has no signing milestone: the day before the contract year', async () => {
    const wlz = await cycleOf('wlz-2021');
    expect(signingLastDay(wlz.cycle)).toBe('2020-11-13');
    expect(registrationWindow(wlz.steps)).toBeUndefined();
    const zg = await cycleOf('zg-2024-2025');
    expect(signingLastDay(zg.cycle)).toBe('2023-12-31');
    expect(kvkExtractNotBefore(registrationWindow(zg.steps), zg.cycle)).toBe('2023-01-01');
  });
});
