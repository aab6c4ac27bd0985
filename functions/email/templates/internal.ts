/** Emails to the insurer's own teams: purchasers (escalations) and customer communication (the 12 November list). */
import { z } from 'zod';
import { action, list, p, strong } from '../layout.ts';
import { count, deadlinePhrase, periodLabel, periodPhrase } from '../format.ts';
import { actionUrl, defineTemplate, listedApplication, localDate, teamParams, toTeam, when } from '../params.ts';

const title = (p: { careTypeName: string; contractYear: number; contractTermYears: 1 | 2 | 3 }) =>
  `${p.careTypeName} ${periodLabel(p)}`;

const PURCHASERS = 'Beste zorginkoper,';
const line = (a: z.infer<typeof listedApplication>) => `${a.providerName} (AGB ${a.agb})`;

export const eligibilityEscalationParams = teamParams.extend({
  /** The date new providers must be told whether they qualify (4 September). */
  deadline: localDate,
  applications: z.array(listedApplication).min(1),
  actionUrl: actionUrl.optional(),
});
export type EligibilityEscalationParams = z.input<typeof eligibilityEscalationParams>;

export const eligibilityEscalation = defineTemplate('eligibility-escalation', eligibilityEscalationParams, (x) =>
  toTeam(x, PURCHASERS, {
    subject: `Actie nodig: ${count(x.applications.length, 'aanmelding', 'aanmeldingen')} zonder besluit – ${title(x)}`,
    blocks: [
      p(
        `Nieuwe zorgaanbieders voor ${x.careTypeName} (${periodPhrase(x)}) moeten `,
        strong(deadlinePhrase(x.deadline)),
        ' horen of zij in aanmerking komen. Over deze aanmeldingen is nog geen besluit genomen:',
      ),
      list(x.applications.map(line)),
      ...when(x.actionUrl, (url) => action('Aanmeldingen beoordelen', url)),
    ],
  }),
);

export const signingEscalationParams = teamParams.extend({
  /** The signing deadline (31 December). */
  deadline: localDate,
  applications: z.array(listedApplication).min(1),
  actionUrl: actionUrl.optional(),
});
export type SigningEscalationParams = z.input<typeof signingEscalationParams>;

export const signingEscalation = defineTemplate('signing-escalation', signingEscalationParams, (x) =>
  toTeam(x, PURCHASERS, {
    subject: `Actie nodig: ${count(x.applications.length, 'overeenkomst', 'overeenkomsten')} niet ondertekend – ${title(x)}`,
    blocks: [
      p(
        `De overeenkomsten ${x.careTypeName} voor ${periodPhrase(x)} moeten `,
        strong(deadlinePhrase(x.deadline)),
        ' ondertekend zijn. Deze overeenkomsten zijn nog niet ondertekend:',
      ),
      list(x.applications.map(line)),
      ...when(x.actionUrl, (url) => action('Overzicht openen', url)),
    ],
  }),
);

export const contractedListReadyParams = teamParams.extend({
  /** The public list of contracted providers. */
  listUrl: actionUrl,
  providerCount: z.number().int().nonnegative(),
  /** The date customers must see it (12 November). */
  deadline: localDate,
});
export type ContractedListReadyParams = z.input<typeof contractedListReadyParams>;

export const contractedListReady = defineTemplate('contracted-list-ready', contractedListReadyParams, (x) =>
  toTeam(x, 'Beste collega,', {
    subject: `Overzicht gecontracteerde zorgaanbieders ${title(x)} klaar voor publicatie`,
    blocks: [
      p(
        `Het overzicht van gecontracteerde zorgaanbieders voor ${x.careTypeName} (${periodPhrase(x)}) is klaar. `,
        `Er staan ${count(x.providerCount, 'zorgaanbieder', 'zorgaanbieders')} op.`,
      ),
      p('Het overzicht moet ', strong(deadlinePhrase(x.deadline)), ' voor klanten zichtbaar zijn.'),
      action('Overzicht openen', x.listUrl),
      p(
        'Vermeld bij de publicatie hoe vaak het overzicht wordt bijgewerkt, wanneer het voor het laatst is gewijzigd, ',
        'dat nog niet alle contracten gesloten kunnen zijn, en de contractperiode.',
      ),
    ],
  }),
);

export const unreachableEscalationParams = teamParams.extend({
  providerName: z.string().trim().min(1),
  agb: listedApplication.shape.agb,
  /** Every address of the provider, each of which bounced or complained. */
  failed: z
    .array(z.object({ address: z.string().trim().min(1), status: z.enum(['bounced', 'complained']), diagnostic: z.string().optional() }))
    .min(1),
  actionUrl: actionUrl.optional(),
});
export type UnreachableEscalationParams = z.input<typeof unreachableEscalationParams>;

/** Nobody at a provider can be reached by email: someone must phone, and correct the address. */
export const unreachableEscalation = defineTemplate('unreachable-escalation', unreachableEscalationParams, (x) =>
  toTeam(x, PURCHASERS, {
    subject: `Actie nodig: ${x.providerName} (AGB ${x.agb}) is niet bereikbaar per e-mail – ${title(x)}`,
    blocks: [
      p(
        `Onze e-mails aan ${x.providerName} (AGB ${x.agb}) over ${x.careTypeName} (${periodPhrase(x)}) komen niet aan. `,
        'Geen van de e-mailadressen van deze zorgaanbieder werkt nog:',
      ),
      list(x.failed.map((f) => `${f.address}: ${f.status === 'bounced' ? 'onbestelbaar' : 'als spam gemeld'}${f.diagnostic ? ` (${f.diagnostic})` : ''}`)),
      p(
        'De zorgaanbieder krijgt zo geen berichten over termijnen. Neem telefonisch contact op en corrigeer het adres ',
        '(met inkoop contact correct, of in het dashboard onder "Niet bereikbaar"). Het laatste bericht gaat dan opnieuw naar het nieuwe adres.',
      ),
      ...when(x.actionUrl, (url) => action('Niet bereikbaar openen', url)),
    ],
  }),
);
