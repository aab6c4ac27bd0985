/**
 * Reads and validates calendar files. Every problem becomes an `Issue` that
 * names the file, the path inside it (`milestones[3].closes`), what was
 * expected and what was found; all issues are reported at once in one
 * `ValidationError`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { NotFoundError, ValidationError, type Issue } from '../commons/errors.ts';
import { calendarSchema, isDeadlineKind, isWindowKind, MILESTONE_KINDS, type Calendar, type Milestone } from './schema.ts';
import { addDays } from './time.ts';

/** Where the calendars of the seed documents live; `loadCalendar('msr-2021')` reads `msr-2021.json` here. */
export const CALENDARS_DIR = fileURLToPath(new URL('../../workflows/calendars/', import.meta.url));

export function listCalendarIds(): string[] {
  return readdirSync(CALENDARS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** Parses already-decoded JSON. `source` names the input in issues (a file name, "request body"). */
export function parseCalendar(raw: unknown, source: string): Calendar {
  const parsed = calendarSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw invalid(source, parsed.error.issues.flatMap(fromZodIssue));
  const issues = checkCalendar(parsed.data);
  if (issues.length > 0) throw invalid(source, issues);
  return parsed.data;
}

/** Parses the text of a calendar file; invalid JSON is reported with its line and column. */
export function parseCalendarText(text: string, source: string): Calendar {
  const json = text.replace(/^\uFEFF/, '');
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    const { offset, message } = locateJsonError(json);
    const { line, column } = lineAndColumn(json, offset);
    throw invalid(source, [{ path: '(file)', message: `invalid JSON at line ${line}, column ${column}: ${message}` }]);
  }
  return parseCalendar(raw, source);
}

/**
 * Loads a calendar from a file path, or by id from workflows/calendars/<id>.json
 * (an argument without a `/` and without `.json` is an id).
 */
export async function loadCalendar(fileOrId: string): Promise<Calendar> {
  const byId = !fileOrId.endsWith('.json') && !/[\\/]/.test(fileOrId);
  const file = byId ? join(CALENDARS_DIR, `${fileOrId}.json`) : fileOrId;
  if (!existsSync(file)) {
    throw new NotFoundError(
      byId
        ? `no calendar "${fileOrId}": there is no ${relative(process.cwd(), file)} (known: ${listCalendarIds().join(', ')})`
        : `no such file: ${file}`,
    );
  }
  const source = byId ? relative(process.cwd(), file) : fileOrId;
  const calendar = parseCalendarText(await readFile(file, 'utf8'), source);
  const expectedId = basename(file, '.json');
  if (byId && calendar.id !== expectedId) {
    throw invalid(source, [{ path: 'id', message: 'the id must match the file name', expected: JSON.stringify(expectedId), found: JSON.stringify(calendar.id) }]);
  }
  return calendar;
}

function invalid(source: string, issues: Issue[]): ValidationError {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  return new ValidationError(`calendar ${source} is not valid (${count})`, issues.map((i) => ({ source, ...i })));
}

// ---------------------------------------------------------------------------
// Rules across fields (the shape is already right when these run)
// ---------------------------------------------------------------------------

const at = (i: number, field?: string): string => `milestones[${i}]${field ? `.${field}` : ''}`;
const quoted = (value: unknown): string => JSON.stringify(value);

/** The day a milestone starts: its date, or the day its window opens. */
const firstDate = (m: Milestone): string | undefined => m.date ?? m.opens;

export function checkCalendar(calendar: Calendar): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  let previous: { index: number; date: string } | undefined;

  calendar.milestones.forEach((m, i) => {
    const first = seen.get(m.id);
    if (first !== undefined) {
      issues.push({ path: at(i, 'id'), message: `duplicate milestone id (first used at ${at(first)})`, expected: 'a unique id', found: quoted(m.id) });
    } else {
      seen.set(m.id, i);
    }

    issues.push(...checkDates(m, i));
    issues.push(...checkReminders(m, i));

    const date = firstDate(m);
    if (date) {
      if (previous && date < previous.date) {
        issues.push({
          path: at(i, m.date ? 'date' : 'opens'),
          message: `out of chronological order: before ${at(previous.index)} (${calendar.milestones[previous.index].id})`,
          expected: `on or after ${previous.date}`,
          found: date,
        });
      }
      previous = { index: i, date };
    }
  });

  if (calendar.regime === 'zvw') issues.push(...checkZvw(calendar));
  return issues;
}

