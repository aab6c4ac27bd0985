/**
 * The 25,000-event history limit of a standard execution: computed for every
 * seed calendar (test/integration/milestones/history.test.ts measures the
 * longest one by running the real definition).
 */
import { describe, expect, it } from 'vitest';
import { listCalendarIds, loadCalendar } from '../../../functions/calendar/validate.ts';
import { HISTORY_LIMIT, simulateHistory } from './history-model.ts';

describe('history events of one cycle execution', () => {
  it('stay far below 25,000 for every seed calendar, started on 1 January before the policy', async () => {
    const counts: Record<string, number> = {};
    for (const id of listCalendarIds()) {
      const calendar = await loadCalendar(id);
      const start = Date.parse(`${calendar.milestones[0].date!.slice(0, 4)}-01-01T00:00:00Z`);
      const count = simulateHistory(calendar, { start });
      counts[id] = count.total;
      // Even if every step needed ten pages and ten send calls.
      const heavy = simulateHistory(calendar, { start, pages: 10, sends: 10 });
      expect(heavy.total, id).toBeLessThan(HISTORY_LIMIT / 2);
    }
    const longest = Math.max(...Object.values(counts));
    console.info(`history events per execution (computed): ${JSON.stringify(counts)}; longest ${longest} of ${HISTORY_LIMIT}`);
    expect(longest).toBeLessThan(HISTORY_LIMIT / 3);
    expect(Object.keys(counts)).toHaveLength(5);
  });

  it('counts a tiny calendar by hand: one step due at the start', async () => {
    const calendar = await loadCalendar('zvt-2021');
    const oneStep = { ...calendar, milestones: calendar.milestones.slice(0, 1) };
    const count = simulateHistory(oneStep, { start: Date.parse('2020-04-01T07:00:00Z') });
    // Load, finished?, wait, due?, running, page, more pages?, send, more emails?, done; load, finished?, succeed.
    expect(count.states).toEqual({ Task: 6, Choice: 5, Wait: 1, Succeed: 1 });
    expect(count.total).toBe(2 + 6 * 5 + 5 * 2 + 2 + 2);
  });
});
