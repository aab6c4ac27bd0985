/** The table from kind to plan (functions/milestones/plan.ts); the calendars' own rules: ./plan/. */
import { describe, expect, it } from 'vitest';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { listCalendarIds, loadCalendar } from '../../../functions/calendar/validate.ts';
import { planFor } from '../../../functions/milestones/plan.ts';
import { acceptDeadline } from '../../../functions/milestones/plan/negotiation.ts';
import { stepContextFor as contextFor } from '../../support/step-context.ts';

describe('plans', () => {
  it('every step of every seed calendar has a plan, the same whatever the time', async () => {
    for (const id of listCalendarIds()) {
      const calendar = await loadCalendar(id);
      for (const step of buildTimeline(calendar)) {
        const early = planFor(await contextFor(id, step.stepId, '2019-01-01T00:00:00Z')).map((p) => p.name);
        const late = planFor(await contextFor(id, step.stepId, '2025-01-01T00:00:00Z')).map((p) => p.name);
        expect(late, `${id} ${step.stepId}`).toEqual(early);
      }
    }
  });

  it('passes per kind, as the README tables them', async () => {
    const names = async (id: string, stepId: string) => planFor(await contextFor(id, stepId)).map((p) => p.name);
    expect(await names('msr-2021', 'registration#closes')).toEqual([
      'registration-started → lapsed',
      'moved to lapsed by this step',
      'registration-submitted → under-review',
    ]);
    expect(await names('msr-2021', 'eligibility-notification#notify')).toEqual([
      'eligible → in-negotiation',
      'moved to in-negotiation by this step',
      'not-eligible decisions',
      'undecided registrations',
      'eligibility escalation',
    ]);
    expect(await names('wlz-2021', 'questions-and-objections#deadline')).toEqual([]);
    // ZG: no later milestone ends the year, so the close of the talks does (zg.test.ts).
    expect((await names('zg-2024-2025', 'negotiations#closes')).at(-1)).toBe('signing escalation');
    expect((await names('msr-2021', 'signing-deadline#deadline')).at(-1)).toBe('republish the contracted-provider list');
  });

  it('the negotiation agreement is to be accepted the day before the contracted-provider list', async () => {
    expect(acceptDeadline(await contextFor('msr-2021', 'negotiation-agreements#notify'))).toBe('2020-11-11');
    expect(acceptDeadline(await contextFor('zvt-2021', 'negotiation-agreements#notify'))).toBe('2020-11-11');
  });
});
