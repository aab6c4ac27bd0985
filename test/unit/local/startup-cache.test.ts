import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CfnTemplate } from '../../../infra/template.ts';
import { cachedTemplate, checkOnce, emptyDatabaseFile, keepEmptyDatabase, synthInputsHash } from '../../../functions/local/startup-cache.ts';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'startup-cache-'));
  dir = join(root, 'cache');
  mkdirSync(join(root, 'infra'));
  writeFileSync(join(root, 'infra', 'stack.ts'), 'export const a = 1;');
  writeFileSync(join(root, 'cdk.json'), '{}');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const template = (n: number): CfnTemplate => ({ Resources: { [`R${n}`]: { Type: 'AWS::SNS::Topic' } } });

describe('the start-up cache', () => {
  it('synthesizes once while the inputs stay the same, and again when one changes', async () => {
    let calls = 0;
    const synth = async () => template(++calls);
    expect(await cachedTemplate(synth, { dir, root })).toEqual(template(1));
    expect(await cachedTemplate(synth, { dir, root })).toEqual(template(1));
    expect(calls).toBe(1);

    writeFileSync(join(root, 'infra', 'stack.ts'), 'export const a = 2;');
    expect(await cachedTemplate(synth, { dir, root })).toEqual(template(2));
    expect(calls).toBe(2);
    // The entry made from the old sources can never be read again: only the current one stays.
    expect(readdirSync(dir)).toEqual([`template-${synthInputsHash(root)}.json`]);
  });

  it('hashes names as well as contents, and the CDK_ environment', () => {
    const before = synthInputsHash(root);
    writeFileSync(join(root, 'infra', 'other.ts'), '');
    const added = synthInputsHash(root);
    expect(added).not.toBe(before);
    process.env.CDK_TEST_STARTUP_CACHE = 'x';
    try {
      expect(synthInputsHash(root)).not.toBe(added);
    } finally {
      delete process.env.CDK_TEST_STARTUP_CACHE;
    }
    expect(synthInputsHash(root)).toBe(added);
  });

  it('synthesizes again when the cached file is damaged', async () => {
    let calls = 0;
    const synth = async () => template(++calls);
    await cachedTemplate(synth, { dir, root });
    writeFileSync(join(dir, `template-${synthInputsHash(root)}.json`), '{"Resou');
    expect(await cachedTemplate(synth, { dir, root })).toEqual(template(2));
  });

  it('keys the empty database by the table definition and the DynamoDB Local release', async () => {
    const a = emptyDatabaseFile({ TableName: 't' }, 'dynamodb_local_2026-01-16', dir);
    expect(emptyDatabaseFile({ TableName: 't' }, 'dynamodb_local_2026-01-16', dir)).toBe(a);
    expect(emptyDatabaseFile({ TableName: 'u' }, 'dynamodb_local_2026-01-16', dir)).not.toBe(a);
    expect(emptyDatabaseFile({ TableName: 't' }, 'dynamodb_local_2027-01-01', dir)).not.toBe(a);
    await keepEmptyDatabase(a, async (tmp) => writeFileSync(tmp, 'sqlite'));
    const b = emptyDatabaseFile({ TableName: 'u' }, 'dynamodb_local_2026-01-16', dir);
    await keepEmptyDatabase(b, async (tmp) => writeFileSync(tmp, 'sqlite'));
    expect(readdirSync(dir)).toEqual([b.slice(dir.length + 1)]);
  });

  it('leaves nothing behind when making the empty database fails', async () => {
    const a = emptyDatabaseFile({ TableName: 't' }, 'r', dir);
    await keepEmptyDatabase(a, async (tmp) => {
      writeFileSync(tmp, 'half');
      throw new Error('copy failed');
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('runs a check once per input and installed packages, and never remembers one that failed', () => {
    writeFileSync(join(root, 'package-lock.json'), '{"v":1}');
    const runs: string[] = [];
    const check = (input: string, fail = false) =>
      checkOnce('kind', input, () => {
        runs.push(input);
        if (fail) throw new Error(`${input} is invalid`);
      }, { dir, root });
    check('a');
    check('a');
    check('b');
    expect(runs).toEqual(['a', 'b']);
    expect(() => check('bad', true)).toThrow('bad is invalid');
    expect(() => check('bad', true)).toThrow('bad is invalid');
    // Other packages, another check: checked again.
    writeFileSync(join(root, 'package-lock.json'), '{"v":2}');
    check('a');
    expect(runs).toEqual(['a', 'b', 'bad', 'bad', 'a']);
    // A damaged file only means checking again.
    writeFileSync(join(dir, 'checked.json'), '[1,');
    check('a');
    check('a');
    expect(runs).toEqual(['a', 'b', 'bad', 'bad', 'a', 'a']);
  });
});
