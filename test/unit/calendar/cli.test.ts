/**
 * `inkoop calendar ...`: exit codes and output streams. The first tests spawn
 * the CLI as operators run it (a child process: its real exit status and
 * streams); the rest run the same program in this process (test/support/cli.ts).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calendarWith, validCalendar } from '../../support/calendar-factory.ts';
import { runInkoop as inkoop, spawnInkoop } from '../../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'inkoop-calendar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

describe('inkoop calendar, as a child process', { timeout: 120_000 }, () => {
  it('validate: a valid file prints OK and a summary, exit 0', () => {
    const { code, stdout, stderr } = spawnInkoop(['calendar', 'validate', file('good.json', validCalendar())]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^OK .*good\.json\ntest-2021: Testzorg \(zvw\), contract from 2021 for 1 year\n5 milestones from 2020-04-01 to 2020-12-31, 12 timeline steps/);
    expect(stderr).toBe('');
  });

  it('validate: an invalid file names the file and path on stderr, exit 1, nothing on stdout', () => {
    const bad = file('bad.json', calendarWith((c) => (c.milestones[1].closes = '2020-04-30')));
    const { code, stdout, stderr } = spawnInkoop(['calendar', 'validate', bad]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`error: calendar ${bad} is not valid (1 problem)`);
    expect(stderr).toContain(`${bad}: milestones[1].closes: the window closes before it opens (expected on or after 2020-05-01, found 2020-04-30)`);
  });
});

describe('inkoop calendar', { timeout: 30_000 }, () => {

  it('validate: invalid JSON is reported with its line and column', async () => {
    const { code, stderr } = await inkoop('calendar', 'validate', file('broken.json', '{\n  "id": "x",\n}'));
    expect(code).toBe(1);
    expect(stderr).toContain('(file): invalid JSON at line 3, column 1');
  });

  it('validate: a directory exits 1 with a clear message, no stack trace', async () => {
    const folder = join(dir, 'folder.json');
    mkdirSync(folder, { recursive: true });
    const { code, stdout, stderr } = await inkoop('calendar', 'validate', folder);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: calendar ${folder} is not valid (1 problem)\n  ${folder}: (file): is a directory, not a calendar file (expected a calendar file (.json), found a directory)\n`);
  });

  it('validate --json: the result as JSON on stdout; problems as JSON on stderr, exit 1', async () => {
    const good = await inkoop('calendar', 'validate', file('good.json', validCalendar()), '--json');
    expect(good.code).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, id: 'test-2021', milestones: 5 });
    const bad = file('bad-json.json', calendarWith((c) => (c.milestones[1].closes = '2020-04-30')));
    const { code, stdout, stderr } = await inkoop('calendar', 'validate', bad, '--json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(JSON.parse(stderr)).toEqual({
      error: {
        code: 'ValidationError',
        message: `calendar ${bad} is not valid (1 problem)`,
        exitCode: 1,
        issues: [{ source: bad, path: 'milestones[1].closes', message: 'the window closes before it opens', expected: 'on or after 2020-05-01', found: '2020-04-30' }],
      },
    });
    // Also an error that is not about the file's content.
    const missing = await inkoop('calendar', 'validate', join(dir, 'nothing.json'), '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stderr).error).toMatchObject({ code: 'NotFound', exitCode: 1 });
  });

  it('validate: thousands of problems print the first 50 and how many more, also as JSON', async () => {
    const many = file('many.json', calendarWith((c) => (c.milestones = Array.from({ length: 3000 }, (_, i) => ({ id: `m${i}`, kind: 'x', title: 't', date: '2020-05-01', audience: ['purchasers'] })))));
    const { code, stderr } = await inkoop('calendar', 'validate', many);
    expect(code).toBe(1);
    const lines = stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1 + 50 + 1);
    expect(lines[0]).toBe(`error: calendar ${many} is not valid (3000 problems)`);
    expect(lines.at(-1)).toBe('  … and 2950 more problems (3000 in all)');
    expect(stderr.length).toBeLessThan(40_000);
    const json = JSON.parse((await inkoop('calendar', 'validate', many, '--json')).stderr).error;
    expect(json.issues).toHaveLength(50);
    expect(json.moreIssues).toBe(2950);
  });

  it('validate: a missing file exits 1', async () => {
    const { code, stderr } = await inkoop('calendar', 'validate', join(dir, 'nothing.json'));
    expect(code).toBe(1);
    expect(stderr).toMatch(/no such file/);
  });

  it('show: prints the timeline of a seed calendar by id, in order, with local and UTC times', async () => {
    const { code, stdout } = await inkoop('calendar', 'show', 'msr-2021');
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2} {2}/.test(line));
    expect(rows).toHaveLength(15);
    expect(rows[0]).toMatch(/^2020-04-01 +2020-04-01 09:00 \+02:00 +2020-04-01T07:00:00\.000Z +notify +policy-publication#notify +Publicatie inkoopbeleid$/);
    expect(rows.at(-1)).toMatch(/^2020-12-31 +2021-01-01 00:00 \+01:00 +2020-12-31T23:00:00\.000Z +deadline +signing-deadline#deadline/);
  });

  it('show --json: prints the timeline steps', async () => {
    const { code, stdout } = await inkoop('calendar', 'show', 'wlz-2021', '--json');
    expect(code).toBe(0);
    const steps = JSON.parse(stdout);
    expect(steps[0]).toEqual({ stepId: 'policy-publication#notify', milestoneId: 'policy-publication', kind: 'policy-publication', phase: 'notify', localDate: '2020-05-28', at: '2020-05-28T07:00:00.000Z' });
    expect(steps.map((s: { stepId: string }) => s.stepId)).toContain('agreements-final#deadline');
  });

  it('ics: writes an iCalendar file with -o', async () => {
    const out = join(dir, 'zvt.ics');
    const { code, stdout } = await inkoop('calendar', 'ics', 'zvt-2021', '-o', out);
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote 6 events to ${out}\n`);
    const ics = readFileSync(out, 'utf8');
    expect(ics).toMatch(/^BEGIN:VCALENDAR/);
    expect(ics).toContain('UID:zvt-2021-signing-deadline@inkoopkalender');
    expect(ics).toContain('DTSTART;TZID=Europe/Amsterdam:20201231T235900');
  });
});
