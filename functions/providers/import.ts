/**
 * Parses and validates a provider file (CSV or JSON) with zod. Pure: reads a
 * string, returns providers or throws one ValidationError that names every bad
 * row by line number and field. Writing is ./write.ts.
 *
 * CSV: a header row, then one row per contact; rows with the same AGB code make
 * one provider and must agree on its fields.
 *   agb,kvk,name,careTypes,contactName,contactEmail,contactRole[,contracts]
 *   careTypes: codes separated by `;` (e.g. `msr;zg`)
 *   contactRole: `signatory` (exactly one per provider, the only one who may sign) or `general`
 *   contracts (optional): current contracts as `code:firstYear-lastYear` or `code:year`, separated by `;`
 * JSON: an array of { agb, kvk, name, careTypes[], contacts[{ name, email, role }], contracts?[{ careType, firstYear, lastYear }] }.
 */
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { ValidationError, type Issue } from '../commons/errors.ts';
import { agbCode, careTypeCode, contactRole, contractSchema, emailAddress, kvkNumber, oneLineText, type Contract } from '../domain/model.ts';
import { contactIdFor, type ProviderContent } from '../domain/provider.ts';

export const CSV_COLUMNS = ['agb', 'kvk', 'name', 'careTypes', 'contactName', 'contactEmail', 'contactRole'] as const;
export const OPTIONAL_CSV_COLUMNS = ['contracts'] as const;

export type ProviderFileFormat = 'csv' | 'json';

export function formatOf(file: string): ProviderFileFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.json') return 'json';
  throw new ValidationError(`Cannot tell the format of ${basename(file)}: use a .csv or .json file`);
}

const text = z.string().trim().min(1, 'required').pipe(oneLineText);
/** A current contract as either file gives it: one check of its years for both. */
const importedContract = contractSchema.strict().refine((c) => c.lastYear >= c.firstYear, 'the last year before the first');
const contractsList = z
  .string()
  .trim()
  .regex(/^$|^[a-z0-9-]+:\d{4}(-\d{4})?(;[a-z0-9-]+:\d{4}(-\d{4})?)*$/, 'contracts as code:firstYear-lastYear, separated by ;')
  .transform((s): Contract[] =>
    s
      ? s.split(';').map((part) => {
          const [careType, years] = part.split(':');
          const [first, last = first] = years.split('-').map(Number);
          return { careType, firstYear: first, lastYear: last };
        })
      : [],
  )
  .pipe(z.array(importedContract));

const csvRowSchema = z.object({
  agb: agbCode,
  kvk: kvkNumber,
  name: text,
  careTypes: z
    .string()
    .transform((s) => s.split(';').map((c) => c.trim()).filter(Boolean))
    .pipe(z.array(careTypeCode).min(1, 'at least one care type')),
  contactName: text,
  contactEmail: z.string().trim().pipe(emailAddress),
  contactRole: z.string().trim().toLowerCase().pipe(contactRole),
  contracts: contractsList.optional(),
});

const jsonProviderSchema = z
  .object({
    agb: agbCode,
    kvk: kvkNumber,
    name: text,
    careTypes: z.array(careTypeCode).min(1, 'at least one care type'),
    contacts: z
      .array(z.object({ name: text, email: z.string().trim().pipe(emailAddress), role: contactRole }).strict())
      .min(1, 'at least one contact'),
    contracts: z.array(importedContract).optional(),
  })
  .strict();

/** Fields whose bad value we do not echo back (it may be a personal address). */
const PRIVATE_FIELDS = /email/i;

