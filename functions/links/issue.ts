/**
 * Issues a provider link: signs a token, stores its record (the hash only) and
 * supersedes the older link for the same cycle, provider and action, in one
 * transaction. The email sender issues links at send time, so only an email that
 * actually goes out carries a link, and the newest email's link is the one that
 * works: it `prepare`s the links of a batch and writes their records together
 * with the claims of their messages (store/messages.ts `claimMessages`).
 * The token itself lives only in the returned URL: never log it.
 */
import type { Clock } from '../commons/clock.ts';
import type { LinkKeyProvider } from './keys.ts';
import { newTokenRecord, type TokenRecord } from '../domain/tokens.ts';
import { issueToken } from './token.ts';
import type { LinkAction } from '../domain/tokens.ts';

export interface TokenRecordStore {
  putTokenRecord(record: TokenRecord): Promise<unknown>;
}

export interface LinkIssuerDeps {
  store: TokenRecordStore;
  keys: LinkKeyProvider;
  /** Where the provider pages are served, without a trailing slash, e.g. `https://links.example.nl`. */
  baseUrl: string;
  clock: Clock;
}

export interface IssueLinkInput {
  cycleId: string;
  agb: string;
  action: LinkAction;
  /** The contact the email goes to; signing checks it against the signatory. */
  contactId: string;
  /** Epoch ms: the last valid instant, the end of the deadline day (Europe/Amsterdam). */
  expiresAt: number;
}

/** A signed link whose record is not stored yet. */
export interface PreparedLink {
  url: string;
  record: TokenRecord;
}

export interface LinkIssuer {
  /** The absolute link `${baseUrl}/l/<token>`. */
  issue(input: IssueLinkInput): Promise<string>;
  /**
   * Signs a link without storing it. The link works only once the caller has
   * stored `record` (store/tokens.ts), which it must do before the URL leaves.
   */
  prepare(input: IssueLinkInput): Promise<PreparedLink>;
}

export const linkPath = (token: string): string => `/l/${token}`;
/** The public registration form of a cycle (no token: anyone may ask to register). */
export const registrationFormPath = (cycleId: string): string => `/aanmelden/${encodeURIComponent(cycleId)}`;

export const trimBaseUrl = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

export function createLinkIssuer(deps: LinkIssuerDeps): LinkIssuer {
  const baseUrl = trimBaseUrl(deps.baseUrl);
  async function prepare(input: IssueLinkInput): Promise<PreparedLink> {
    const key = await deps.keys.getKey();
    const { token, hash, claims } = issueToken(key, input);
    return { url: `${baseUrl}${linkPath(token)}`, record: newTokenRecord(hash, claims, deps.clock.now()) };
  }
  return {
    prepare,
    async issue(input) {
      const { url, record } = await prepare(input);
      await deps.store.putTokenRecord(record);
      return url;
    },
  };
}
