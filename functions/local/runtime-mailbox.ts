/**
 * The local mailbox: aws-ses-v2-local's store, read in-process (it is the same
 * module-level store its page at `/` and `GET /store` show), and kept in
 * `<data>/mailbox.jsonl` so a resumed rehearsal still has the emails (and the
 * links in them) sent before it stopped.
 *
 * Each email is stamped with the virtual time it arrived (the store only knows
 * the real time): the runtime stamps new emails right after every send.
 *
 * The file is append-only, one email per line (`{ receivedAt, email }`); a line
 * cut short by a crash is skipped when it is read back.
 */
import { createRequire } from 'node:module';
import { appendFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEmail } from './ses-local.ts';

export const MAILBOX_FILE = 'mailbox.jsonl';

interface SesStoreModule {
  saveEmail(email: StoredEmail): void;
  getStoreReadonly(): { emails: StoredEmail[] };
}

// The same CommonJS module instance the server uses (one require cache per process).
const sesStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as SesStoreModule;

/** Every email aws-ses-v2-local holds in this process, oldest first (read-only: do not modify). */
export function storedEmails(): readonly StoredEmail[] {
  return sesStore.getStoreReadonly().emails;
}

export class MailboxFile {
  private persisted = 0;
  /** Virtual arrival time of each stored email, by position. */
  private readonly arrivals: number[] = [];
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, MAILBOX_FILE);
  }

  /** Puts the emails of the file back into the (empty) SES store; returns how many. */
  restore(): number {
    if (!existsSync(this.path)) return 0;
    let restored = 0;
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      let entry: { receivedAt: number; email: StoredEmail };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // a line cut short by a crash
      }
      sesStore.saveEmail(entry.email);
      this.arrivals.push(entry.receivedAt);
      restored++;
    }
    this.persisted = storedEmails().length;
    return restored;
  }

  /** Stamps the emails that arrived since the last stamp with `now` (virtual). */
  stamp(now: number): void {
    const count = storedEmails().length;
    while (this.arrivals.length < count) this.arrivals.push(now);
  }

  /** When the email at `index` arrived (virtual epoch ms), if stamped. */
  receivedAt(index: number): number | undefined {
    return this.arrivals[index];
  }

  /** Appends the emails stored since the last flush. */
  flush(): void {
    const emails = storedEmails();
    if (emails.length <= this.persisted) return;
    const lines = emails.slice(this.persisted).map((email, i) => JSON.stringify({ receivedAt: this.arrivals[this.persisted + i] ?? null, email }));
    appendFileSync(this.path, `${lines.join('\n')}\n`, { mode: 0o600 });
    this.persisted = emails.length;
  }

  reset(): void {
    rmSync(this.path, { force: true });
    this.persisted = storedEmails().length;
  }
}