/** Exactly one of `date` or `opens`+`closes`, matching the kind; a window does not close before it opens. */
function checkDates(m: Milestone, i: number): Issue[] {
  const hasWindow = m.opens !== undefined || m.closes !== undefined;
  if (m.date !== undefined && hasWindow) {
    return [{ path: at(i), message: 'has both a date and a window; give either date or opens and closes', expected: 'date, or opens and closes', found: 'both' }];
  }
  if (isWindowKind(m.kind)) {
    if (m.date !== undefined) {
      return [{ path: at(i, 'date'), message: `a ${m.kind} is a window: give opens and closes instead of date`, expected: 'opens and closes', found: 'date' }];
    }
    const missing = (['opens', 'closes'] as const).filter((f) => m[f] === undefined);
    if (missing.length > 0) {
      return missing.map((f) => ({ path: at(i, f), message: `a ${m.kind} needs both opens and closes`, expected: 'a date as YYYY-MM-DD', found: 'nothing' }));
    }
    if (m.closes! < m.opens!) {
      return [{ path: at(i, 'closes'), message: 'the window closes before it opens', expected: `on or after ${m.opens}`, found: m.closes! }];
    }
    return [];
  }
  if (hasWindow) {
    return [{ path: at(i, m.opens !== undefined ? 'opens' : 'closes'), message: `a ${m.kind} is a single day: give date instead of opens and closes`, expected: 'date', found: 'a window' }];
  }
  if (m.date === undefined) {
    return [{ path: at(i, 'date'), message: `a ${m.kind} needs a date`, expected: 'a date as YYYY-MM-DD', found: 'nothing' }];
  }
  return [];
}

/** Reminders count back from a deadline or a window's close, for providers who still have to act. */
function checkReminders(m: Milestone, i: number): Issue[] {
  if (!m.reminders || m.reminders.length === 0) return [];
  if (m.action === undefined) {
    return [{ path: at(i, 'reminders'), message: 'reminders are only for milestones that ask providers to act', expected: 'an action, or no reminders', found: 'no action' }];
  }
  if (!isWindowKind(m.kind) && !isDeadlineKind(m.kind)) {
    return [{ path: at(i, 'reminders'), message: `a ${m.kind} has no deadline to remind of`, expected: 'a deadline or window kind, or no reminders', found: quoted(m.reminders) }];
  }
  const last = isWindowKind(m.kind) ? m.closes : m.date;
  if (last === undefined) return []; // checkDates reports the missing date
  const issues: Issue[] = [];
  m.reminders.forEach((days, k) => {
    if (m.reminders!.indexOf(days) !== k) {
      issues.push({ path: at(i, `reminders[${k}]`), message: 'duplicate reminder', expected: 'each number of days once', found: String(days) });
    } else if (m.opens !== undefined && last >= m.opens && addDays(last, -days) < m.opens) {
      issues.push({
        path: at(i, `reminders[${k}]`),
        message: `the reminder ${days} days before closing (${addDays(last, -days)}) falls before the window opens`,
        expected: `at most ${daysBetween(m.opens, last)} days`,
        found: String(days),
      });
    }
  });
  return issues;
}

const daysBetween = (from: string, to: string): number => Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);

/**
 * The NZa transparency rule for Zvw care (Regeling transparantie
 * zorginkoopproces Zvw): the policy is published by 1 April before the
 * contract year, and customers see the contracted providers by 12 November.
 */
function checkZvw(calendar: Calendar): Issue[] {
  const year = calendar.contract.firstYear - 1;
  const rules = [
    { kind: 'policy-publication', latest: `${year}-04-01`, why: 'Zvw: the policy is published by 1 April before the contract year (NZa transparency rule, art. 4)' },
    { kind: 'contracted-publication', latest: `${year}-11-12`, why: 'Zvw: customers see the contracted providers by 12 November before the contract year' },
  ] as const;
  const issues: Issue[] = [];
  for (const rule of rules) {
    const found = calendar.milestones.map((m, i) => ({ m, i })).filter(({ m }) => m.kind === rule.kind);
    if (found.length === 0) {
      issues.push({ path: 'milestones', message: `a Zvw calendar needs a ${rule.kind} milestone`, expected: `a milestone of kind ${rule.kind}`, found: 'none' });
    }
    for (const { m, i } of found) {
      if (m.date !== undefined && m.date > rule.latest) {
        issues.push({ path: at(i, 'date'), message: `too late: ${rule.why}`, expected: `on or before ${rule.latest}`, found: m.date });
      }
    }
  }
  return issues;
}

