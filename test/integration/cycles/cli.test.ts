/**
 * `inkoop cycle …`, `inkoop calendar amend`, `inkoop milestone retry` end to end:
 * the CLI as operators run it, on a data folder of its own (DynamoDB Local).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const data = mkdtempSync(join(tmpdir(), 'inkoop-cli-'));
afterAll(() => rmSync(data, { recursive: true, force: true }));

function inkoop(...args: string[]) {
  const result = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'functions', 'cli', 'main.ts'), '--data', data, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`, LOG_LEVEL: 'SILENT' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('inkoop cycle, calendar amend, milestone retry', { timeout: 300_000 }, () => {
  it('creates a cycle once and lists it', () => {
    const created = inkoop('cycle', 'create', 'msr-2021', '--json');
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toEqual({ created: true, calendarDiffers: false, cycle: { id: 'msr-2021', status: 'planned' }, steps: 15 });

    const again = inkoop('cycle', 'create', 'msr-2021');
    expect(again.stdout).toBe('Cycle msr-2021 exists (planned); nothing changed.\n');

    const list = JSON.parse(inkoop('cycle', 'list', '--json').stdout);
    expect(list).toEqual([
      expect.objectContaining({ id: 'msr-2021', status: 'planned', steps: { total: 15, done: 0 }, next: expect.objectContaining({ stepId: 'policy-publication#notify' }) }),
    ]);

  });

  it('amends with the calendar rules, and refuses a retry or a start that makes no sense', () => {
    // Without a running rehearsal the clock is the system's, and 2020 is the past (cycles.test.ts):
    // the same calendar eight years on (2020 and 2028 are both leap years) has its dates ahead.
    const future = join(data, 'msr-2029.json');
    writeFileSync(future, readFileSync(join(root, 'workflows', 'calendars', 'msr-2021.json'), 'utf8').replaceAll('2021', '2029').replaceAll('2020', '2028'));
    expect(inkoop('cycle', 'create', future).code).toBe(0);
    const tooLate = inkoop('calendar', 'amend', 'msr-2029', 'contracted-publication', '2028-11-13', '--reason', 'Later');
    expect(tooLate.code).toBe(1);
    expect(tooLate.stderr).toMatch(/too late: Zvw: customers see the contracted providers by 12 November/);
    const amended = inkoop('calendar', 'amend', 'msr-2029', 'proposal-deadline', '2028-09-22', '--reason', 'De overeenkomst komt later beschikbaar.');
    expect(amended.stderr).toBe('');
    expect(amended.code).toBe(0);
    expect(amended.stdout).toMatch(/^Amended proposal-deadline of msr-2029 \(amendment 1\): date 2028-09-15 → 2028-09-22\n/);
    expect(amended.stdout).toContain('proposal-deadline#deadline: 2028-09-16 00:00 +02:00 → 2028-09-23 00:00 +02:00');

    // The exported running cycle: the amended date, SEQUENCE 1.
    const ics = inkoop('calendar', 'ics', 'msr-2029', '--cycle');
    expect(ics.code).toBe(0);
    expect(ics.stdout).toContain('METHOD:PUBLISH');
    expect(ics.stdout).toContain('SEQUENCE:1');
    expect(ics.stdout).toContain('DTSTART;TZID=Europe/Amsterdam:20280922T235900');

    const retry = inkoop('milestone', 'retry', 'msr-2021', 'policy-publication');
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/^error: Nothing to retry: no failed step of policy-publication in msr-2021/);

    const start = inkoop('cycle', 'start', 'msr-2021');
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/No way to start an execution here/);
  });
});
