/**
 * iCalendar (.ics) export of a calendar, for purchasers' and providers' agendas.
 *
 * - A deadline is a one-minute event at 23:59 local time on its last day, not an
 *   all-day event: "uiterlijk 15 september" means until the end of that day, and a
 *   timed event says so in every agenda, whatever the reader's time zone.
 * - A window runs from 00:00 on the day it opens to 23:59 on the day it closes
 *   (both days included).
 * - A moment (publication, notification) is an all-day event on its date.
 *
 * Timed events carry TZID=Europe/Amsterdam with a VTIMEZONE definition, so
 * agendas apply Dutch summer time themselves. UIDs are stable
 * (`<calendarId>-<milestoneId>@inkoopkalender`): re-importing after an
 * amendment moves the events instead of duplicating them.
 *
 * Updates (RFC 5545/5546): `METHOD:PUBLISH`; every event's `SEQUENCE` is the
 * cycle's amendment count and `LAST-MODIFIED` when its calendar last changed, so
 * an agenda replaces the events it has instead of ignoring the newer file. A date
 * the calendar file marks as an assumption (`assumed`, explained in its `note`)
 * says so in the event's description.
 */
import ical, { ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import { systemClock, type Clock } from '../commons/clock.ts';
import { isDeadlineKind, isWindowKind, type Calendar, type Milestone } from './schema.ts';
import { formatDutchDate, formatDutchDeadline, formatDutchWindow, TIME_ZONE } from './time.ts';

/** Europe/Amsterdam with the EU summer-time rules (since 1996): last Sunday of March and of October. */
const VTIMEZONE_AMSTERDAM = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Amsterdam',
  'X-LIC-LOCATION:Europe/Amsterdam',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
].join('\r\n');

export const eventUid = (calendar: Calendar, milestone: Milestone): string => `${calendar.id}-${milestone.id}@inkoopkalender`;

const localDay = (date: string): DateTime => DateTime.fromISO(date, { zone: TIME_ZONE });

/** Dutch, for the provider's agenda; the file's `note` (English) says why. */
export const ASSUMED_DATE_TEXT =
  'Let op: deze datum is een aanname. Het brondocument noemt geen (volledige) datum; wij laten het u weten zodra de datum vaststaat of verandert.';

function describe(milestone: Milestone, when: string): string {
  const parts = [when, ...(milestone.assumed ? [ASSUMED_DATE_TEXT] : []), ...(milestone.source ? [`Bron: ${milestone.source}`] : [])];
  return parts.join('\n\n');
}

export interface IcsOptions {
  clock?: Clock;
  /** How often the calendar was amended (a running cycle's `amendments`): every event's SEQUENCE. Default 0. */
  sequence?: number;
  /** When the calendar last changed (ISO or epoch ms): every event's LAST-MODIFIED. Default: now. */
  lastModified?: string | number;
}

export function calendarToIcs(calendar: Calendar, { clock = systemClock, sequence = 0, lastModified }: IcsOptions = {}): string {
  const { firstYear, termYears } = calendar.contract;
  const years = termYears === 1 ? `${firstYear}` : `${firstYear}-${firstYear + termYears - 1}`;
  const cal = ical({
    name: `Inkoopkalender ${calendar.careType.name} ${years}`,
    prodId: { company: 'inkoopkalender', product: calendar.id, language: 'NL' },
    method: ICalCalendarMethod.PUBLISH,
    // No calendar-wide zone (that would make untagged times floating); the generator adds the VTIMEZONE.
    timezone: { name: null, generator: (tz) => (tz === TIME_ZONE ? VTIMEZONE_AMSTERDAM : null) },
  });
  const stamp = DateTime.fromMillis(clock.now(), { zone: 'utc' });
  const modified =
    lastModified === undefined ? stamp : DateTime.fromMillis(typeof lastModified === 'number' ? lastModified : Date.parse(lastModified), { zone: 'utc' });

  for (const m of calendar.milestones) {
    const common = { id: eventUid(calendar, m), stamp, lastModified: modified, sequence, summary: m.title };
    if (isWindowKind(m.kind)) {
      cal.createEvent({
        ...common,
        timezone: TIME_ZONE,
        start: localDay(m.opens!),
        end: localDay(m.closes!).set({ hour: 23, minute: 59 }),
        description: describe(m, `${formatDutchWindow(m.opens!, m.closes!)}.`),
      });
    } else if (isDeadlineKind(m.kind)) {
      const end = localDay(m.date!).set({ hour: 23, minute: 59 });
      cal.createEvent({
        ...common,
        summary: `Uiterste datum: ${m.title}`,
        timezone: TIME_ZONE,
        start: end,
        end: end.plus({ minutes: 1 }),
        description: describe(m, `Uiterlijk ${formatDutchDeadline(m.date!)}.`),
      });
    } else {
      cal.createEvent({
        ...common,
        allDay: true,
        start: localDay(m.date!),
        end: localDay(m.date!).plus({ days: 1 }),
        description: describe(m, `${formatDutchDate(m.date!)}.`),
      });
    }
  }
  return cal.toString();
}
