/**
 * Issues a provider link: signs a token for an action, bound to the version of
 * the application it acts on (single-use actions), and nothing is stored: the
 * link works while the application is still at that version and the action's
 * live deadline has not passed (functions/domain/tokens.ts, ./resolve.ts). The
 * email sender issues links at send time, after it claimed the message and
 * read the application's version, so only an email that actually goes out
 * carries a link. The token itself lives only in the returned URL: never log it.
 */
import type { Clock } from '../commons/clock.ts';
import type { LinkAction } from '../domain/tokens.ts';
import type { LinkKeyProvider } from './keys.ts';
import { issueToken } from './token.ts';

export interface LinkIssuerDeps {
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
  /** The application's current version; required for single-use actions (functions/domain/tokens.ts). */
  version?: number;
}

export interface LinkIssuer {
  /** The absolute link `${baseUrl}/l/<token>`. */
  issue(input: IssueLinkInput): Promise<string>;
}

export const linkPath = (token: string): string => `/l/${token}`;
/** The public registration form of a cycle (no token: anyone may ask to register). */
export const registrationFormPath = (cycleId: string): string => `/aanmelden/${encodeURIComponent(cycleId)}`;

export const trimBaseUrl = (baseUrl: string): string => baseUrl.replace(/\/+$/, '');

export function createLinkIssuer(deps: LinkIssuerDeps): LinkIssuer {
  const baseUrl = trimBaseUrl(deps.baseUrl);
  return {
    async issue(input) {
      const key = await deps.keys.getKey();
      const { token } = issueToken(key, { ...input, issuedAt: deps.clock.now() });
      return `${baseUrl}${linkPath(token)}`;
    },
  };
}
