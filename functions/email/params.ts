/**
 * Building blocks shared by the template param schemas, and the two email
 * frames: one to a provider (greeting plus who/what/when facts), one to an
 * internal team (purchasers, customer communication).
 */
import { z } from 'zod';
import { localDate, providerAction } from '../calendar/schema.ts';
import { facts, type Block, type EmailDraft } from './layout.ts';
import { formatDutchDate, formatDutchWindow, periodLabel } from './format.ts';

export { localDate, providerAction };

/**
 * A link the provider acts through (issued by functions/links/issue.ts at send time).
 * Any http(s) host: `z.httpUrl` would refuse the loopback address the local runtime serves on.
 */
export const actionUrl = z.url({ protocol: /^https?$/, error: 'an http(s) link' });

export const agb = z.string().regex(/^\d{8}$/, 'an AGB code of 8 digits');

const period = {
  contractYear: z.number().int().min(2000).max(2100),
  /** 1, 2 or 3: a multi-year contract is named "contractperiode 2024–2025". */
  contractTermYears: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(1),
};

/** Every email to a provider names the provider, the care type and the contract period. */
export const providerParams = z.object({
  providerName: z.string().trim().min(1, 'the provider name'),
  agb: agb.optional(),
  careTypeName: z.string().trim().min(1, 'the Dutch care type name'),
  ...period,
});
export type ProviderParams = z.infer<typeof providerParams>;

/** Emails to the insurer's own teams name the care type and period. */
export const teamParams = z.object({
  careTypeName: z.string().trim().min(1, 'the Dutch care type name'),
  ...period,
});
export type TeamParams = z.infer<typeof teamParams>;

/** A provider's application, as listed in an escalation to purchasers. */
export const listedApplication = z.object({ providerName: z.string().trim().min(1), agb });

/** A key date of a calendar: a single date, or a window when `until` is given. */
export const keyDate = z
  .object({ title: z.string().trim().min(1), date: localDate, until: localDate.optional() })
  .refine((d) => !d.until || d.until >= d.date, { message: 'until must not be before date', path: ['until'] });
export type KeyDate = z.infer<typeof keyDate>;

/** "1 mei t/m 1 juli 2020: Aanmelden nieuwe zorgaanbieders" */
export const keyDateLine = (d: KeyDate): string =>
  `${d.until ? formatDutchWindow(d.date, d.until) : formatDutchDate(d.date)}: ${d.title}`;

/** An .ics calendar as text (functions/calendar builds it). */
export const icsText = z
  .string()
  .refine((s) => s.trimStart().startsWith('BEGIN:VCALENDAR'), 'an iCalendar text starting with BEGIN:VCALENDAR');

export const icsAttachment = (careTypeName: string, year: number, content: string) => ({
  filename: `inkoopkalender-${slug(careTypeName)}-${year}.ics`,
  // A bare IANA media type, as SES asks; iCalendar text is UTF-8 by definition (RFC 5545).
  contentType: 'text/calendar',
  content,
});

const slug = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'zorg';

/** A template: its id, its params schema and the draft it makes of parsed params. */
export interface TemplateDefinition<S extends z.ZodType = z.ZodType> {
  readonly id: string;
  readonly schema: S;
  draft(params: z.output<S>): EmailDraft;
}

export const defineTemplate = <const Id extends string, S extends z.ZodType>(
  id: Id,
  schema: S,
  draft: (params: z.output<S>) => EmailDraft,
): TemplateDefinition<S> & { readonly id: Id } => ({ id, schema, draft });

type Draft = Omit<EmailDraft, 'greeting'>;

/** An email to a provider: greeting, then who it is about, then the body. */
export const toProvider = (params: ProviderParams, draft: Draft): EmailDraft => ({
  ...draft,
  greeting: 'Geachte heer/mevrouw,',
  blocks: [
    facts([
      ['Zorgaanbieder', params.providerName],
      params.agb ? ['AGB-code', params.agb] : undefined,
      ['Zorgsoort', params.careTypeName],
      [params.contractTermYears === 1 ? 'Contractjaar' : 'Contractperiode', periodLabel(params)],
    ]),
    ...draft.blocks,
  ],
});

/** An email to an internal team. */
export const toTeam = (params: TeamParams, greeting: string, draft: Draft): EmailDraft => ({
  ...draft,
  greeting,
  blocks: [
    facts([
      ['Zorgsoort', params.careTypeName],
      [params.contractTermYears === 1 ? 'Contractjaar' : 'Contractperiode', periodLabel(params)],
    ]),
    ...draft.blocks,
  ],
});

/** Blocks that are only there when a value is given; built lazily, so they may rely on it. */
export const when = <T>(value: T | undefined | null | false, ...make: Array<(value: T) => Block>): Block[] =>
  value ? make.map((f) => f(value)) : [];

