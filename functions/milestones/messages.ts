/**
 * Outbox messages of milestone work. Each is keyed by (cycle, provider, step,
 * template), so a re-run step finds its messages already queued and adds none.
 *
 * Recipients: an email without an action link goes to every contact of the
 * provider. An email with a link goes to one contact, because the link acts as
 * that contact and a newer link for the same action supersedes the older one:
 * the signatory (the import guarantees one), or for a provider without one
 * (registered through the public form) its first contact — never for signing.
 *
 * Params are checked against the template when queued, so a mistake fails the
 * milestone (and is retried after a fix) instead of failing each email at send
 * time. A link's `actionUrl` is only known at send time; a placeholder stands in
 * for the check.
 */
import type { ProviderAction } from '../calendar/schema.ts';
import { deadlineEnd } from '../calendar/time.ts';
import type { Contact, MessageInput, Provider, Recipient } from '../domain/model.ts';
import { messageKey } from '../domain/messages.ts';
import { signatoryOf } from '../domain/provider.ts';
import { parseParams, type TemplateId, type TemplateParams } from '../email/templates.ts';
import type { StepContext } from './context.ts';

const PLACEHOLDER_URL = 'https://link.invalid/placeholder';

/** The params every provider email has, from the provider and the cycle. */
export function providerBase(ctx: Pick<StepContext, 'cycle'>, provider: Pick<Provider, 'name' | 'agb'>) {
  return {
    providerName: provider.name,
    agb: provider.agb,
    careTypeName: ctx.cycle.careType.name,
    contractYear: ctx.cycle.contract.firstYear,
    contractTermYears: ctx.cycle.contract.termYears as 1 | 2 | 3,
  };
}

export function teamBase(ctx: Pick<StepContext, 'cycle'>) {
  return {
    careTypeName: ctx.cycle.careType.name,
    contractYear: ctx.cycle.contract.firstYear,
    contractTermYears: ctx.cycle.contract.termYears as 1 | 2 | 3,
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type Base = keyof ReturnType<typeof providerBase>;
/** A template's params without the provider base (added here) and, for link emails, without `actionUrl`. */
export type ProviderParamsOf<T extends TemplateId> = DistributiveOmit<TemplateParams<T>, Base | 'actionUrl'> & { actionUrl?: string };

/**
 * Who an action link goes to (see the module comment); undefined when nobody may get it.
 * A contact whose address bounced hard or complained (functions/delivery/) gets nothing:
 * the link goes to the first other contact, except for signing.
 */
export function linkContact(provider: Pick<Provider, 'contacts'>, action: ProviderAction): Contact | undefined {
  const signatory = signatoryOf(provider);
  const reachable = signatory && !signatory.undeliverable ? signatory : undefined;
  return action === 'sign-agreement' ? reachable : (reachable ?? provider.contacts.find((c) => !c.undeliverable));
}

const recipientOf = (c: Contact): Recipient => ({ role: c.role, address: c.email, name: c.name, contactId: c.id });

/** Every reachable contact, once per address. */
function everyContact(provider: Pick<Provider, 'contacts'>): Recipient[] {
  const seen = new Set<string>();
  return provider.contacts.filter((c) => !c.undeliverable && !seen.has(c.email.toLowerCase()) && seen.add(c.email.toLowerCase())).map(recipientOf);
}

function checked(template: TemplateId, params: Record<string, unknown>, hasLink: boolean): void {
  parseParams(template, hasLink ? { ...params, actionUrl: PLACEHOLDER_URL } : params);
}

export interface LinkSpec {
  action: Exclude<ProviderAction, 'request-registration'>;
  /** The last day to act (YYYY-MM-DD): the link expires at its end. */
  until: string;
}

/**
 * A message to a provider for the running step. Undefined when the provider
 * has nobody to send it to (a link email needs its contact).
 */
export function providerMessage<T extends TemplateId>(
  ctx: Pick<StepContext, 'cycle' | 'step'>,
  provider: Provider,
  template: T,
  params: ProviderParamsOf<T>,
  link?: LinkSpec,
): MessageInput | undefined {
  const full = { ...providerBase(ctx, provider), ...(params as Record<string, unknown>) };
  checked(template, full, !!link);
  const key = messageKey({ cycleId: ctx.cycle.id, agb: provider.agb, cause: ctx.step.stepId, template });
  if (!link) {
    const recipients = everyContact(provider);
    return recipients.length ? { key, cycleId: ctx.cycle.id, agb: provider.agb, recipients, template, params: full } : undefined;
  }
  const contact = linkContact(provider, link.action);
  if (!contact) return undefined;
  return {
    key,
    cycleId: ctx.cycle.id,
    agb: provider.agb,
    recipients: [recipientOf(contact)],
    template,
    params: full,
    link: { action: link.action, contactId: contact.id, expiresAt: deadlineEnd(link.until) },
  };
}

/** A message to one of the insurer's teams (one per step and template). */
export function teamMessage<T extends 'eligibility-escalation' | 'signing-escalation' | 'contracted-list-ready'>(
  ctx: Pick<StepContext, 'cycle' | 'step' | 'config'>,
  team: 'purchaser' | 'customer-communication',
  template: T,
  params: DistributiveOmit<TemplateParams<T>, keyof ReturnType<typeof teamBase>>,
): MessageInput {
  const full = { ...teamBase(ctx), ...(params as Record<string, unknown>) };
  checked(template, full, false);
  const address = team === 'purchaser' ? ctx.config.purchasersEmail : ctx.config.customerCommunicationEmail;
  return {
    key: messageKey({ cycleId: ctx.cycle.id, cause: ctx.step.stepId, template }),
    cycleId: ctx.cycle.id,
    recipients: [{ role: team, address }],
    template,
    params: full,
  };
}
