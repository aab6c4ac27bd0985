import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { createLinkIssuer, registrationFormPath } from '../../../functions/links/issue.ts';
import { verifyToken } from '../../../functions/links/token.ts';

const KEY = new Uint8Array(32).fill(5);
const clock = new VirtualClock('2020-06-01T08:00:00Z');
const input = { cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal' as const, contactId: 'c-1', expiresAt: Date.parse('2020-09-15T21:59:59.999Z'), version: 4 };

describe('createLinkIssuer', () => {
  it('returns `${baseUrl}/l/<token>`, signed with the claims, the application version and the time of issue', async () => {
    const issuer = createLinkIssuer({ keys: { getKey: async () => KEY }, baseUrl: 'https://links.example.nl/', clock });
    const url = await issuer.issue(input);
    const token = url.replace('https://links.example.nl/l/', '');
    expect(url.startsWith('https://links.example.nl/l/')).toBe(true);
    expect(verifyToken(KEY, token, clock)).toMatchObject({ ...input, issuedAt: clock.now() });
  });

  it('two links for the same claims differ (nonce)', async () => {
    const issuer = createLinkIssuer({ keys: { getKey: async () => KEY }, baseUrl: 'https://x.nl', clock });
    expect(await issuer.issue(input)).not.toBe(await issuer.issue(input));
  });

  it('no key, no link', async () => {
    const issuer = createLinkIssuer({ keys: { getKey: () => Promise.reject(new Error('secret unavailable')) }, baseUrl: 'https://x.nl', clock });
    await expect(issuer.issue(input)).rejects.toThrow('secret unavailable');
  });

  it('the public registration form has a plain path', () => {
    expect(registrationFormPath('msr-2021')).toBe('/aanmelden/msr-2021');
  });
});
