import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { endOfDutchDay } from '../../../functions/links/dutch-dates.ts';
import { LinkExpiredError, LinkInvalidError, LinkSupersededError, LinkUsedError } from '../../../functions/commons/errors.ts';
import type { Application } from '../../../functions/domain/model.ts';
import type { LinkClaims } from '../../../functions/domain/tokens.ts';
import { resolveLink } from '../../../functions/links/resolve.ts';
import { issueToken } from '../../../functions/links/token.ts';

const key = randomBytes(32);
const expiresAt = endOfDutchDay('2020-09-15');
const issuedAt = Date.parse('2020-09-01T07:00:00Z');
type AppState = Pick<Application, 'version' | 'lastTransition' | 'updatedAt'>;

function setup(application: AppState | undefined = { version: 4, updatedAt: '2020-09-02T10:00:00.000Z' }) {
  const issued = issueToken(key, { cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal', contactId: 'c-1', expiresAt, issuedAt, version: 4 });
  const state: { application: AppState | undefined } = { application };
  const seen: LinkClaims[] = [];
  const deps = (now: number, liveExpiry?: () => number | undefined) => ({
    key,
    clock: new VirtualClock(now),
    read: async (claims: LinkClaims) => {
      seen.push(claims);
      return state;
    },
    applicationOf: (reads: typeof state) => reads.application,
    ...(liveExpiry ? { liveExpiry } : {}),
  });
  return { token: issued.token, state, seen, deps };
}

describe('resolveLink', () => {
  const now = Date.parse('2020-09-10T12:00:00Z');

  it('returns the claims and what was read for a good link', async () => {
    const { token, deps } = setup();
    const { claims, reads, expiresAt: until } = await resolveLink(token, deps(now), 'submit-proposal');
    expect(claims).toMatchObject({ agb: '12345678', version: 4, issuedAt });
    expect(reads.application?.version).toBe(4);
    expect(until).toBe(expiresAt);
  });

  it('refuses forged links and links for another action as invalid, before reading anything', async () => {
    const { token, seen, deps } = setup();
    const forged = token.slice(0, -2) + (token.at(-2) === 'A' ? 'B' : 'A') + token.at(-1);
    await expect(resolveLink(forged, deps(now))).rejects.toBeInstanceOf(LinkInvalidError);
    await expect(resolveLink(token, deps(now), 'withdraw')).rejects.toBeInstanceOf(LinkInvalidError);
    expect(seen).toHaveLength(0);
  });

  it('says used (its own action moved the application) or superseded (anything else did) rather than expired', async () => {
    const used = setup({ version: 5, updatedAt: '2020-09-09T10:00:00.000Z', lastTransition: { version: 5, from: 'invited', trigger: { kind: 'provider', action: 'submit-proposal' } } });
    await expect(resolveLink(used.token, used.deps(expiresAt + 1))).rejects.toBeInstanceOf(LinkUsedError);
    const moved = setup({ version: 5, updatedAt: '2020-09-09T10:00:00.000Z', lastTransition: { version: 5, from: 'invited', trigger: { kind: 'provider', action: 'withdraw' } } });
    await expect(resolveLink(moved.token, moved.deps(now))).rejects.toBeInstanceOf(LinkSupersededError);
    const gone = setup();
    gone.state.application = undefined;
    await expect(resolveLink(gone.token, gone.deps(now))).rejects.toBeInstanceOf(LinkSupersededError);
  });

  it('takes the deadline from the live calendar when it names one: later and earlier than the signed expiry', async () => {
    const { token, deps } = setup();
    const later = await resolveLink(token, deps(expiresAt + 1, () => endOfDutchDay('2020-09-30')));
    expect(later.expiresAt).toBe(endOfDutchDay('2020-09-30'));
    await expect(resolveLink(token, deps(endOfDutchDay('2020-09-30') + 1, () => endOfDutchDay('2020-09-30')))).rejects.toBeInstanceOf(LinkExpiredError);
    await expect(resolveLink(token, deps(now, () => endOfDutchDay('2020-09-05')))).rejects.toBeInstanceOf(LinkExpiredError);
    // No live day: the signed expiry holds.
    await expect(resolveLink(token, deps(expiresAt + 1, () => undefined))).rejects.toBeInstanceOf(LinkExpiredError);
  });

  it('hands the reader the verified claims, to read what they name at once', async () => {
    const { token, seen, deps } = setup();
    await resolveLink(token, deps(now));
    expect(seen).toEqual([expect.objectContaining({ cycleId: 'msr-2021', agb: '12345678', action: 'submit-proposal', version: 4 })]);
  });
});
