import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError, type Issue } from '../../../functions/commons/errors.ts';
import { AUDIENCES, MILESTONE_KINDS } from '../../../functions/calendar/schema.ts';
import { findDuplicateKeys, formatPath, loadCalendar, parseCalendar, parseCalendarText } from '../../../functions/calendar/validate.ts';
import { calendarWith, validCalendar, type CalendarDraft } from '../../support/calendar-factory.ts';

function issuesOf(run: () => unknown): Issue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

const issuesOfCalendar = (raw: unknown) => issuesOf(() => parseCalendar(raw, 'test.json'));

describe('parseCalendar', () => {
  it('accepts the factory calendar and defaults the send time', () => {
    const { sendTime, ...withoutSendTime } = validCalendar();
    expect(sendTime).toBe('09:00');
    expect(parseCalendar(withoutSendTime, 'test.json').sendTime).toBe('09:00');
  });

  it('does not apply the Zvw publication dates to a Wlz calendar', () => {
    const wlz = calendarWith((c) => {
      c.regime = 'wlz';
      c.milestones[0].date = '2020-04-15'; // after 1 April
      c.milestones.splice(3, 1); // no contracted-publication
    });
    expect(parseCalendar(wlz, 'wlz.json').milestones).toHaveLength(4);
  });

  // Each case breaks one thing; the calendar must report exactly that issue.
  const cases: Array<{ name: string; mutate: (c: CalendarDraft) => void; issue: Issue }> = [
    {
      name: 'an unknown kind names the allowed kinds',
      mutate: (c) => (c.milestones[2].kind = 'proposal'),
      issue: { path: 'milestones[2].kind', message: `unknown milestone kind; allowed kinds: ${MILESTONE_KINDS.join(', ')}`, expected: 'a milestone kind', found: '"proposal"' },
    },
    {
      name: 'a date and a window together',
      mutate: (c) => Object.assign(c.milestones[0], { opens: '2020-04-01', closes: '2020-04-02' }),
      issue: { path: 'milestones[0]', message: 'has both a date and a window; give either date or opens and closes', expected: 'date, or opens and closes', found: 'both' },
    },
    {
      name: 'a registration window given as a date',
      mutate: (c) => {
        delete c.milestones[1].opens;
        delete c.milestones[1].closes;
        c.milestones[1].date = '2020-05-01';
      },
      issue: { path: 'milestones[1].date', message: 'a registration-window is a window: give opens and closes instead of date', expected: 'opens and closes', found: 'date' },
    },
    {
      name: 'a window without closes',
      mutate: (c) => delete c.milestones[1].closes,
      issue: { path: 'milestones[1].closes', message: 'a registration-window needs both opens and closes', expected: 'a date as YYYY-MM-DD', found: 'nothing' },
    },
    {
      name: 'a window without opens',
      mutate: (c) => delete c.milestones[1].opens,
      issue: { path: 'milestones[1].opens', message: 'a registration-window needs both opens and closes', expected: 'a date as YYYY-MM-DD', found: 'nothing' },
    },
    {
      name: 'a window that closes before it opens',
      mutate: (c) => (c.milestones[1].closes = '2020-04-30'),
      issue: { path: 'milestones[1].closes', message: 'the window closes before it opens', expected: 'on or after 2020-05-01', found: '2020-04-30' },
    },
    {
      name: 'a deadline given as a window',
      mutate: (c) => {
        delete c.milestones[2].date;
        Object.assign(c.milestones[2], { opens: '2020-09-01', closes: '2020-09-15' });
      },
      issue: { path: 'milestones[2].opens', message: 'a proposal-deadline is a single day: give date instead of opens and closes', expected: 'date', found: 'a window' },
    },
    {
      name: 'a moment without a date',
      mutate: (c) => delete c.milestones[3].date,
      issue: { path: 'milestones[3].date', message: 'a contracted-publication needs a date', expected: 'a date as YYYY-MM-DD', found: 'nothing' },
    },
    {
      name: 'milestones out of chronological order',
      mutate: (c) => (c.milestones[3].date = '2020-08-01'),
      issue: { path: 'milestones[3].date', message: 'out of chronological order: before milestones[2] (proposal-deadline)', expected: 'on or after 2020-09-15', found: '2020-08-01' },
    },
    {
      name: 'a window that opens before the previous milestone',
      mutate: (c) => Object.assign(c.milestones[1], { opens: '2020-03-01' }),
      issue: { path: 'milestones[1].opens', message: 'out of chronological order: before milestones[0] (policy-publication)', expected: 'on or after 2020-04-01', found: '2020-03-01' },
    },
    {
      name: 'a duplicate id',
      mutate: (c) => (c.milestones[4].id = 'proposal-deadline'),
      issue: { path: 'milestones[4].id', message: 'duplicate milestone id (first used at milestones[2])', expected: 'a unique id', found: '"proposal-deadline"' },
    },
    {
      name: 'reminders without an action',
      mutate: (c) => delete c.milestones[4].action,
      issue: { path: 'milestones[4].reminders', message: 'reminders are only for milestones that ask providers to act', expected: 'an action, or no reminders', found: 'no action' },
    },
    {
      name: 'reminders on a moment',
      mutate: (c) => Object.assign(c.milestones[0], { action: 'ask-question', reminders: [3] }),
      issue: { path: 'milestones[0].reminders', message: 'a policy-publication has no deadline to remind of', expected: 'a deadline or window kind, or no reminders', found: '[3]' },
    },
    {
      name: 'the same reminder twice',
      mutate: (c) => (c.milestones[2].reminders = [14, 3, 14]),
      issue: { path: 'milestones[2].reminders[2]', message: 'duplicate reminder', expected: 'each number of days once', found: '14' },
    },
    {
      name: 'a reminder before the window opens',
      mutate: (c) => {
        c.milestones[1].opens = '2020-06-01';
        c.milestones[1].reminders = [40];
      },
      issue: { path: 'milestones[1].reminders[0]', message: 'the reminder 40 days before closing (2020-05-22) falls before the window opens', expected: 'at most 30 days', found: '40' },
    },
    {
      name: 'a reminder months ahead (6½ months before the deadline, before the policy is even published)',
      mutate: (c) => (c.milestones[2].reminders = [14, 195]),
      issue: { path: 'milestones[2].reminders[1]', message: 'a reminder 195 days before the deadline is too early to be a reminder', expected: 'at most 60 days', found: '195' },
    },
    {
      name: 'a reminder before the policy is published',
      mutate: (c) => {
        c.regime = 'wlz';
        c.milestones.splice(1, 1); // no registration window
        c.milestones[0].date = '2020-09-01';
        c.milestones[1].reminders = [20, 3];
      },
      issue: { path: 'milestones[1].reminders[0]', message: 'the reminder 20 days before the deadline (2020-08-26) falls before the policy is published (2020-09-01)', expected: 'at most 14 days', found: '20' },
    },
    {
      name: 'a missing enum field as missing (not as "not allowed … found nothing")',
      mutate: (c) => delete c.regime,
      issue: { path: 'regime', message: 'missing: this field is required', expected: 'one of zvw, wlz', found: 'nothing' },
    },
    {
      name: 'an agreement-available with an article that fits',
      mutate: (c) => c.milestones.splice(3, 0, { id: 'agreement', kind: 'agreement-available', title: 'Overeenkomst', opens: '2020-11-01', closes: '2020-11-02', audience: ['contracted'] }),
      issue: { path: 'milestones[3].opens', message: 'an agreement-available is a single day: give date instead of opens and closes', expected: 'date', found: 'a window' },
    },
    {
      name: 'Zvw: the policy published after 1 April',
      mutate: (c) => (c.milestones[0].date = '2020-04-02'),
      issue: {
        path: 'milestones[0].date',
        message: 'too late: Zvw: the policy is published by 1 April before the contract year (NZa transparency rule, art. 4)',
        expected: 'on or before 2020-04-01',
        found: '2020-04-02',
      },
    },
    {
      name: 'Zvw: contracted providers published after 12 November',
      mutate: (c) => (c.milestones[3].date = '2020-11-13'),
      issue: {
        path: 'milestones[3].date',
        message: 'too late: Zvw: customers see the contracted providers by 12 November before the contract year',
        expected: 'on or before 2020-11-12',
        found: '2020-11-13',
      },
    },
    {
      name: 'Zvw: no policy publication',
      mutate: (c) => c.milestones.splice(0, 1),
      issue: { path: 'milestones', message: 'a Zvw calendar needs a policy-publication milestone', expected: 'a milestone of kind policy-publication', found: 'none' },
    },
    {
      name: 'Zvw: no contracted publication',
      mutate: (c) => c.milestones.splice(3, 1),
      issue: { path: 'milestones', message: 'a Zvw calendar needs a contracted-publication milestone', expected: 'a milestone of kind contracted-publication', found: 'none' },
    },
    {
      name: 'a date that does not exist',
      mutate: (c) => (c.milestones[0].date = '2020-02-30'),
      issue: { path: 'milestones[0].date', message: 'invalid value', expected: 'an existing calendar date', found: '"2020-02-30"' },
    },
    {
      name: 'a date in Dutch words',
      mutate: (c) => (c.milestones[0].date = '1 april 2020'),
      issue: { path: 'milestones[0].date', message: 'wrong format', expected: 'a date as YYYY-MM-DD', found: '"1 april 2020"' },
    },
    {
      name: 'an unknown field',
      mutate: (c) => (c.milestones[2].deadline = '2020-09-15'),
      issue: { path: 'milestones[2].deadline', message: 'unknown field', expected: 'no such field', found: 'deadline' },
    },
    {
      name: 'a missing title',
      mutate: (c) => delete c.milestones[2].title,
      issue: { path: 'milestones[2].title', message: 'missing: this field is required', expected: 'string', found: 'nothing' },
    },
    {
      name: 'an unknown audience',
      mutate: (c) => (c.milestones[2].audience = ['providers']),
      issue: { path: 'milestones[2].audience[0]', message: `not allowed; allowed: ${AUDIENCES.join(', ')}`, expected: `one of ${AUDIENCES.join(', ')}`, found: '"providers"' },
    },
    {
      name: 'an empty audience',
      mutate: (c) => (c.milestones[2].audience = []),
      issue: { path: 'milestones[2].audience', message: 'needs at least 1 item(s)', expected: '1 or more', found: 'none' },
    },
    {
      name: 'a reminder of zero days',
      mutate: (c) => (c.milestones[2].reminders = [0]),
      issue: { path: 'milestones[2].reminders[0]', message: 'too small', expected: 'more than 0', found: '0' },
    },
    {
      name: 'a four-year contract',
      mutate: (c) => (c.contract.termYears = 4),
      issue: { path: 'contract.termYears', message: 'not allowed; allowed: 1, 2, 3', expected: 'one of 1, 2, 3', found: '4' },
    },
    {
      name: 'another time zone',
      mutate: (c) => (c.timeZone = 'UTC'),
      issue: { path: 'timeZone', message: 'not allowed; allowed: Europe/Amsterdam', expected: 'one of Europe/Amsterdam', found: '"UTC"' },
    },
    {
      name: 'a send time without leading zero',
      mutate: (c) => (c.sendTime = '9:00'),
      issue: { path: 'sendTime', message: 'wrong format', expected: 'a time as HH:MM', found: '"9:00"' },
    },
    {
      name: 'no milestones',
      mutate: (c) => (c.milestones = []),
      issue: { path: 'milestones', message: 'needs at least 1 item(s)', expected: '1 or more', found: 'none' },
    },
  ];

  it.each(cases)('reports $name', ({ mutate, issue }) => {
    expect(issuesOfCalendar(calendarWith(mutate))).toEqual([{ source: 'test.json', ...issue }]);
  });

  it('reports a calendar that is not an object at the root', () => {
    expect(issuesOfCalendar([])).toEqual([{ source: 'test.json', path: '(root)', message: 'wrong type', expected: 'object', found: '[]' }]);
  });

  it('reports every problem at once, with a summary message', () => {
    const raw = calendarWith((c) => {
      c.milestones[1].closes = '2020-04-30';
      c.milestones[4].id = 'proposal-deadline';
    });
    try {
      parseCalendar(raw, 'two.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toBe('calendar two.json is not valid (2 problems)');
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual(['milestones[1].closes', 'milestones[4].id']);
    }
  });
});

describe('problems found together', () => {
  it('a shape problem does not hide the rule problems: both are reported in one run', () => {
    const raw = calendarWith((c) => {
      c.milestones[2].kind = 'proposal'; // shape
      c.milestones[1].closes = '2020-04-30'; // rule
      c.milestones[4].reminders = [14, 3, 400]; // rule
    });
    expect(issuesOfCalendar(raw).map((i) => `${i.path}: ${i.message}`)).toEqual([
      `milestones[2].kind: unknown milestone kind; allowed kinds: ${MILESTONE_KINDS.join(', ')}`,
      'milestones[1].closes: the window closes before it opens',
      'milestones[4].reminders[2]: a reminder 400 days before the deadline is too early to be a reminder',
    ]);
  });

  it('a Zvw calendar whose dates do not fit its firstYear: every date named', () => {
    const raw = calendarWith((c) => (c.contract.firstYear = 2023)); // all dates in 2020, two years early
    const issues = issuesOfCalendar(raw);
    expect(issues.map((i) => i.path)).toEqual([
      'milestones[0].date',
      'milestones[1].opens',
      'milestones[1].closes',
      'milestones[2].date',
      'milestones[3].date',
      'milestones[4].date',
    ]);
    expect(issues[0]).toMatchObject({
      message: 'outside the contract years: a calendar for contract year 2023 runs from the year before to the end of the term',
      expected: 'between 2022-01-01 and 2023-12-31',
      found: '2020-04-01',
    });
    // A date after the term is as wrong.
    expect(issuesOfCalendar(calendarWith((c) => (c.milestones[4].date = '2022-01-05'))).map((i) => i.path)).toEqual(['milestones[4].date']);
  });
});

describe('parseCalendarText', () => {
  const text = JSON.stringify(validCalendar(), null, 2);

  it('parses a valid file, with or without a byte-order mark', () => {
    expect(parseCalendarText(text, 'ok.json').id).toBe('test-2021');
    expect(parseCalendarText(`\uFEFF${text}`, 'ok.json').id).toBe('test-2021');
  });

  it.each([
    ['a missing value', '{\n  "id": "x",\n  "regime": }', 'invalid JSON at line 3, column 13: unexpected "}", expected a value'],
    ['a trailing comma', '{\n  "id": "x",\n}', 'invalid JSON at line 3, column 1: unexpected "}", expected a property name in double quotes'],
    ['a missing comma', '{\n  "id": "x"\n  "regime": "zvw"\n}', `invalid JSON at line 3, column 3: unexpected "\\"", expected ',' or '}'`],
    ['an unterminated string', '{ "id": "x', 'invalid JSON at line 1, column 11: unexpected end of file, expected a closing quote'],
    ['single quotes', "{ 'id': 'x' }", 'invalid JSON at line 1, column 3: unexpected "\'", expected a property name in double quotes'],
    ['an empty file', '', 'invalid JSON at line 1, column 1: unexpected end of file, expected a value'],
    ['text after the value', '{}\n{}', 'invalid JSON at line 2, column 1: unexpected "{", expected the end of the file'],
  ])('reports %s with its position', (_, json, message) => {
    expect(issuesOf(() => parseCalendarText(json, 'bad.json'))).toEqual([{ source: 'bad.json', path: '(file)', message }]);
  });
});

describe('duplicate keys', () => {
  it('are refused with the key, its path and both lines, together with the other problems', () => {
    const text = JSON.stringify(calendarWith((c) => (c.milestones[1].closes = '2020-04-30')), null, 2).replace(
      '"date": "2020-09-15",',
      '"date": "2020-09-15",\n      "date": "2020-09-16",',
    );
    const issues = issuesOf(() => parseCalendarText(text, 'dup.json'));
    const line = (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    expect(issues).toEqual([
      {
        source: 'dup.json',
        path: 'milestones[2].date',
        message: `the key "date" is given twice in one object (line ${line('2020-09-15')} and line ${line('2020-09-16')}); only one may stay`,
        expected: 'each key once',
        found: `a second "date" at line ${line('2020-09-16')}`,
      },
      expect.objectContaining({ path: 'milestones[1].closes', message: 'the window closes before it opens' }),
    ]);
  });

  it('finds them at any depth, and only in the same object', () => {
    expect(findDuplicateKeys('{"a":1,"b":{"c":[{"d":1,"d":2},{"d":3}]},"a":"x"}')).toEqual([
      { path: ['b', 'c', 0], key: 'd', firstLine: 1, line: 1 },
      { path: [], key: 'a', firstLine: 1, line: 1 },
    ]);
    expect(findDuplicateKeys('{"a\\"":1,"a\\"":[1,{"x":"}"}],"b":{}}')).toEqual([{ path: [], key: 'a"', firstLine: 1, line: 1 }]);
    expect(findDuplicateKeys(JSON.stringify(validCalendar(), null, 2))).toEqual([]);
  });
});

describe('loadCalendar', () => {
  it('a directory is a clear problem, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendar-'));
    const folder = join(dir, 'kalender.json');
    mkdirSync(folder);
    await expect(loadCalendar(folder)).rejects.toMatchObject({
      exitCode: 1,
      issues: [{ source: folder, path: '(file)', message: 'is a directory, not a calendar file', expected: 'a calendar file (.json)', found: 'a directory' }],
    });
    await expect(loadCalendar(dir)).rejects.toMatchObject({ issues: [{ message: 'is a directory, not a calendar file' }] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads a seed calendar by id', async () => {
    expect((await loadCalendar('msr-2021')).careType.code).toBe('msr');
  });

  it('loads a file by path and names it in issues', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calendar-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(calendarWith((c) => (c.milestones[1].closes = '2020-04-30'))));
    await expect(loadCalendar(file)).rejects.toMatchObject({ issues: [{ source: file, path: 'milestones[1].closes' }] });
    rmSync(dir, { recursive: true, force: true });
  });

  it('says which ids exist when an id is unknown', async () => {
    await expect(loadCalendar('msr-2099')).rejects.toThrow(NotFoundError);
    await expect(loadCalendar('msr-2099')).rejects.toThrow(/known: .*msr-2021/);
  });
});

describe('formatPath', () => {
  it('writes array indices in brackets', () => {
    expect(formatPath(['milestones', 3, 'closes'])).toBe('milestones[3].closes');
    expect(formatPath(['milestones', 1, 'reminders', 0])).toBe('milestones[1].reminders[0]');
    expect(formatPath([])).toBe('(root)');
  });
});
