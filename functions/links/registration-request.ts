/**
 * The public registration request: `/aanmelden/<cycleId>`, the contact form a
 * new provider uses in the registration window. No token: anyone may ask. So
 * it never changes what we know about an existing provider (a stranger must
 * not redirect someone else's mail), and asking again for the same AGB code
 * creates nothing new and sends no second email: the provider, the application
 * and the message (one idempotency key per cycle and AGB code) are each
 * created at most once.
 */
import type { Clock } from '../commons/clock.ts';
import { ConflictError, NotFoundError } from '../commons/errors.ts';
import { messageKey } from '../domain/messages.ts';
import type { Contact, Cycle, Provider, Step } from '../domain/model.ts';
import { contactIdFor, signatoryOf } from '../domain/provider.ts';
import { triggers } from '../domain/transitions.ts';
import { parseForm } from '../http/form.ts';
import type { RouteRequest } from '../http/router.ts';
import { seeOther, type HttpResult } from '../http/types.ts';
import { providerParams } from './actions.ts';
import type { LinksStore } from './ports.ts';
import { requestRegistrationFields, requestRegistrationSchema, validateForm, type RequestRegistrationForm } from './forms.ts';
import { registrationFormPath } from './issue.ts';
import { assertRegistrationOpen } from './rules.ts';
import { linkExpiry, registrationWindow, type RegistrationWindow } from './schedule.ts';
import { AGB_CODE } from '../domain/tokens.ts';
import { registrationRequestedPage, registrationRequestPage } from './views.ts';

export interface RegistrationRequestDeps {
  store: LinksStore;
  clock: Clock;
  basePath: string;
  maxBodyBytes: number;
}

interface Open {
  cycle: Cycle;
  steps: readonly Step[];
  window: RegistrationWindow;
  /** With `agb`: the provider as read with the cycle (null: we do not know it). */
  read?: { agb: string; provider: Provider | null };
}

/**
 * The cycle and its window, or the page that says when it opens or that it closed.
 * One read request (the steps are cached in process), with the provider when `agb` is given.
 */
async function openCycle(deps: RegistrationRequestDeps, cycleId: string, agb?: string): Promise<Open> {
  const { cycle, steps, provider } = await deps.store.getPageReads(cycleId, { agb });
  const window = cycle ? registrationWindow(steps) : undefined;
  // No such cycle, or one without a registration window (e.g. only existing contract holders).
  if (!cycle || !window) throw new NotFoundError('no registration for this cycle');
  assertRegistrationOpen(window, deps.clock.now());
  return { cycle, steps, window, ...(agb === undefined ? {} : { read: { agb, provider: provider ?? null } }) };
}

const fieldsOf = (cycle: Cycle) => requestRegistrationFields([{ code: cycle.careType.code, name: cycle.careType.name }]);

export async function showRegistrationRequest(deps: RegistrationRequestDeps, { params }: RouteRequest): Promise<HttpResult> {
  const { cycle, window } = await openCycle(deps, params.cycleId);
  // One care type per cycle: ticked already.
  return registrationRequestPage({ cycle, window, fields: fieldsOf(cycle), values: { careTypes: [cycle.careType.code] } });
}

export async function showRegistrationRequested(deps: RegistrationRequestDeps, { params }: RouteRequest): Promise<HttpResult> {
  const { cycle, steps } = await deps.store.getPageReads(params.cycleId);
  const window = cycle ? registrationWindow(steps) : undefined;
  if (!cycle || !window) throw new NotFoundError('no registration for this cycle');
  return registrationRequestedPage(cycle, window);
}

