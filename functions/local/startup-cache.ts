/**
 * What every start of the local runtime would otherwise make again, kept in
 * `node_modules/.cache/inkoopkalender/` under a hash of everything it is made
 * from, so a change to any input makes it anew:
 *
 * - the synthesized template (infra/synth.ts, the same call as before): keyed by
 *   the sources it is built from (infra/, functions/, workflows/, cdk.json), the
 *   installed packages (package-lock.json) and the CDK_* environment. Importing
 *   aws-cdk-lib and synthesizing take about 2.5 s of CPU on the 2-core machine;
 *   reading the JSON back takes milliseconds.
 * - an empty database with the table created (DynamoDB Local's SQLite file):
 *   keyed by the table definition and the DynamoDB Local release. A fresh
 *   runtime starts on a copy instead of waiting for CreateTable with its three
 *   indexes (0.5-2.5 s).
 * - which inputs passed a check that costs a lot and depends only on them and
 *   the installed packages (`checkOnce`): the state machine's validation by
 *   aws-local-stepfunctions (asl-validator compiles its JSON schemas with ajv:
 *   about a second of CPU in the first execution of every start).
 *
 * Files are written to a temporary name and renamed into place, so a reader
 * sees a whole file or none; a damaged or missing one is simply made again.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { REPO_ROOT } from '../../infra/paths.ts';
import type { CfnTemplate } from '../../infra/template.ts';

export const STARTUP_CACHE_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'inkoopkalender');

/** The folders and files the stack is synthesized from (infra imports constants from functions/ and workflows/). */
const SYNTH_INPUTS = ['infra', 'functions', 'workflows', 'cdk.json', 'package-lock.json', 'package.json'];

function hashTree(hash: ReturnType<typeof createHash>, path: string, relative: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) {
    for (const name of readdirSync(path).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      hashTree(hash, join(path, name), `${relative}/${name}`);
    }
    return;
  }
  hash.update(`${relative}\n${stat.size}\n`);
  hash.update(readFileSync(path));
}

/** A hash of the template's inputs: the same hash, the same template. */
export function synthInputsHash(root = REPO_ROOT): string {
  const hash = createHash('sha256');
  for (const input of SYNTH_INPUTS) hashTree(hash, join(root, input), input);
  const cdkEnv = Object.keys(process.env)
    .filter((k) => k.startsWith('CDK_'))
    .sort()
    .map((k) => `${k}=${process.env[k]}`);
  hash.update(cdkEnv.join('\n'));
  return hash.digest('hex').slice(0, 32);
}

/** Writes `file` through a temporary name in the same folder: a reader sees a whole file or none. */
export function writeAtomically(file: string, write: (tmp: string) => void): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    write(tmp);
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** Entries of one kind made from other inputs: they can never be read again. */
function removeOthers(file: string, prefix: string): void {
  const dir = dirname(file);
  for (const name of readdirSync(dir)) {
    if (name.startsWith(prefix) && name !== basename(file) && !name.endsWith('.tmp')) rmSync(join(dir, name), { force: true });
  }
}

/** The template `synthesize` makes, from the cache when its inputs are unchanged. */
export async function cachedTemplate(
  synthesize: () => Promise<CfnTemplate>,
  options: { dir?: string; root?: string } = {},
): Promise<CfnTemplate> {
  const file = join(options.dir ?? STARTUP_CACHE_DIR, `template-${synthInputsHash(options.root)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
    if (cached && typeof cached === 'object' && cached.Resources) return cached;
  } catch {
    // not there yet, or unreadable: synthesize
  }
  const template = await synthesize();
  try {
    writeAtomically(file, (tmp) => writeFileSync(tmp, JSON.stringify(template)));
    removeOthers(file, 'template-');
  } catch {
    // a read-only checkout: synthesize every time
  }
  return template;
}

/** Where the empty database for this table definition and DynamoDB Local release is kept (it may not exist yet). */
export function emptyDatabaseFile(tableInput: unknown, release: string, dir = STARTUP_CACHE_DIR): string {
  const key = createHash('sha256').update(`${release}\n${JSON.stringify(tableInput)}`).digest('hex').slice(0, 32);
  return join(dir, `empty-table-${key}.db`);
}

/** Keeps an empty database made by `copy` (a settled copy of the live one) for the next start. */
export async function keepEmptyDatabase(file: string, copy: (target: string) => Promise<void>): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    await copy(tmp);
    renameSync(tmp, file);
    removeOthers(file, 'empty-table-');
  } catch {
    // a read-only checkout: create the table every time
  } finally {
    rmSync(tmp, { force: true });
  }
}

/** The inputs that passed a check, kept in one file (the newest first; a lost update only means checking again). */
const CHECKED_FILE = 'checked.json';
const MAX_CHECKED = 64;

/**
 * Runs `check` on `input` unless the same check passed on the same input with the same installed
 * packages (package-lock.json) before; remembers it once it passes. A check that throws is never
 * remembered, so it fails every time.
 */
export function checkOnce(kind: string, input: string, check: () => void, options: { dir?: string; root?: string } = {}): void {
  const file = join(options.dir ?? STARTUP_CACHE_DIR, CHECKED_FILE);
  const hash = createHash('sha256').update(`${kind}\n`);
  try {
    hash.update(readFileSync(join(options.root ?? REPO_ROOT, 'package-lock.json')));
  } catch {
    // no lock file: the key is the input alone
  }
  const key = hash.update(`\n${input}`).digest('hex').slice(0, 32);
  let known: string[] = [];
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (Array.isArray(parsed)) known = parsed.filter((k): k is string => typeof k === 'string');
  } catch {
    // not there yet, or unreadable: check
  }
  if (known.includes(key)) return;
  check();
  try {
    writeAtomically(file, (tmp) => writeFileSync(tmp, JSON.stringify([key, ...known].slice(0, MAX_CHECKED))));
  } catch {
    // a read-only checkout: check every time
  }
}
