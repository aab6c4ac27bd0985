/**
 * Builds calendars for tests: `validCalendar()` is a small, valid Zvw calendar
 * for contract year 2021; `calendarWith(draft => ...)` copies it and lets a test
 * break exactly one thing. Indices of the milestones:
 *   0 policy-publication  2020-04-01
 *   1 registration        2020-05-01 t/m 2020-07-01 (window, request-registration, reminders 14 and 3)
 *   2 proposal-deadline   2020-09-15 (submit-proposal, reminders 14 and 3)
 *   3 contracted-publication 2020-11-12
 *   4 signing-deadline    2020-12-31 (sign-agreement, reminders 14 and 3)
 */
import type { CalendarInput } from '../../functions/calendar/schema.ts';

export function validCalendar(): CalendarInput {
  return {
    id: 'test-2021',
    careType: { code: 'test', name: 'Testzorg' },
    regime: 'zvw',
    contract: { firstYear: 2021, termYears: 1 },
    timeZone: 'Europe/Amsterdam',
    sendTime: '09:00',
    milestones: [
      { id: 'policy-publication', kind: 'policy-publication', title: 'Publicatie inkoopbeleid', date: '2020-04-01', audience: ['all-providers'] },
      {
        id: 'registration',
        kind: 'registration-window',
        title: 'Aanmelden nieuwe zorgaanbieders',
        opens: '2020-05-01',
        closes: '2020-07-01',
        audience: ['new-applicants'],
        action: 'request-registration',
        reminders: [14, 3],
      },
      {
        id: 'proposal-deadline',
        kind: 'proposal-deadline',
        title: 'Voorstel financiële afspraak',
        date: '2020-09-15',
        audience: ['in-negotiation'],
        action: 'submit-proposal',
        reminders: [14, 3],
      },
      { id: 'contracted-publication', kind: 'contracted-publication', title: 'Gecontracteerde zorg', date: '2020-11-12', audience: ['customer-communication'] },
      {
        id: 'signing-deadline',
        kind: 'signing-deadline',
        title: 'Getekende overeenkomst',
        date: '2020-12-31',
        audience: ['contracted'],
        action: 'sign-agreement',
        reminders: [14, 3],
      },
    ],
  };
}

/** A loosely typed copy: tests put wrong values on purpose. */
export type CalendarDraft = Record<string, any> & { milestones: Array<Record<string, any>> };

export function calendarWith(mutate: (draft: CalendarDraft) => void): CalendarDraft {
  const draft = structuredClone(validCalendar()) as CalendarDraft;
  mutate(draft);
  return draft;
}