export async function handleRegistrationRequest(deps: RegistrationRequestDeps, { params, event }: RouteRequest): Promise<HttpResult> {
  // The form first, for the AGB code: the provider is read with the cycle. Its refusals
  // (413, 415) still come after the cycle's (404, 403, 410).
  const parsed = await parseForm(event, { maxBodyBytes: Math.min(deps.maxBodyBytes, 64 * 1024) }).then(
    (form) => ({ form }),
    (error: unknown) => ({ error }),
  );
  const agb = 'form' in parsed ? parsed.form.fields.agb?.[0]?.replace(/[\s.]/g, '') : undefined;
  const open = await openCycle(deps, params.cycleId, agb && AGB_CODE.test(agb) ? agb : undefined);
  if ('error' in parsed) throw parsed.error;
  const { form } = parsed;
  const { cycle, window } = open;
  const result = validateForm(requestRegistrationSchema([cycle.careType.code]), form);
  if (!result.ok) return registrationRequestPage({ cycle, window, fields: fieldsOf(cycle), values: result.values, errors: result.errors });

  await register(deps, open, result.data);
  return seeOther(`${deps.basePath}${registrationFormPath(cycle.id)}/ontvangen`);
}

async function register(deps: RegistrationRequestDeps, { cycle, steps, window, read }: Open, data: RequestRegistrationForm): Promise<void> {
  const { store } = deps;
  const { provider, contact } = await providerFor(store, cycle, data, read?.agb === data.agb ? read.provider : undefined);
  const { application } = await store.createApplication({
    cycleId: cycle.id,
    agb: provider.agb,
    track: 'new',
    providerName: provider.name,
    trigger: triggers.provider('request-registration'),
    actor: { kind: 'provider', agb: provider.agb, contactId: contact.id },
    context: { steps, provider },
  });
  // An invited contract holder, or a registration already under way or done: no registration link.
  if (application.track !== 'new' || application.state !== 'registration-started') return;
  await store.enqueueMessage({
    // One per cycle and provider: asking again (or a retried request) finds it and enqueues nothing.
    key: messageKey({ cycleId: cycle.id, agb: provider.agb, cause: 'request-registration', template: 'registration-link' }),
    cycleId: cycle.id,
    agb: provider.agb,
    recipients: [{ role: contact.role, address: contact.email, name: contact.name, contactId: contact.id }],
    template: 'registration-link',
    params: { ...providerParams({ cycle, provider }), deadline: window.closes },
    // Bound to the application as created (or found): the sender need not read it.
    link: { action: 'submit-registration', contactId: contact.id, expiresAt: linkExpiry(window.closes), version: application.version },
  });
}

/**
 * The provider as we know it, else a new one from the form. The form's contact
 * is its only contact and so its signatory until a purchaser records another.
 */
async function providerFor(
  store: LinksStore,
  cycle: Cycle,
  data: RequestRegistrationForm,
  /** Read already (null: known absent). */
  read?: Provider | null,
): Promise<{ provider: Provider; contact: Contact }> {
  const known = read === undefined ? await store.getProvider(data.agb) : (read ?? undefined);
  if (known) return { provider: known, contact: contactOf(known, data.contactEmail) };
  // Claimed only: a purchaser confirms the authority from the KvK extract before this contact can sign.
  const contact: Contact = { id: contactIdFor(data.contactEmail), name: data.contactName, email: data.contactEmail, role: 'signatory', authority: 'claimed' };
  try {
    const { provider } = await store.putProvider(
      { agb: data.agb, kvk: data.kvk, name: data.organisationName, careTypes: [cycle.careType.code], contacts: [contact], contracts: [] },
      { previous: null },
    );
    return { provider, contact };
  } catch (error) {
    // Two requests for the same new AGB code at once: the other one created it.
    if (!(error instanceof ConflictError)) throw error;
    const provider = await store.getProvider(data.agb);
    if (!provider) throw error;
    return { provider, contact: contactOf(provider, data.contactEmail) };
  }
}

/** The contact the form names if we know that address, else the signatory: mail only goes to addresses on record. */
function contactOf(provider: Provider, email: string): Contact {
  const id = contactIdFor(email);
  return provider.contacts.find((c) => c.id === id) ?? signatoryOf(provider) ?? provider.contacts[0];
}
