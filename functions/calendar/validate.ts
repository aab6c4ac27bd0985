/**
 * Reads and validates calendar files. Every problem becomes an `Issue` that
 * names the file, the path inside it (`milestones[3].closes`), what was
 * expected and what was found; all issues are reported at once in one
 * `ValidationError`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { NotFoundError, ValidationError, type Issue } from '../commons/errors.ts';
import {
  calendarSchema,
  isDeadlineKind,
  isWindowKind,
  milestoneSchema,
  MILESTONE_KINDS,
  REGIMES,
  type Calendar,
  type Milestone,
  type Regime,
} from './schema.ts';
import { addDays } from './time.ts';

/** Where the calendars of the seed documents live; `loadCalendar('msr-2021')` reads `msr-2021.json` here. */
export const CALENDARS_DIR = fileURLToPath(new URL('../../workflows/calendars/', import.meta.url));

export function listCalendarIds(): string[] {
  return readdirSync(CALENDARS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/**
 * Parses already-decoded JSON. `source` names the input in issues (a file name, "request body").
 * Shape problems do not hide rule problems: the rules also run over every
 * milestone whose shape is right, so one run reports everything.
 */
export function parseCalendar(raw: unknown, source: string, earlier: Issue[] = []): Calendar {
  const parsed = calendarSchema.safeParse(raw, { reportInput: true });
  if (parsed.success) {
    const issues = [...earlier, ...checkCalendar(parsed.data)];
    if (issues.length > 0) throw invalid(source, issues);
    return parsed.data;
  }
  throw invalid(source, [...earlier, ...parsed.error.issues.flatMap(fromZodIssue), ...checkWellFormedParts(raw)]);
}

/**
 * Parses the text of a calendar file; invalid JSON is reported with its line and column,
 * a key given twice in one object (JSON.parse would keep the last silently) with its path and line.
 */
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
  const duplicates = findDuplicateKeys(json).map(({ path, key, line, firstLine }): Issue => ({
    path: formatPath([...path, key]),
    message: `the key "${key}" is given twice in one object (line ${firstLine} and line ${line}); only one may stay`,
    expected: 'each key once',
    found: `a second "${key}" at line ${line}`,
  }));
  return parseCalendar(raw, source, duplicates);
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
  const info = await stat(file);
  if (!info.isFile()) {
    throw invalid(source, [{ path: '(file)', message: info.isDirectory() ? 'is a directory, not a calendar file' : 'is not a regular file', expected: 'a calendar file (.json)', found: info.isDirectory() ? 'a directory' : 'something else' }]);
  }
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

/** "a registration-window", "an agreement-available". */
const withArticle = (word: string): string => `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;

/** A reminder further ahead than this is not a reminder; the seed calendars remind 14 and 3 days ahead. */
export const MAX_REMINDER_DAYS = 60;

/** What the rules read: the milestones with their place in the file, and what is known of the rest. */
interface RuleInput {
  milestones: ReadonlyArray<{ m: Milestone; i: number }>;
  regime?: Regime;
  contract?: Calendar['contract'];
  /** False when some milestones had the wrong shape: rules about what is missing would mislead. */
  complete: boolean;
}

export function checkCalendar(calendar: Calendar): Issue[] {
  return checkRules({ milestones: calendar.milestones.map((m, i) => ({ m, i })), regime: calendar.regime, contract: calendar.contract, complete: true });
}

/** The rules over the parts of a calendar that have the right shape (the rest has its shape issues already). */
function checkWellFormedParts(raw: unknown): Issue[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return [];
  const input = raw as Record<string, unknown>;
  const all = Array.isArray(input.milestones) ? input.milestones : [];
  const milestones = all.flatMap((value, i) => {
    const m = milestoneSchema.safeParse(value);
    return m.success ? [{ m: m.data, i }] : [];
  });
  const regime = REGIMES.find((r) => r === input.regime);
  const contract = calendarSchema.shape.contract.safeParse(input.contract).data;
  return checkRules({ milestones, regime, contract, complete: false });
}

function checkRules({ milestones, regime, contract, complete }: RuleInput): Issue[] {
  const issues: Issue[] = [];
  const seen = new Map<string, number>();
  let previous: { index: number; date: string } | undefined;
  const byIndex = new Map(milestones.map(({ m, i }) => [i, m]));
  const policyPublished = milestones.find(({ m }) => m.kind === 'policy-publication')?.m.date;

  milestones.forEach(({ m, i }) => {
    const first = seen.get(m.id);
    if (first !== undefined) {
      issues.push({ path: at(i, 'id'), message: `duplicate milestone id (first used at ${at(first)})`, expected: 'a unique id', found: quoted(m.id) });
    } else {
      seen.set(m.id, i);
    }

    issues.push(...checkDates(m, i));
    issues.push(...checkReminders(m, i, policyPublished));
    if (contract) issues.push(...checkContractYears(m, i, contract));

    const date = firstDate(m);
    if (date) {
      if (previous && date < previous.date) {
        issues.push({
          path: at(i, m.date ? 'date' : 'opens'),
          message: `out of chronological order: before ${at(previous.index)} (${byIndex.get(previous.index)?.id})`,
          expected: `on or after ${previous.date}`,
          found: date,
        });
      }
      previous = { index: i, date };
    }
  });

  if (regime === 'zvw' && contract) issues.push(...checkZvw(milestones, contract, complete));
  return issues;
}

/**
 * Every date falls between 1 January of the year before the contract starts
 * (policy, registration, talks) and the end of the contract term (ZG's
 * next-year step): a calendar whose dates miss its contract years has the
 * wrong `firstYear` or the wrong dates.
 */
function checkContractYears(m: Milestone, i: number, contract: Calendar['contract']): Issue[] {
  const from = `${contract.firstYear - 1}-01-01`;
  const to = `${contract.firstYear + contract.termYears - 1}-12-31`;
  return (['date', 'opens', 'closes'] as const).flatMap((field): Issue[] => {
    const value = m[field];
    if (value === undefined || (value >= from && value <= to)) return [];
    return [
      {
        path: at(i, field),
        message: `outside the contract years: a calendar for contract year ${contract.firstYear}${contract.termYears > 1 ? `–${contract.firstYear + contract.termYears - 1}` : ''} runs from the year before to the end of the term`,
        expected: `between ${from} and ${to}`,
        found: value,
      },
    ];
  });
}

/** Exactly one of `date` or `opens`+`closes`, matching the kind; a window does not close before it opens. */
function checkDates(m: Milestone, i: number): Issue[] {
  const hasWindow = m.opens !== undefined || m.closes !== undefined;
  if (m.date !== undefined && hasWindow) {
    return [{ path: at(i), message: 'has both a date and a window; give either date or opens and closes', expected: 'date, or opens and closes', found: 'both' }];
  }
  if (isWindowKind(m.kind)) {
    if (m.date !== undefined) {
      return [{ path: at(i, 'date'), message: `${withArticle(m.kind)} is a window: give opens and closes instead of date`, expected: 'opens and closes', found: 'date' }];
    }
    const missing = (['opens', 'closes'] as const).filter((f) => m[f] === undefined);
    if (missing.length > 0) {
      return missing.map((f) => ({ path: at(i, f), message: `${withArticle(m.kind)} needs both opens and closes`, expected: 'a date as YYYY-MM-DD', found: 'nothing' }));
    }
    if (m.closes! < m.opens!) {
      return [{ path: at(i, 'closes'), message: 'the window closes before it opens', expected: `on or after ${m.opens}`, found: m.closes! }];
    }
    return [];
  }
  if (hasWindow) {
    return [{ path: at(i, m.opens !== undefined ? 'opens' : 'closes'), message: `${withArticle(m.kind)} is a single day: give date instead of opens and closes`, expected: 'date', found: 'a window' }];
  }
  if (m.date === undefined) {
    return [{ path: at(i, 'date'), message: `${withArticle(m.kind)} needs a date`, expected: 'a date as YYYY-MM-DD', found: 'nothing' }];
  }
  return [];
}

/**
 * Reminders count back from a deadline or a window's close, for providers who
 * still have to act: not further ahead than MAX_REMINDER_DAYS, not before the
 * window opens, and not before the policy is published (nobody can have been
 * asked to act yet).
 */
function checkReminders(m: Milestone, i: number, policyPublished: string | undefined): Issue[] {
  if (!m.reminders || m.reminders.length === 0) return [];
  if (m.action === undefined) {
    return [{ path: at(i, 'reminders'), message: 'reminders are only for milestones that ask providers to act', expected: 'an action, or no reminders', found: 'no action' }];
  }
  if (!isWindowKind(m.kind) && !isDeadlineKind(m.kind)) {
    return [{ path: at(i, 'reminders'), message: `${withArticle(m.kind)} has no deadline to remind of`, expected: 'a deadline or window kind, or no reminders', found: quoted(m.reminders) }];
  }
  const last = isWindowKind(m.kind) ? m.closes : m.date;
  if (last === undefined) return []; // checkDates reports the missing date
  const issues: Issue[] = [];
  m.reminders.forEach((days, k) => {
    const path = at(i, `reminders[${k}]`);
    if (m.reminders!.indexOf(days) !== k) {
      issues.push({ path, message: 'duplicate reminder', expected: 'each number of days once', found: String(days) });
    } else if (days > MAX_REMINDER_DAYS) {
      issues.push({ path, message: `a reminder ${days} days before the deadline is too early to be a reminder`, expected: `at most ${MAX_REMINDER_DAYS} days`, found: String(days) });
    } else if (policyPublished !== undefined && last >= policyPublished && addDays(last, -days) < policyPublished) {
      issues.push({
        path,
        message: `the reminder ${days} days before the deadline (${addDays(last, -days)}) falls before the policy is published (${policyPublished})`,
        expected: `at most ${daysBetween(policyPublished, last)} days`,
        found: String(days),
      });
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
function checkZvw(milestones: RuleInput['milestones'], contract: Calendar['contract'], complete: boolean): Issue[] {
  const year = contract.firstYear - 1;
  const rules = [
    { kind: 'policy-publication', latest: `${year}-04-01`, why: 'Zvw: the policy is published by 1 April before the contract year (NZa transparency rule, art. 4)' },
    { kind: 'contracted-publication', latest: `${year}-11-12`, why: 'Zvw: customers see the contracted providers by 12 November before the contract year' },
  ] as const;
  const issues: Issue[] = [];
  for (const rule of rules) {
    const found = milestones.filter(({ m }) => m.kind === rule.kind);
    if (found.length === 0 && complete) {
      issues.push({ path: 'milestones', message: `a Zvw calendar needs ${withArticle(rule.kind)} milestone`, expected: `a milestone of kind ${rule.kind}`, found: 'none' });
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
  // A required field that is not there: say so, whatever its type would have been.
  if (issue.input === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
    const expected =
      issue.code === 'invalid_value' ? `one of ${listValues(issue.values)}` : issue.code === 'invalid_type' ? issue.expected : 'a value';
    return [{ path, message: 'missing: this field is required', expected, found: 'nothing' }];
  }
  switch (issue.code) {
    case 'invalid_value':
      if (issue.path.at(-1) === 'kind' && issue.values.length === MILESTONE_KINDS.length) {
        return [{ path, message: `unknown milestone kind; allowed kinds: ${listValues(issue.values)}`, expected: 'a milestone kind', found }];
      }
      return [{ path, message: `not allowed; allowed: ${listValues(issue.values)}`, expected: `one of ${listValues(issue.values)}`, found }];
    case 'invalid_type':
      return [{ path, message: `wrong type`, expected: issue.expected, found }];
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

export interface DuplicateKey {
  /** Where the object is (its path), and the key given twice in it. */
  path: PropertyKey[];
  key: string;
  /** Lines of the first and the repeated key. */
  firstLine: number;
  line: number;
}

/**
 * Keys given twice in one object of valid JSON. `JSON.parse` keeps the last
 * one silently; a calendar with two `date`s is a mistake to point at.
 */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found: DuplicateKey[] = [];
  let i = 0;
  let line = 1;
  const space = () => {
    for (; i < text.length && ' \t\n\r'.includes(text[i]); i++) if (text[i] === '\n') line++;
  };
  const string = (): string => {
    const start = i;
    for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: PropertyKey[]): void => {
    space();
    if (text[i] === '{') {
      i++;
      const keys = new Map<string, number>();
      for (space(); text[i] !== '}'; space()) {
        if (text[i] === ',') {
          i++;
          space();
        }
        const keyLine = line;
        const key = string();
        const first = keys.get(key);
        if (first !== undefined) found.push({ path, key, firstLine: first, line: keyLine });
        else keys.set(key, keyLine);
        space();
        i++; // ':'
        value([...path, key]);
      }
      i++;
    } else if (text[i] === '[') {
      i++;
      for (let n = 0; ; n++) {
        space();
        if (text[i] === ']') break;
        if (text[i] === ',') {
          i++;
          space();
        }
        value([...path, n]);
      }
      i++;
    } else if (text[i] === '"') {
      string();
    } else {
      while (i < text.length && !',]} \t\n\r'.includes(text[i])) i++;
    }
  };
  value([]);
  return found;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}
