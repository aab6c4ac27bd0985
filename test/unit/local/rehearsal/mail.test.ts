import { describe, expect, it } from 'vitest';
import { issueToken } from '../../../../functions/links/token.ts';
import { linksIn, readLinkToken } from '../../../../functions/local/rehearsal/mail.ts';

const key = new Uint8Array(32).fill(7);

describe('links in emails', () => {
  it('finds the provider links in a text body and reads what each is for', () => {
    const a = issueToken(key, { cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal', contactId: 'c-1', expiresAt: 1_600_000_000_000, issuedAt: 1_590_000_000_000, version: 2 });
    const b = issueToken(key, { cycleId: 'msr-2021', agb: '12345678', action: 'sign-agreement', contactId: 'c-2', expiresAt: 1_700_000_000_000, issuedAt: 1_590_000_000_000, version: 5 });
    const text = `Beste,\n\nDien uw voorstel in: http://127.0.0.1:4100/l/${a.token}\nOf teken: http://127.0.0.1:4100/l/${b.token}.\nZie ook https://www.example.nl/beleid.`;
    expect(linksIn(text)).toEqual([
      { url: `http://127.0.0.1:4100/l/${a.token}`, cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal', contactId: 'c-1', expiresAt: 1_600_000_000_000 },
      { url: `http://127.0.0.1:4100/l/${b.token}`, cycleId: 'msr-2021', agb: '12345678', action: 'sign-agreement', contactId: 'c-2', expiresAt: 1_700_000_000_000 },
    ]);
    expect(linksIn(undefined)).toEqual([]);
    expect(readLinkToken('not-a-token.x')).toBeUndefined();
  });
});
