/**
 * A year rehearsed while the local SES answers a fifth of all sends with
 * throttling (429) or unavailable (503): the sender backs off and retries, and
 * every message still goes out exactly once — the emails are those of the
 * model of the year (./expected.ts), count for count, none failed, none left
 * queued, none doubled — and the report counts the retries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rehearse } from '../../../functions/local/rehearsal/rehearse.ts';
import { storedEmails } from '../../../functions/local/runtime-mailbox.ts';
import { expectedYear } from './expected.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a rehearsal with SES faults', () => {
  it('sends every message exactly once after backoff, and reports the retries', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'inkoop-ses-faults-'));
    dirs.push(dataDir);
    const result = await rehearse({
      calendar: 'msr-2021',
      providers: 25,
      seed: 'faults',
      dataDir,
      mode: 'fast',
      progress: 'none',
      stream: process.stderr,
      runtime: { sesFaults: 0.2 },
    });
    const report = result.report!;
    const expected = expectedYear(result.calendar, result.population);
    expect(report.emails.byTemplate).toEqual(expected.emails);
    expect(report.applications.byState).toEqual(expected.states);
    expect(report.emails).toMatchObject({ failed: 0, queued: 0, unmatched: 0 });
    // Once each: as many emails in the mailbox as messages sent, no SES message id twice.
    const ids = storedEmails().map((e) => e.messageId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(report.emails.total);
    // About a fifth of the sends were refused and retried.
    const { sesRetries } = report;
    expect(sesRetries!.total).toBe(sesRetries!.throttled + sesRetries!.unavailable);
    expect(sesRetries!.total).toBeGreaterThan(report.emails.total * 0.1);
    expect(sesRetries!.throttled).toBeGreaterThan(0);
    expect(sesRetries!.unavailable).toBeGreaterThan(0);
  }, 900_000);
});
