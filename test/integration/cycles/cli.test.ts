/**
 * `inkoop cycle …`, `inkoop calendar amend`, `inkoop milestone retry` end to end,
 * on a data folder of their own (each command starts DynamoDB Local on it, as
 * without a running rehearsal). The first and the last command run as child
 * processes, as operators run them; the others run the same program in this
 * process (test/support/cli.ts).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logger } from '../../../functions/commons/logger.ts';
import { REPO_ROOT as root } from '../../../infra/paths.ts';
import { runInkoop, spawnInkoop } from '../../support/cli.ts';

const data = mkdtempSync(join(tmpdir(), 'inkoop-cli-'));
beforeAll(() => logger.setLogLevel('SILENT'));
afterAll(() => {
  logger.setLogLevel('INFO');
  rmSync(data, { recursive: true, force: true });
});

const inkoop = (...args: string[]) => runInkoop('--data', data, ...args);
const spawned = (...args: string[]) => spawnInkoop(['--data', data, ...args], { env: { LOG_LEVEL: 'SILENT' } });

describe('inkoop cycle, calendar amend, milestone retry', { timeout: 300_000 }, () => {
  it('creates a cycle once and lists it', async () => {
    const created = spawned('cycle', 'create', 'msr-2021', '--json');
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toEqual({ created: true, calendarDiffers: false, cycle: { id: 'msr-2021', status: 'planned' }, steps: 15 });

    const again = await inkoop('cycle', 'create', 'msr-2021');
    expect(again.stdout).toBe('Cycle msr-2021 exists (planned); nothing changed.\n');

    const list = JSON.parse((await inkoop('cycle', 'list', '--json')).stdout);
    expect(list).toEqual([
      expect.objectContaining({ id: 'msr-2021', status: 'planned', steps: { total: 15, done: 0 }, next: expect.objectContaining({ stepId: 'policy-publication#notify' }) }),
    ]);

  });

  it('amends with the calendar rules, and refuses a retry or a start that makes no sense', async () => {
    // Without a running rehearsal the clock is the system's, and 2020 is the past (cycles.test.ts):
    // the same calendar eight years on (2020 and 2028 are both leap years) has its dates ahead.
    const future = join(data, 'msr-2029.json');
    writeFileSync(future, readFileSync(join(root, 'workflows', 'calendars', 'msr-2021.json'), 'utf8').replaceAll('2021', '2029').replaceAll('2020', '2028'));
    expect((await inkoop('cycle', 'create', future)).code).toBe(0);
    const tooLate = await inkoop('calendar', 'amend', 'msr-2029', 'contracted-publication', '2028-11-13', '--reason', 'Later');
    expect(tooLate.code).toBe(1);
    expect(tooLate.stderr).toMatch(/too late: Zvw: customers see the contracted providers by 12 November/);
    const amended = await inkoop('calendar', 'amend', 'msr-2029', 'proposal-deadline', '2028-09-22', '--reason', 'De overeenkomst komt later beschikbaar.');
    expect(amended.stderr).toBe('');
    expect(amended.code).toBe(0);
    expect(amended.stdout).toMatch(/^Amended proposal-deadline of msr-2029 \(amendment 1\): date 2028-09-15 → 2028-09-22\n/);
    expect(amended.stdout).toContain('proposal-deadline#deadline: 2028-09-16 00:00 +02:00 → 2028-09-23 00:00 +02:00');

    // The exported running cycle: the amended date, SEQUENCE 1.
    const ics = await inkoop('calendar', 'ics', 'msr-2029', '--cycle');
    expect(ics.code).toBe(0);
    expect(ics.stdout).toContain('METHOD:PUBLISH');
    expect(ics.stdout).toContain('SEQUENCE:1');
    expect(ics.stdout).toContain('DTSTART;TZID=Europe/Amsterdam:20280922T235900');

    const retry = await inkoop('milestone', 'retry', 'msr-2021', 'policy-publication');
    expect(retry.code).toBe(1);
    expect(retry.stderr).toMatch(/^error: Nothing to retry: no failed step of policy-publication in msr-2021/);

    const start = spawned('cycle', 'start', 'msr-2021');
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/No way to start an execution here/);
  });
});
