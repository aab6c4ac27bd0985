import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ValidationError } from '../../../functions/commons/errors.ts';
import { createCycleFromCalendar } from '../../../functions/domain/cycle.ts';
import { messageKey } from '../../../functions/domain/messages.ts';
import { assertQuestionsOpen } from '../../../functions/domain/questions.ts';
import { aCalendar, aTimeline } from '../../support/factories.ts';

describe('cycles', () => {
  const clock = new VirtualClock('2020-03-01T00:00:00Z');

  it('creates a planned cycle with every step due, from the timeline builder', () => {
    const calendar = aCalendar();
    const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock });
    expect(cycle).toMatchObject({ id: 'test-2021', careType: { code: 'test' }, status: 'planned', createdAt: '2020-03-01T00:00:00.000Z' });
    expect(steps.length).toBeGreaterThan(3);
    expect(steps.every((s) => s.status === 'due' && s.attempts === 0 && s.cycleId === 'test-2021')).toBe(true);
  });

  it('refuses a malformed timeline', () => {
    expect(() => createCycleFromCalendar(aCalendar(), { steps: [{ stepId: 'x' } as never], clock })).toThrow(ValidationError);
  });

  it('builds message keys from cycle, provider, cause and template', () => {
    expect(messageKey({ cycleId: 'c', agb: '12345678', cause: 'registration#closes', template: 't' })).toBe('c#12345678#registration#closes#t');
    expect(messageKey({ cycleId: 'c', cause: 'x', template: 't' })).toBe('c#-#x#t');
  });

  it('closes questions at the end of the questions deadline day', () => {
    const steps = aTimeline({ questionsDeadline: '2020-06-15' });
    expect(() => assertQuestionsOpen(steps, Date.parse('2020-06-15T21:59:59Z'))).not.toThrow();
    expect(() => assertQuestionsOpen(steps, Date.parse('2020-06-15T22:00:00Z'))).toThrow(/deadline/);
    expect(() => assertQuestionsOpen(aTimeline(), Date.parse('2030-01-01T00:00:00Z'))).not.toThrow();
  });
});
