import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MailboxFile, storedEmails } from '../../../functions/local/runtime-mailbox.ts';
import type { StoredEmail } from '../../../functions/local/ses-local.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  (storedEmails() as StoredEmail[]).length = 0; // the process-wide SES store
});

const email = (i: number): StoredEmail => ({
  messageId: `m${i}`,
  from: 'a@b.example',
  replyTo: [],
  destination: { to: [`p${i}@x.example`], cc: [], bcc: [] },
  subject: `s${i}`,
  body: { text: 't' },
  attachments: [],
  at: 0,
});
const line = (i: number): string => `${JSON.stringify({ receivedAt: i, email: email(i) })}\n`;

describe('the mailbox file', () => {
  it('is restored up to its checkpoint: emails after it (sent again on resume) and a line cut short are cut off', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkoop-mailbox-'));
    dirs.push(dir);
    const file = join(dir, 'mailbox.jsonl');
    writeFileSync(file, line(1) + line(2) + line(3) + line(4).slice(0, 20));
    const mailbox = new MailboxFile(dir);
    expect(mailbox.restore(2)).toBe(2);
    expect(storedEmails().map((e) => e.messageId)).toEqual(['m1', 'm2']);
    expect(readFileSync(file, 'utf8')).toBe(line(1) + line(2));
    expect(mailbox.receivedAt(1)).toBe(2);
  });

  it('refuses a file with fewer whole emails than its checkpoint counted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'inkoop-mailbox-'));
    dirs.push(dir);
    appendFileSync(join(dir, 'mailbox.jsonl'), line(1));
    expect(() => new MailboxFile(dir).restore(2)).toThrow(/holds 1 whole emails, fewer than the 2 its checkpoint counted/);
  });
});
