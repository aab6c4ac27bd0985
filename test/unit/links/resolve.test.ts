import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { endOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import { LinkExpiredError, LinkInvalidError, LinkSupersededError, LinkUsedError } from '../../../functions/commons/errors.ts';
import { newTokenRecord, type TokenRecord } from '../../../functions/domain/tokens.ts';
import { resolveLink } from '../../../functions/links/resolve.ts';
import { issueToken } from '../../../functions/links/token.ts';

const key = randomBytes(32);
const expiresAt = endOfDutchDay('2020-09-15');
const issuedAt = Date.parse('2020-09-01T07:00:00Z');

function setup(change: (r: TokenRecord) => TokenRecord = (r) => r) {
  const issued = issueToken(key, { cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal', contactId: 'c-1', expiresAt });
  const records = new Map([[issued.hash, change(newTokenRecord(issued.hash, issued.claims, issuedAt))]]);
  const deps = (now: number) => ({ key, clock: new VirtualClock(now), findRecord: async (h: string) => records.get(h) });
  return { token: issued.token, records, deps };
}

describe('resolveLink', () => {
  const now = Date.parse('2020-09-10T12:00:00Z');

  it('returns claims and record for a good link', async () => {
    const { token, deps } = setup();
    const { claims, record } = await resolveLink(token, deps(now), 'submit-proposal');
    expect(claims.agb).toBe('12345678');
    expect(record.issuedAt).toBe(issuedAt);
  });

  it('refuses forged and unknown links as invalid', async () => {
    const { token, records, deps } = setup();
    const forged = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    await expect(resolveLink(forged, deps(now))).rejects.toBeInstanceOf(LinkInvalidError);
    await expect(resolveLink(token, deps(now), 'withdraw')).rejects.toBeInstanceOf(LinkInvalidError);
    records.clear();
    await expect(resolveLink(token, deps(now))).rejects.toBeInstanceOf(LinkInvalidError);
  });

  it('says used or superseded rather than expired', async () => {
    const used = setup((r) => ({ ...r, usedAt: now }));
    await expect(resolveLink(used.token, used.deps(expiresAt + 1))).rejects.toBeInstanceOf(LinkUsedError);
    const superseded = setup((r) => ({ ...r, supersededBy: 'f'.repeat(64) }));
    await expect(resolveLink(superseded.token, superseded.deps(now))).rejects.toBeInstanceOf(LinkSupersededError);
  });

  it('says expired after the deadline, also when the record is gone', async () => {
    const { token, records, deps } = setup();
    await expect(resolveLink(token, deps(expiresAt + 1))).rejects.toBeInstanceOf(LinkExpiredError);
    records.clear();
    await expect(resolveLink(token, deps(expiresAt + 1))).rejects.toBeInstanceOf(LinkExpiredError);
  });

  it('takes the deadline from the live calendar when it names one: later and earlier than the signed expiry', async () => {
    const { token, deps } = setup();
    const live = (day: string) => (at: number) => ({ ...deps(at), liveExpiry: () => endOfDutchDay(day) });
    const later = await resolveLink(token, live('2020-09-30')(expiresAt + 1));
    expect(later.expiresAt).toBe(endOfDutchDay('2020-09-30'));
    await expect(resolveLink(token, live('2020-09-30')(endOfDutchDay('2020-09-30') + 1))).rejects.toBeInstanceOf(LinkExpiredError);
    await expect(resolveLink(token, live('2020-09-05')(now))).rejects.toBeInstanceOf(LinkExpiredError);
    // No live day: the signed expiry holds.
    await expect(resolveLink(token, { ...deps(expiresAt + 1), liveExpiry: () => undefined })).rejects.toBeInstanceOf(LinkExpiredError);
  });

  it('refuses a record that does not match the token', async () => {
    const { token, deps } = setup((r) => ({ ...r, contactId: 'c-2' }));
    await expect(resolveLink(token, deps(now))).rejects.toBeInstanceOf(LinkInvalidError);
  });

  it('hands the store the verified claims (to read what they name at once, the live deadline too), not those of a forged link', async () => {
    const { token, records } = setup();
    const seen: unknown[] = [];
    const deps = (at: number) => ({
      key,
      clock: new VirtualClock(at),
      findRecord: async (h: string, claims?: unknown) => {
        seen.push(claims);
        return records.get(h);
      },
    });
    await resolveLink(token, deps(now));
    expect(seen).toEqual([expect.objectContaining({ cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal' })]);
    await expect(resolveLink(token, deps(expiresAt + 1))).rejects.toBeInstanceOf(LinkExpiredError);
    expect(seen[1]).toEqual(expect.objectContaining({ cycleId: 'msr-2021' }));
    expect(seen).toHaveLength(2);
    await expect(resolveLink(token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1), deps(now))).rejects.toBeInstanceOf(LinkInvalidError);
    expect(seen).toHaveLength(2);
  });
});
