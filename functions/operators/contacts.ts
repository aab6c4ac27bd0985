/**
 * Purchasers' side of reachability (functions/delivery/reachability.ts): the
 * "Niet bereikbaar" queue, and correcting a contact's address, which re-sends
 * the email that reached nobody to the new address, once. The contact is named
 * by its id or its current address; the address goes in the body, never in a
 * URL (API Gateway logs paths).
 */
import { z } from 'zod';
import { NotFoundError } from '../commons/errors.ts';
import { logger } from '../commons/logger.ts';
import { createReachability } from '../delivery/reachability.ts';
import { emailAddress } from '../domain/model.ts';
import type { OperatorDeps } from './deps.ts';
import type { ContactCorrectionResult, UnreachableView } from './views.ts';

export const correctContactSchema = z.object({
  /** The contact's id (`c-…`, see `inkoop provider`) or its current address. */
  contact: z.string().trim().min(1, 'the contact: its id or its current address'),
  /** Held to RFC 5321 like every address that enters (the domain's `emailAddress`). */
  email: z.string().trim().min(1, 'the new address').pipe(emailAddress),
  reason: z.string().trim().min(1, 'why the address changes (who told you, when)').max(1000),
});
export type CorrectContactInput = z.infer<typeof correctContactSchema>;

export const unreachableQueue = async (deps: Pick<OperatorDeps, 'store'>): Promise<UnreachableView> => deps.store.listUnreachable();

export async function correctContact(deps: Pick<OperatorDeps, 'store' | 'clock'>, agb: string, raw: CorrectContactInput, by: string): Promise<ContactCorrectionResult> {
  const input = correctContactSchema.parse(raw);
  const provider = await deps.store.getProvider(agb);
  if (!provider) throw new NotFoundError(`No provider ${agb}`);
  const wanted = input.contact.toLowerCase();
  const contact = provider.contacts.find((c) => c.id === input.contact || c.email.toLowerCase() === wanted);
  if (!contact) throw new NotFoundError(`Provider ${agb} has no contact ${input.contact} (see inkoop provider ${agb})`);
  const reachability = createReachability({ store: deps.store, clock: deps.clock, logger });
  return reachability.correctAddress({ agb, contactId: contact.id, email: input.email, reason: input.reason, by });
}
