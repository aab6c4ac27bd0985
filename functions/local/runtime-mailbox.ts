/**
 * The local mailbox: aws-ses-v2-local's store, read in-process (it is the same
 * module-level store its page at `/` and `GET /store` show), and kept in
 * `<data>/mailbox.jsonl` so a resumed rehearsal still has the emails (and the
 * links in them) sent before it stopped.
 *
 * Each email is stamped with the virtual time it arrived (the store only knows
 * the real time): the runtime stamps new emails right after every send.
 *
 * The file is append-only, one email per line (`{ receivedAt, email }`), synced
 * to disk at every checkpoint (./runtime-checkpoint.ts). A checkpoint says how
 * many of its lines it had; lines after those (emails sent after it, which the
 * resumed runtime sends again, and a line cut short by a crash) are cut off
 * when it is restored.
 */
import { createRequire } from 'node:module';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, rmSync, truncateSync, writeSync } from 'node:fs';
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

  /**
   * Puts the first `limit` emails of the file (all without a limit) back into the
   * (empty) SES store and cuts the file after them; returns how many.
   */
  restore(limit = Infinity): number {
    if (!existsSync(this.path)) return 0;
    const buffer = readFileSync(this.path);
    let restored = 0;
    let offset = 0;
    while (restored < limit) {
      const end = buffer.indexOf(0x0a, offset);
      if (end < 0) break; // a line cut short by a crash
      const line = buffer.subarray(offset, end).toString('utf8');
      let entry: { receivedAt: number; email: StoredEmail };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        break;
      }
      sesStore.saveEmail(entry.email);
      this.arrivals.push(entry.receivedAt);
      restored++;
      offset = end + 1;
    }
    if (restored < limit && Number.isFinite(limit)) {
      throw new Error(`${this.path} holds ${restored} whole emails, fewer than the ${limit} its checkpoint counted`);
    }
    if (offset < buffer.length) truncateSync(this.path, offset);
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

  /** Appends the emails stored since the last flush and syncs the file; returns how many the file holds. */
  flush(): number {
    const emails = storedEmails();
    if (emails.length > this.persisted) {
      const lines = emails.slice(this.persisted).map((email, i) => JSON.stringify({ receivedAt: this.arrivals[this.persisted + i] ?? null, email }));
      const fd = openSync(this.path, 'a', 0o600);
      try {
        writeSync(fd, `${lines.join('\n')}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      this.persisted = emails.length;
    }
    return this.persisted;
  }

  reset(): void {
    rmSync(this.path, { force: true });
    this.persisted = storedEmails().length;
  }
}