// ---------------------------------------------------------------------------
// zod issues → Issues
// ---------------------------------------------------------------------------

type ZodIssue = z.core.$ZodIssue;

/** `['milestones', 3, 'closes']` → `milestones[3].closes`; the root is `(root)`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || '(root)';
}

const describe = (value: unknown): string => {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};

const listValues = (values: ReadonlyArray<unknown>): string => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');

function fromZodIssue(issue: ZodIssue): Issue[] {
  const path = formatPath(issue.path);
  const found = describe(issue.input);
  switch (issue.code) {
    case 'invalid_value':
      if (issue.path.at(-1) === 'kind' && issue.values.length === MILESTONE_KINDS.length) {
        return [{ path, message: `unknown milestone kind; allowed kinds: ${listValues(issue.values)}`, expected: 'a milestone kind', found }];
      }
      return [{ path, message: `not allowed; allowed: ${listValues(issue.values)}`, expected: `one of ${listValues(issue.values)}`, found }];
    case 'invalid_type':
      return issue.input === undefined
        ? [{ path, message: 'required', expected: issue.expected, found }]
        : [{ path, message: `wrong type`, expected: issue.expected, found }];
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'unknown field', expected: 'no such field', found: key }));
    case 'invalid_format':
      return [{ path, message: 'wrong format', expected: issue.message, found }];
    case 'too_small':
      if (issue.origin === 'array') return [{ path, message: `needs at least ${issue.minimum} item(s)`, expected: `${issue.minimum} or more`, found: 'none' }];
      return [{ path, message: 'too small', expected: `${issue.inclusive ? 'at least' : 'more than'} ${issue.minimum}`, found }];
    case 'too_big':
      return [{ path, message: 'too big', expected: `${issue.inclusive ? 'at most' : 'less than'} ${issue.maximum}`, found }];
    case 'invalid_union': {
      // A union of literals (termYears): name the allowed values.
      const values = issue.errors.flat().flatMap((e) => (e.code === 'invalid_value' ? e.values : []));
      if (values.length === issue.errors.length) return [{ path, message: `not allowed; allowed: ${listValues(values)}`, expected: `one of ${listValues(values)}`, found }];
      return [{ path, message: 'matches none of the allowed forms', found }];
    }
    case 'custom':
      return [{ path, message: 'invalid value', expected: issue.message, found }];
    default:
      return [{ path, message: issue.message, found }];
  }
}

// ---------------------------------------------------------------------------
// Locating a JSON syntax error (V8's messages do not always give a position)
// ---------------------------------------------------------------------------

/** Scans JSON text that `JSON.parse` rejected and returns where and why it first goes wrong. */
export function locateJsonError(text: string): { offset: number; message: string } {
  let i = 0;
  class JsonSyntax extends Error {}
  const fail = (expected: string): never => {
    const c = text[i];
    throw new JsonSyntax(c === undefined ? `unexpected end of file, expected ${expected}` : `unexpected ${JSON.stringify(c)}, expected ${expected}`);
  };
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const string = () => {
    i++; // opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) fail('a closing quote');
      if (c === '"') return void i++;
      if (c < ' ') fail('a closing quote (a line break must be written as \\n)');
      if (c === '\\') {
        i++;
        const escaped = /^(["\\/bfnrt]|u[0-9a-fA-F]{4})/.exec(text.slice(i, i + 5));
        if (!escaped) fail('an escape such as \\" or \\n');
        i += escaped![0].length;
      } else i++;
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') return void i++;
      for (;;) {
        space();
        if (text[i] !== '"') fail('a property name in double quotes');
        string();
        space();
        if (text[i] !== ':') fail("':'");
        i++;
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail("',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      space();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        space();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail("',' or ']'");
      }
    }
    if (c === '"') {
      string();
      return;
    }
    const literal = /^(true|false|null|-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (literal) {
      i += literal[0].length;
      return;
    }
    fail('a value');
  };
  try {
    value();
    space();
    if (i < text.length) fail('the end of the file');
  } catch (error) {
    if (error instanceof JsonSyntax) return { offset: i, message: error.message };
    throw error;
  }
  return { offset: i, message: 'invalid JSON' }; // not reached for text JSON.parse rejects
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
