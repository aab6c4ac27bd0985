import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createLinkIssuer, registrationFormPath } from '../../../functions/links/issue.ts';
import type { TokenRecord } from '../../../functions/domain/tokens.ts';
import { hashToken, verifyToken } from '../../../functions/links/token.ts';

const KEY = new Uint8Array(32).fill(5);
const clock = new VirtualClock('2020-06-01T08:00:00Z');
const input = { cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal' as const, contactId: 'c-1', expiresAt: Date.parse('2020-09-15T21:59:59.999Z') };

describe('createLinkIssuer', () => {
  it('returns `${baseUrl}/l/<token>` and stores the record under the hash only', async () => {
    const stored: TokenRecord[] = [];
    const issuer = createLinkIssuer({ store: { putTokenRecord: async (r) => void stored.push(r) }, keys: { getKey: async () => KEY }, baseUrl: 'https://links.example.nl/', clock });
    const url = await issuer.issue(input);
    const token = url.replace('https://links.example.nl/l/', '');
    expect(url.startsWith('https://links.example.nl/l/')).toBe(true);
    expect(verifyToken(KEY, token, clock)).toMatchObject(input);
    expect(stored).toEqual([{ hash: hashToken(token), ...input, issuedAt: clock.now() }]);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it('two links for the same claims differ (nonce)', async () => {
    const issuer = createLinkIssuer({ store: { putTokenRecord: async () => {} }, keys: { getKey: async () => KEY }, baseUrl: 'https://x.nl', clock });
    expect(await issuer.issue(input)).not.toBe(await issuer.issue(input));
  });

  it('a failed store write issues no link', async () => {
    const issuer = createLinkIssuer({ store: { putTokenRecord: () => Promise.reject(new Error('throttled')) }, keys: { getKey: async () => KEY }, baseUrl: 'https://x.nl', clock });
    await expect(issuer.issue(input)).rejects.toThrow('throttled');
  });

  it('prepare signs a link and stores nothing: its record is the caller\'s to store', async () => {
    const stored: TokenRecord[] = [];
    const issuer = createLinkIssuer({ store: { putTokenRecord: async (r) => void stored.push(r) }, keys: { getKey: async () => KEY }, baseUrl: 'https://x.nl', clock });
    const { url, record } = await issuer.prepare(input);
    const token = url.replace('https://x.nl/l/', '');
    expect(record).toEqual({ hash: hashToken(token), ...input, issuedAt: clock.now() });
    expect(stored).toEqual([]);
  });

  it('the public registration form has a plain path', () => {
    expect(registrationFormPath('msr-2021')).toBe('/aanmelden/msr-2021');
  });
});
