/**
 * What a simulated provider reads in its mailbox: the emails aws-ses-v2-local
 * received (in-process: the same store its mailbox page shows), each read once,
 * with the links in its text body. A link's token starts with a readable part
 * (what the link is for, for whom, until when), as anyone holding the URL can
 * see; the signature after the dot is what makes it valid, and only the server
 * checks that.
 */
import type { LinkAction } from '../../domain/tokens.ts';
import { storedEmails } from '../runtime-mailbox.ts';
import type { StoredEmail } from '../ses-local.ts';

export interface MailLink {
  url: string;
  cycleId: string;
  agb: string;
  action: LinkAction;
  contactId: string;
  /** Epoch ms: the link's last valid instant. */
  expiresAt: number;
}

export interface ReceivedEmail {
  /** Position in the mailbox (arrival order). */
  seq: number;
  /** Virtual arrival time, when the runtime stamped it. */
  receivedAt?: number;
  messageId: string;
  to: string[];
  subject: string;
  links: MailLink[];
}

const LINK = /https?:\/\/[^\s<>"')\]]+\/l\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)/g;

/** The readable part of a link token, or undefined for anything that is not one. */
export function readLinkToken(token: string): Omit<MailLink, 'url'> | undefined {
  const [payload] = token.split('.');
  try {
    const p = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof p.c !== 'string' || typeof p.a !== 'string' || typeof p.x !== 'string' || typeof p.p !== 'string' || typeof p.e !== 'number') return undefined;
    return { cycleId: p.c, agb: p.a, action: p.x as LinkAction, contactId: p.p, expiresAt: p.e };
  } catch {
    return undefined;
  }
}

/** The action links in an email's text body. */
export function linksIn(text: string | undefined): MailLink[] {
  const links: MailLink[] = [];
  for (const m of (text ?? '').matchAll(LINK)) {
    const claims = readLinkToken(m[1]);
    if (claims) links.push({ url: m[0], ...claims });
  }
  return links;
}

/** Reads the mailbox from where it left off. */
export class MailReader {
  private offset = 0;

  constructor(private readonly arrival: (index: number) => number | undefined = () => undefined) {}

  /** Emails that arrived since the last call. */
  next(): ReceivedEmail[] {
    const emails = storedEmails();
    const fresh = emails.slice(this.offset);
    const start = this.offset;
    this.offset = emails.length;
    return fresh.map((e: StoredEmail, i) => ({
      seq: start + i,
      receivedAt: this.arrival(start + i),
      messageId: e.messageId,
      to: e.destination.to,
      subject: e.subject,
      links: linksIn(e.body.text),
    }));
  }
}
