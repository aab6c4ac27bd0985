/**
 * The email templates: one per message kind, each with a zod schema for its
 * params. `render(templateId, params)` validates the params and returns the
 * Dutch subject, HTML and plain text (and attachments). The outbox stores the
 * template id and the params; the sender renders at send time.
 */
import type { z } from 'zod';
import { ValidationError } from '../commons/errors.ts';
import { renderDraft, type RenderedEmail } from './layout.ts';
import type { TemplateDefinition } from './params.ts';
import * as agreement from './templates/agreement.ts';
import * as internal from './templates/internal.ts';
import * as publication from './templates/publication.ts';
import * as registration from './templates/registration.ts';

export * from './templates/agreement.ts';
export * from './templates/internal.ts';
export * from './templates/publication.ts';
export * from './templates/registration.ts';
export type { Attachment, RenderedEmail } from './layout.ts';

const ALL = [
  publication.policyPublished,
  registration.registrationInvitation,
  registration.registrationLink,
  registration.registrationReceived,
  registration.registrationLapsed,
  agreement.reminder,
  agreement.conditionsRequest,
  agreement.conditionsConfirmed,
  agreement.deadlineMissed,
  registration.eligibilityDecision,
  internal.eligibilityEscalation,
  agreement.agreementAvailable,
  agreement.proposalReceived,
  agreement.negotiationAgreementOffered,
  agreement.agreementAccepted,
  agreement.agreementSigned,
  internal.signingEscalation,
  agreement.contracted,
  agreement.notContracted,
  publication.questionsDeadlineReminder,
  publication.questionReceived,
  publication.questionAnswered,
  publication.qaMemoPublished,
  registration.feedback,
  internal.contractedListReady,
  publication.calendarAmended,
  registration.withdrawalConfirmed,
  agreement.agreementsFinal,
  publication.nextYearDates,
  internal.unreachableEscalation,
] as const;

type Definition = (typeof ALL)[number];
export type TemplateId = Definition['id'];

/** The registry: template id → definition (id, params schema, draft). */
export const TEMPLATES = Object.fromEntries(ALL.map((t) => [t.id, t])) as {
  readonly [T in Definition as T['id']]: T;
};

export const TEMPLATE_IDS = ALL.map((t) => t.id) as TemplateId[];

/** What a caller passes (defaults not yet applied). */
export type TemplateParams<T extends TemplateId> = z.input<(typeof TEMPLATES)[T]['schema']>;

export const isTemplateId = (id: string): id is TemplateId => Object.hasOwn(TEMPLATES, id);

/** Validates params against the template's schema; throws a ValidationError naming each bad field. */
export function parseParams<T extends TemplateId>(id: T, params: unknown): z.output<(typeof TEMPLATES)[T]['schema']>;
export function parseParams(id: string, params: unknown): unknown;
export function parseParams(id: string, params: unknown): unknown {
  if (!isTemplateId(id)) {
    throw new ValidationError(`Unknown email template '${id}'`, [{ path: 'template', message: 'unknown template', found: id }]);
  }
  const result = (TEMPLATES[id] as TemplateDefinition).schema.safeParse(params);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(params)', message: issue.message }));
  throw new ValidationError(
    `Invalid params for email template '${id}': ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  );
}

export function render<T extends TemplateId>(id: T, params: TemplateParams<T>): RenderedEmail;
export function render(id: string, params: unknown): RenderedEmail;
export function render(id: string, params: unknown): RenderedEmail {
  const parsed = parseParams(id, params);
  return renderDraft((TEMPLATES[id as TemplateId] as TemplateDefinition).draft(parsed));
}