const formatPath = (path: readonly PropertyKey[]): string =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`)).join('');

/** `columnsOnly`: a CSV cell is one field, so report the column, not a position inside its parsed value. */
function zodIssues(error: z.ZodError, source: string, prefix: readonly PropertyKey[], input: unknown, columnsOnly = false): Issue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(columnsOnly ? issue.path.slice(0, 1) : issue.path)];
    let found: unknown = input;
    for (const p of issue.path) {
      if (typeof found === 'string') break; // a transformed cell: show the cell as written
      found = (found as Record<PropertyKey, unknown> | undefined)?.[p];
    }
    const showFound = typeof found === 'string' && !PRIVATE_FIELDS.test(formatPath(issue.path)) && found.length <= 80;
    return { source, path: formatPath(path) || '(row)', message: issue.message, ...(showFound ? { found: JSON.stringify(found) } : {}) };
  });
}

const normalize = (p: Omit<ProviderContent, 'contacts'> & { contacts: { name: string; email: string; role: 'signatory' | 'general' }[] }): ProviderContent => ({
  agb: p.agb,
  kvk: p.kvk,
  name: p.name,
  careTypes: [...new Set(p.careTypes)].sort(),
  contacts: p.contacts.map((c) => ({ id: contactIdFor(c.email), name: c.name, email: c.email, role: c.role })),
  contracts: p.contracts ?? [],
});

type Where = (i: number, field: 'email' | 'role') => { source: string; path: string };

/** Exactly one signatory, no contact twice. `where` says where contact i's field stands. */
function contactIssues(contacts: { email: string; role: string }[], where: Where, provider: { source: string; path: string }, agb: string): Issue[] {
  const issues: Issue[] = [];
  const label = (i: number, field: 'email' | 'role', from: number) => {
    const a = where(i, field);
    return a.source === where(from, field).source ? a.path : a.source;
  };
  const seen = new Map<string, number>();
  contacts.forEach((c, i) => {
    const email = c.email.trim().toLowerCase();
    const first = seen.get(email);
    if (first !== undefined) issues.push({ ...where(i, 'email'), message: `the same contact as ${label(first, 'email', i)}` });
    else seen.set(email, i);
  });
  const signatories = contacts.flatMap((c, i) => (c.role === 'signatory' ? [i] : []));
  if (signatories.length === 0) {
    issues.push({ ...provider, message: `provider ${agb} has no signatory contact; exactly one is required` });
  }
  for (const extra of signatories.slice(1)) {
    issues.push({
      ...where(extra, 'role'),
      message: `a second signatory for ${agb} (the first is ${label(signatories[0], 'role', extra)}); exactly one is required`,
    });
  }
  return issues;
}

// ---------------------------------------------------------------- CSV

export function parseProvidersCsv(input: string, name = 'providers.csv'): ProviderContent[] {
  let records: { record: string[]; raw: string; info: { lines: number } }[];
  try {
    // With `info` and `raw` each record comes as { record, raw, info } (the typings do not model that).
    records = parse(input, { bom: true, info: true, raw: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as unknown as typeof records;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new ValidationError(`${name} is not valid CSV, nothing imported`, [
      { source: line ? `${name} line ${line}` : name, path: '(file)', message: (error as Error).message },
    ]);
  }
  const lineOf = (r: (typeof records)[number]): number =>
    r.info.lines - (r.raw.replace(/^\s*\n/, '').replace(/\r?\n$/, '').match(/\n/g)?.length ?? 0);

  const [header, ...rows] = records;
  if (!header) throw new ValidationError(`${name} is empty, nothing imported`);
  const columns = header.record;
  const headerSource = `${name} line ${lineOf(header)}`;
  const issues: Issue[] = [];
  const allowed = new Set<string>([...CSV_COLUMNS, ...OPTIONAL_CSV_COLUMNS]);
  for (const missing of CSV_COLUMNS.filter((c) => !columns.includes(c))) {
    issues.push({ source: headerSource, path: missing, message: 'missing column', expected: CSV_COLUMNS.join(',') });
  }
  for (const unknown of columns.filter((c) => !allowed.has(c))) {
    issues.push({ source: headerSource, path: unknown, message: 'unknown column', expected: [...allowed].join(',') });
  }
  if (issues.length) throw new ValidationError(`${name} has a bad header, nothing imported`, issues);

  interface Row {
    line: number;
    values: Record<string, string>;
    parsed?: z.infer<typeof csvRowSchema>;
  }
  const groups = new Map<string, Row[]>();
  for (const r of rows) {
    const line = lineOf(r);
    const source = `${name} line ${line}`;
    if (r.record.length !== columns.length) {
      issues.push({ source, path: '(row)', message: `expected ${columns.length} fields, found ${r.record.length}` });
      continue;
    }
    const values = Object.fromEntries(columns.map((c, i) => [c, r.record[i]]));
    const result = csvRowSchema.safeParse(values);
    if (!result.success) issues.push(...zodIssues(result.error, source, [], values, true));
    const group = groups.get(values.agb) ?? [];
    group.push({ line, values, parsed: result.success ? result.data : undefined });
    groups.set(values.agb, group);
  }

  const providers: ProviderContent[] = [];
  for (const [agb, group] of groups) {
    const [first] = group;
    const at = (row: Row) => `${name} line ${row.line}`;
    for (const row of group.slice(1)) {
      for (const field of ['kvk', 'name', 'careTypes', 'contracts'] as const) {
        if ((row.values[field] ?? '') !== (first.values[field] ?? '')) {
          issues.push({ source: at(row), path: field, message: `differs from ${at(first)} for the same AGB code ${agb}` });
        }
      }
    }
    issues.push(
      ...contactIssues(
        group.map((r) => ({ email: r.values.contactEmail, role: r.values.contactRole.trim().toLowerCase() })),
        (i, field) => ({ source: at(group[i]), path: field === 'email' ? 'contactEmail' : 'contactRole' }),
        { source: at(first), path: 'contactRole' },
        agb,
      ),
    );
    if (group.every((r) => r.parsed)) {
      const p = first.parsed!;
      providers.push(
        normalize({
          agb: p.agb,
          kvk: p.kvk,
          name: p.name,
          careTypes: p.careTypes,
          contracts: p.contracts ?? [],
          contacts: group.map((r) => ({ name: r.parsed!.contactName, email: r.parsed!.contactEmail, role: r.parsed!.contactRole })),
        }),
      );
    }
  }
  return done(name, rows.length === 0 ? [{ source: name, path: '(file)', message: 'no provider rows' }, ...issues] : issues, providers);
}

// ---------------------------------------------------------------- JSON

/** The line on which each element of a top-level JSON array starts. */
export function arrayElementLines(json: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expecting = false;
  const start = () => {
    if (depth === 1 && expecting) {
      lines.push(line);
      expecting = false;
    }
  };
  for (const ch of json) {
    if (ch === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      start();
      inString = true;
    } else if (ch === '[' || ch === '{') {
      start();
      depth++;
      if (depth === 1) expecting = ch === '[';
    } else if (ch === ']' || ch === '}') {
      depth--;
    } else if (ch === ',' && depth === 1) {
      expecting = true;
    } else if (!/\s/.test(ch)) {
      start();
    }
  }
  return lines;
}

export function parseProvidersJson(input: string, name = 'providers.json'): ProviderContent[] {
  let data: unknown;
  try {
    data = JSON.parse(input.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ValidationError(`${name} is not valid JSON, nothing imported`, [{ source: name, path: '(file)', message: (error as Error).message }]);
  }
  if (!Array.isArray(data)) {
    throw new ValidationError(`${name} must hold an array of providers, nothing imported`, [{ source: name, path: '(file)', message: 'expected an array' }]);
  }
  const lines = arrayElementLines(input);
  const sourceOf = (i: number) => (lines[i] ? `${name} line ${lines[i]}` : name);
  const issues: Issue[] = data.length === 0 ? [{ source: name, path: '(file)', message: 'no providers' }] : [];
  const providers: ProviderContent[] = [];
  const firstIndexOf = new Map<string, number>();
  data.forEach((element, i) => {
    const source = sourceOf(i);
    const agb = (element as { agb?: unknown } | null)?.agb;
    if (typeof agb === 'string') {
      const first = firstIndexOf.get(agb);
      if (first !== undefined) issues.push({ source, path: `[${i}].agb`, message: `AGB code ${agb} appears twice (also at ${sourceOf(first)})` });
      else firstIndexOf.set(agb, i);
    }
    const result = jsonProviderSchema.safeParse(element);
    if (!result.success) {
      issues.push(...zodIssues(result.error, source, [i], element));
      return;
    }
    const p = result.data;
    const contactProblems = contactIssues(
      p.contacts,
      (c, field) => ({ source, path: `[${i}].contacts[${c}].${field}` }),
      { source, path: `[${i}].contacts` },
      p.agb,
    );
    issues.push(...contactProblems);
    if (!contactProblems.length) providers.push(normalize({ ...p, contracts: p.contracts ?? [] }));
  });
  return done(name, issues, providers);
}

const lineNumber = (issue: Issue): number => Number(/ line (\d+)$/.exec(issue.source ?? '')?.[1] ?? 0);

function done(name: string, found: Issue[], providers: ProviderContent[]): ProviderContent[] {
  const issues = [...found].sort((a, b) => lineNumber(a) - lineNumber(b));
  if (issues.length) {
    const rows = new Set(issues.map((i) => i.source)).size;
    throw new ValidationError(`${name}: ${rows} bad row${rows === 1 ? '' : 's'} (${issues.length} problem${issues.length === 1 ? '' : 's'}), nothing imported`, issues);
  }
  return providers;
}

export function parseProviders(input: string, format: ProviderFileFormat, name?: string): ProviderContent[] {
  return format === 'csv' ? parseProvidersCsv(input, name) : parseProvidersJson(input, name);
}
