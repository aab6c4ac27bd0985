/**
 * The calendars in workflows/calendars against their seed documents
 * (/work/shared/seeds, Dutch): every date as the document writes it.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REMINDER_DAYS, isDeadlineKind, isWindowKind, type Calendar } from '../../../functions/calendar/schema.ts';
import { buildTimeline } from '../../../functions/calendar/timeline.ts';
import { listCalendarIds, loadCalendar } from '../../../functions/calendar/validate.ts';

const IDS = ['diagnostics-2020', 'msr-2021', 'wlz-2021', 'zg-2024-2025', 'zvt-2021'];

/** `{ milestoneId: date or "opens..closes" }`, in calendar order. */
const datesOf = (calendar: Calendar) =>
  Object.fromEntries(calendar.milestones.map((m) => [m.id, m.date ?? `${m.opens}..${m.closes}`]));
const milestone = (calendar: Calendar, id: string) => calendar.milestones.find((m) => m.id === id)!;

describe('seed calendars', () => {
  it('are the five calendars of the seed documents', () => {
    expect(listCalendarIds()).toEqual(IDS);
  });

  it.each(IDS)('%s validates, quotes its source and reminds 14 and 3 days before provider deadlines', async (id) => {
    const calendar = await loadCalendar(id);
    expect(calendar.id).toBe(id);
    for (const m of calendar.milestones) {
      expect(m.source, m.id).toBeTruthy();
      if (m.action && (isDeadlineKind(m.kind) || isWindowKind(m.kind))) expect(m.reminders, m.id).toEqual(DEFAULT_REMINDER_DAYS);
    }
    const steps = buildTimeline(calendar);
    expect(steps.map((s) => Date.parse(s.at))).toEqual(steps.map((s) => Date.parse(s.at)).sort((a, b) => a - b));
  });

  it('msr-2021: medical specialist rehabilitation, contract year 2021', async () => {
    const msr = await loadCalendar('msr-2021');
    expect(msr).toMatchObject({ regime: 'zvw', contract: { firstYear: 2021, termYears: 1 } });
    expect(datesOf(msr)).toEqual({
      'policy-publication': '2020-04-01',
      registration: '2020-05-01..2020-07-01',
      'agreement-available': '2020-09-01',
      'eligibility-notification': '2020-09-04',
      'proposal-deadline': '2020-09-15',
      'negotiation-agreements': '2020-11-01',
      'contracted-publication': '2020-11-12',
      'signing-deadline': '2020-12-31',
    });
    expect(milestone(msr, 'registration')).toMatchObject({ audience: ['new-applicants'], action: 'submit-registration' });
    expect(milestone(msr, 'negotiation-agreements')).toMatchObject({ audience: ['in-negotiation'], action: 'accept-negotiation-agreement' });
    expect(milestone(msr, 'proposal-deadline').action).toBe('submit-proposal');
    expect(milestone(msr, 'signing-deadline').action).toBe('sign-agreement');
  });

  it('zg-2024-2025: sensory disability care, two-year contract 2024-2025', async () => {
    const zg = await loadCalendar('zg-2024-2025');
    expect(zg).toMatchObject({ regime: 'zvw', contract: { firstYear: 2024, termYears: 2 } });
    expect(datesOf(zg)).toEqual({
      'policy-publication': '2023-04-01',
      registration: '2023-04-01..2023-06-01', // "1 juni 2023 Uiterste aanmelddatum"
      negotiations: '2023-08-01..2023-11-11', // "Vanaf 1 augustus 2023 Inkoopgesprekken"
      'contracted-publication': '2023-11-12',
      'next-year-dates-publication': '2024-04-01',
    });
    expect(milestone(zg, 'registration')).toMatchObject({ audience: ['new-applicants'], action: 'submit-registration' });
  });

  it('wlz-2021: long-term care, the care office procedure steps', async () => {
    const wlz = await loadCalendar('wlz-2021');
    expect(wlz).toMatchObject({ regime: 'wlz', contract: { firstYear: 2021, termYears: 3 } });
    expect(datesOf(wlz)).toEqual({
      'policy-publication': '2020-05-28', // the document's "bijgewerkt tot en met 28 mei 2020"
      'questions-and-objections': '2020-06-15', // steps 2 and 3
      'qa-memo': '2020-07-01', // step 4: no date in the document, an assumption
      'first-feedback': '2020-09-01', // step 6
      'final-feedback': '2020-10-23', // step 9
      'agreements-final': '2020-11-13', // steps 11-13
    });
    expect(milestone(wlz, 'qa-memo').note).toMatch(/gives no date/);
    expect(milestone(wlz, 'questions-and-objections')).toMatchObject({ kind: 'questions-deadline', action: 'ask-question' });
    expect(milestone(wlz, 'first-feedback').audience).toEqual(['existing-contract-holders', 'new-applicants']);
  });

  it('zvt-2021: Zorg Veilig Thuis, three-year agreement from 2021, existing hospital contracts only', async () => {
    const zvt = await loadCalendar('zvt-2021');
    expect(zvt).toMatchObject({ regime: 'zvw', contract: { firstYear: 2021, termYears: 3 } });
    expect(datesOf(zvt)).toEqual({
      'policy-publication': '2020-04-01',
      'agreement-available': '2020-09-01',
      'proposal-deadline': '2020-09-15',
      'negotiation-agreements': '2020-11-01',
      'contracted-publication': '2020-11-12',
      'signing-deadline': '2020-12-31',
    });
    expect(zvt.milestones.flatMap((m) => m.audience)).not.toContain('new-applicants');
  });

  it('diagnostics-2020: primary-care diagnostics and thrombosis care, contract year 2020', async () => {
    const diagnostics = await loadCalendar('diagnostics-2020');
    expect(diagnostics).toMatchObject({ regime: 'zvw', contract: { firstYear: 2020, termYears: 1 } });
    expect(datesOf(diagnostics)).toEqual({
      'policy-publication': '2019-04-01',
      registration: '2019-05-01..2019-07-01',
      'login-codes': '2019-05-31', // "Eind mei 2019"
      'portal-opening': '2019-06-03',
      'agreement-available': '2019-07-01',
      'conditions-deadline': '2019-09-01',
      'eligibility-notification': '2019-09-04',
      'negotiations-completed': '2019-10-31',
      'contracted-publication': '2019-11-12',
      'signing-deadline': '2019-12-31',
    });
    expect(milestone(diagnostics, 'conditions-deadline')).toMatchObject({ action: 'declare-conditions', audience: ['existing-contract-holders', 'new-applicants'] });
  });

  it('msr-2021: the workflow closes registration after 1 July and checks signatures after New Year\'s Eve', async () => {
    const steps = buildTimeline(await loadCalendar('msr-2021'));
    const at = Object.fromEntries(steps.map((s) => [s.stepId, s.at]));
    expect(at['registration#opens']).toBe('2020-05-01T07:00:00.000Z');
    expect(at['registration#closes']).toBe('2020-07-01T22:00:00.000Z');
    expect(at['eligibility-notification#notify']).toBe('2020-09-04T07:00:00.000Z');
    expect(at['negotiation-agreements#notify']).toBe('2020-11-01T08:00:00.000Z'); // after the October change
    expect(at['signing-deadline#deadline']).toBe('2020-12-31T23:00:00.000Z');
    // 1 September: the agreement (listed first) and the proposal's 14-day reminder go out together.
    const firstOfSeptember = steps.filter((s) => s.at === '2020-09-01T07:00:00.000Z').map((s) => s.stepId);
    expect(firstOfSeptember).toEqual(['agreement-available#notify', 'proposal-deadline#reminder-14']);
  });
});
