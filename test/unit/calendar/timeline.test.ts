import { describe, expect, it } from 'vitest';
import { buildTimeline, timelineStepSchema } from '../../../functions/calendar/timeline.ts';
import { parseCalendar } from '../../../functions/calendar/validate.ts';
import { calendarWith, validCalendar } from '../../support/calendar-factory.ts';

const timelineOf = (raw: unknown) => buildTimeline(parseCalendar(raw, 'test.json'));

describe('buildTimeline', () => {
  const steps = timelineOf(validCalendar());

  it('turns every milestone into its steps, in time order', () => {
    expect(steps.map((s) => [s.stepId, s.phase, s.localDate, s.at])).toEqual([
      ['policy-publication#notify', 'notify', '2020-04-01', '2020-04-01T07:00:00.000Z'],
      ['registration#opens', 'opens', '2020-05-01', '2020-05-01T07:00:00.000Z'],
      ['registration#reminder-14', 'reminder', '2020-06-17', '2020-06-17T07:00:00.000Z'],
      ['registration#reminder-3', 'reminder', '2020-06-28', '2020-06-28T07:00:00.000Z'],
      ['registration#closes', 'closes', '2020-07-01', '2020-07-01T22:00:00.000Z'],
      ['proposal-deadline#reminder-14', 'reminder', '2020-09-01', '2020-09-01T07:00:00.000Z'],
      ['proposal-deadline#reminder-3', 'reminder', '2020-09-12', '2020-09-12T07:00:00.000Z'],
      ['proposal-deadline#deadline', 'deadline', '2020-09-15', '2020-09-15T22:00:00.000Z'],
      ['contracted-publication#notify', 'notify', '2020-11-12', '2020-11-12T08:00:00.000Z'],
      ['signing-deadline#reminder-14', 'reminder', '2020-12-17', '2020-12-17T08:00:00.000Z'],
      ['signing-deadline#reminder-3', 'reminder', '2020-12-28', '2020-12-28T08:00:00.000Z'],
      ['signing-deadline#deadline', 'deadline', '2020-12-31', '2020-12-31T23:00:00.000Z'],
    ]);
  });

  it('gives every step of a window or deadline the end of its last day', () => {
    const deadlines = Object.fromEntries(steps.map((s) => [s.stepId, s.deadline]));
    expect(deadlines['registration#opens']).toBe('2020-07-01T21:59:59.999Z');
    expect(deadlines['registration#reminder-3']).toBe('2020-07-01T21:59:59.999Z');
    expect(deadlines['registration#closes']).toBe('2020-07-01T21:59:59.999Z');
    expect(deadlines['signing-deadline#deadline']).toBe('2020-12-31T22:59:59.999Z');
    expect(deadlines['policy-publication#notify']).toBeUndefined();
  });

  it('produces steps that match the exported schema, with unique ids', () => {
    for (const step of steps) expect(timelineStepSchema.parse(step)).toEqual(step);
    expect(new Set(steps.map((s) => s.stepId)).size).toBe(steps.length);
  });

  it('keeps calendar order for steps at the same instant', () => {
    // The policy and the window both go out on 1 April at 09:00.
    const tied = timelineOf(calendarWith((c) => (c.milestones[1].opens = '2020-04-01')));
    expect(tied.slice(0, 2).map((s) => s.stepId)).toEqual(['policy-publication#notify', 'registration#opens']);
  });

  it('orders reminders by date whatever order the file lists them in', () => {
    const reversed = timelineOf(calendarWith((c) => (c.milestones[2].reminders = [3, 7, 14])));
    expect(reversed.filter((s) => s.milestoneId === 'proposal-deadline').map((s) => s.stepId)).toEqual([
      'proposal-deadline#reminder-14',
      'proposal-deadline#reminder-7',
      'proposal-deadline#reminder-3',
      'proposal-deadline#deadline',
    ]);
  });

  it('uses the calendar send time', () => {
    const late = timelineOf(calendarWith((c) => (c.sendTime = '13:15')));
    expect(late[0].at).toBe('2020-04-01T11:15:00.000Z');
    expect(late.find((s) => s.phase === 'closes')?.at).toBe('2020-07-01T22:00:00.000Z'); // checks do not move
  });

  it('keeps step ids when a date is amended, so progress stays attached', () => {
    const moved = timelineOf(calendarWith((c) => (c.milestones[2].date = '2020-09-22')));
    expect(moved.map((s) => s.stepId).sort()).toEqual(steps.map((s) => s.stepId).sort());
    expect(moved.find((s) => s.stepId === 'proposal-deadline#deadline')?.at).toBe('2020-09-22T22:00:00.000Z');
  });

  it('runs a deadline on the last Sunday of March after that day, in summer time', () => {
    const march = timelineOf(
      calendarWith((c) => {
        c.milestones = [
          c.milestones[0],
          { id: 'conditions', kind: 'conditions-deadline', title: 'Voorwaarden', date: '2020-03-29', audience: ['existing-contract-holders'], action: 'declare-conditions', reminders: [3] },
          ...c.milestones.slice(1),
        ];
        c.milestones[0].date = '2020-03-01';
      }),
    );
    const conditions = march.filter((s) => s.milestoneId === 'conditions');
    expect(conditions.map((s) => [s.stepId, s.at, s.deadline])).toEqual([
      ['conditions#reminder-3', '2020-03-26T08:00:00.000Z', '2020-03-29T21:59:59.999Z'], // still winter time
      ['conditions#deadline', '2020-03-29T22:00:00.000Z', '2020-03-29T21:59:59.999Z'],
    ]);
  });
});
