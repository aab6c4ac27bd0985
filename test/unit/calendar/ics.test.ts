import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ASSUMED_DATE_TEXT, calendarToIcs } from '../../../functions/calendar/ics.ts';
import { loadCalendar } from '../../../functions/calendar/validate.ts';

const clock = new VirtualClock('2020-03-15T10:00:00Z');

async function parsed(id: string) {
  const text = calendarToIcs(await loadCalendar(id), { clock });
  const root = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of root.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(vtimezone);
  const events = new Map(root.getAllSubcomponents('vevent').map((e) => [String(e.getFirstPropertyValue('uid')), e]));
  return { text, root, events };
}

const utc = (event: ICAL.Component, property: 'dtstart' | 'dtend') =>
  (event.getFirstPropertyValue(property) as ICAL.Time).toJSDate().toISOString();

describe('calendarToIcs', () => {
  it('has one event per milestone with stable UIDs and Dutch summaries', async () => {
    const { events } = await parsed('msr-2021');
    expect([...events.keys()]).toEqual([
      'msr-2021-policy-publication@inkoopkalender',
      'msr-2021-registration@inkoopkalender',
      'msr-2021-agreement-available@inkoopkalender',
      'msr-2021-eligibility-notification@inkoopkalender',
      'msr-2021-proposal-deadline@inkoopkalender',
      'msr-2021-negotiation-agreements@inkoopkalender',
      'msr-2021-contracted-publication@inkoopkalender',
      'msr-2021-signing-deadline@inkoopkalender',
    ]);
    expect(events.get('msr-2021-proposal-deadline@inkoopkalender')!.getFirstPropertyValue('summary')).toBe(
      'Uiterste datum: Voorstel voor een financiële afspraak',
    );
    expect(events.get('msr-2021-proposal-deadline@inkoopkalender')!.getFirstPropertyValue('description')).toMatch(
      /^Uiterlijk dinsdag 15 september 2020, 23:59\.\n\nBron: Uiterlijk 15 september 2020/,
    );
  });

  it('puts a deadline at 23:59 Amsterdam time with TZID, in summer and in winter', async () => {
    const { events } = await parsed('msr-2021');
    const proposal = events.get('msr-2021-proposal-deadline@inkoopkalender')!;
    const dtstart = proposal.getFirstProperty('dtstart')!;
    expect(dtstart.getParameter('tzid')).toBe('Europe/Amsterdam');
    expect((dtstart.getFirstValue() as ICAL.Time).toString()).toBe('2020-09-15T23:59:00');
    expect(utc(proposal, 'dtstart')).toBe('2020-09-15T21:59:00.000Z');

    const signing = events.get('msr-2021-signing-deadline@inkoopkalender')!;
    expect(signing.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Amsterdam');
    expect(utc(signing, 'dtstart')).toBe('2020-12-31T22:59:00.000Z');
  });

  it('spans a window from 00:00 on its first day to 23:59 on its last', async () => {
    const { events } = await parsed('msr-2021');
    const registration = events.get('msr-2021-registration@inkoopkalender')!;
    expect(registration.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('Europe/Amsterdam');
    expect(registration.getFirstProperty('dtend')!.getParameter('tzid')).toBe('Europe/Amsterdam');
    expect(utc(registration, 'dtstart')).toBe('2020-04-30T22:00:00.000Z');
    expect(utc(registration, 'dtend')).toBe('2020-07-01T21:59:00.000Z');
    expect(registration.getFirstPropertyValue('description')).toMatch(/^1 mei t\/m 1 juli 2020\./);
  });

  it('makes moments all-day events on their date', async () => {
    const { events } = await parsed('msr-2021');
    const publication = events.get('msr-2021-contracted-publication@inkoopkalender')!;
    const start = publication.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(start.isDate).toBe(true);
    expect(start.toString()).toBe('2020-11-12');
  });

  it('defines Europe/Amsterdam once, and stamps events with the clock', async () => {
    const { root, text } = await parsed('zg-2024-2025');
    const zones = root.getAllSubcomponents('vtimezone');
    expect(zones.map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['Europe/Amsterdam']);
    expect(text).toContain('DTSTAMP:20200315T100000Z');
    expect(text).toContain('DTSTART;TZID=Europe/Amsterdam:20230801T000000');
  });
});

describe('agenda updates', () => {
  it('publishes (METHOD:PUBLISH) with SEQUENCE 0 and LAST-MODIFIED for a calendar as filed', async () => {
    const { root, events } = await parsed('msr-2021');
    expect(root.getFirstPropertyValue('method')).toBe('PUBLISH');
    for (const event of events.values()) {
      expect(event.getFirstPropertyValue('sequence')).toBe(0);
      expect((event.getFirstPropertyValue('last-modified') as ICAL.Time).toJSDate().toISOString()).toBe('2020-03-15T10:00:00.000Z');
    }
  });

  it('carries an amended cycle\'s amendment count as SEQUENCE and when it changed as LAST-MODIFIED', async () => {
    const text = calendarToIcs(await loadCalendar('msr-2021'), { clock, sequence: 3, lastModified: '2020-08-20T12:34:56.000Z' });
    const root = new ICAL.Component(ICAL.parse(text));
    const events = root.getAllSubcomponents('vevent');
    expect(events).toHaveLength(8);
    for (const event of events) {
      expect(event.getFirstPropertyValue('sequence')).toBe(3);
      expect((event.getFirstPropertyValue('last-modified') as ICAL.Time).toJSDate().toISOString()).toBe('2020-08-20T12:34:56.000Z');
    }
  });

  it('says so in the description of a date the calendar file marks as an assumption, and only there', async () => {
    const { events } = await parsed('wlz-2021');
    const assumed = (uid: string) => String(events.get(uid)!.getFirstPropertyValue('description')).includes(ASSUMED_DATE_TEXT);
    expect(assumed('wlz-2021-qa-memo@inkoopkalender')).toBe(true);
    expect(assumed('wlz-2021-policy-publication@inkoopkalender')).toBe(true);
    expect(assumed('wlz-2021-first-feedback@inkoopkalender')).toBe(false);
    expect(String(events.get('wlz-2021-qa-memo@inkoopkalender')!.getFirstPropertyValue('description'))).toMatch(/^1 juli 2020\.\n\nLet op: deze datum is een aanname/);
  });
});
