/** Provider rules: contact ids, the signatory, and who is invited to a cycle. */
import { createHash } from 'node:crypto';
import type { Application, Contact, Cycle, Provider, Recipient } from './model.ts';
import type { Track } from './states.ts';

/** A contact's stable id: links and events carry this instead of the email address. */
export const contactIdFor = (email: string): string =>
  `c-${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 16)}`;

/** A contact as an email recipient. */
export const recipientOf = (c: Contact): Recipient => ({ role: c.role, address: c.email, name: c.name, contactId: c.id });

/** The one contact who may sign (the import guarantees there is exactly one). */
export const signatoryOf = (provider: Pick<Provider, 'contacts'>): Contact | undefined =>
  provider.contacts.find((c) => c.role === 'signatory');

/**
 * Whether `signatory` may sign for the application: a signatory on record may; one claimed through the public
 * registration form only once a purchaser confirmed the authority with the eligibility decision.
 */
export const signingAuthorityConfirmed = (signatory: Pick<Contact, 'id' | 'authority'>, application: Pick<Application, 'decision'> | undefined): boolean => {
  if (signatory.authority !== 'claimed') return true;
  const confirmed = application?.decision?.signatoryConfirmed as { contactId?: unknown } | undefined;
  return confirmed?.contactId === signatory.id;
};

export type Invitation =
  | { invite: true; track: Track }
  | { invite: false; reason: 'other-care-type' | 'contract-runs' | 'no-contract' };

/**
 * Whether a provider takes part in a cycle, and on which track:
 * - a contract for the care type that still runs in the cycle's first year: not invited (multi-year);
 * - a contract that ends the year before: invited as an existing contract holder;
 * - otherwise: not invited; it may register itself as a new provider in the window.
 */
export function invitationFor(provider: Pick<Provider, 'careTypes' | 'contracts'>, cycle: Pick<Cycle, 'careType' | 'contract'>): Invitation {
  const code = cycle.careType.code;
  const year = cycle.contract.firstYear;
  if (!provider.careTypes.includes(code)) return { invite: false, reason: 'other-care-type' };
  const contracts = provider.contracts.filter((c) => c.careType === code);
  if (contracts.some((c) => c.firstYear <= year && year <= c.lastYear)) return { invite: false, reason: 'contract-runs' };
  if (contracts.some((c) => c.lastYear === year - 1)) return { invite: true, track: 'existing' };
  return { invite: false, reason: 'no-contract' };
}

/** The fields an import sets; equal content means a re-import changes nothing. */
export type ProviderContent = Omit<Provider, 'createdAt' | 'updatedAt'>;

export const providerContent = (p: ProviderContent): ProviderContent => ({
  agb: p.agb,
  kvk: p.kvk,
  name: p.name,
  careTypes: [...p.careTypes],
  // `authority` kept: a signatory claimed on the public form stays claimed; an import (the insurer's own records) puts it on record.
  contacts: p.contacts.map((c) => ({ id: c.id, name: c.name, email: c.email, role: c.role, ...(c.authority ? { authority: c.authority } : {}) })),
  contracts: p.contracts.map((c) => ({ careType: c.careType, firstYear: c.firstYear, lastYear: c.lastYear })),
});

export const sameContent = (a: ProviderContent, b: ProviderContent): boolean =>
  JSON.stringify(providerContent(a)) === JSON.stringify(providerContent(b));
