/**
 * The provider pages of the link app, composed from pages.ts: an action page
 * (who, which round, until when, what happens, the form), the receipt after a
 * POST, and the public registration request form.
 */
import type { Application, Cycle, Provider } from '../domain/model.ts';
import type { FieldErrors } from '../http/form.ts';
import { formatMegabytes } from '../http/form.ts';
import type { HttpResult } from '../http/types.ts';
import type { DirectUploadForm, StoredDocument } from '../uploads/types.ts';
import type { ActionDefinition, LinkContext, RegistrationDocumentRef } from './actions.ts';
import { formatDutchDate, formatDutchDeadline } from './dutch-dates.ts';
import { html, type SafeHtml } from '../commons/html.ts';
import { errorSummary, layout, pageResult, renderForm, type FieldSpec, type FormValues } from './pages.ts';
import type { RegistrationWindow } from './schedule.ts';

const period = (cycle: Cycle): string => {
  const { firstYear, termYears } = cycle.contract;
  return termYears === 1 ? `contractjaar ${firstYear}` : `contractperiode ${firstYear}–${firstYear + termYears - 1}`;
};

/** Who, which procurement round, until when. */
export function factsList(facts: readonly [string, string | SafeHtml][]): SafeHtml {
  return html`<dl class="facts">
${facts.map(([term, value]) => html`<dt>${term}</dt><dd>${value}</dd>\n`)}</dl>`;
}

const providerFact = (provider: Provider): [string, string] => ['Zorgaanbieder', `${provider.name} (AGB-code ${provider.agb})`];
const roundFact = (cycle: Cycle): [string, string] => ['Zorginkoop', `${cycle.careType.name}, ${period(cycle)}`];

/** A document field: what is stored already, or (direct uploads) the form that sends it to storage. */
export interface DocumentState {
  field: string;
  label: string;
  stored?: StoredDocument;
  direct?: DirectUploadForm;
  /** Direct uploads: the application holds its upload limit, so no form is offered. */
  limitReached?: boolean;
}

export interface ActionPageInput {
  def: ActionDefinition;
  ctx: LinkContext;
  fields: FieldSpec[];
  values?: FormValues;
  errors?: FieldErrors;
  documents?: DocumentState[];
  /** A document that just arrived through a direct upload (S3 redirected back). */
  justUploaded?: string;
}

export function actionPage({ def, ctx, fields, values = {}, errors = {}, documents = [], justUploaded }: ActionPageInput): HttpResult {
  const hasErrors = Object.keys(errors).length > 0;
  const direct = documents.filter((d) => d.direct);
  const full = documents.some((d) => d.limitReached);
  const body = html`${errorSummary(fields, errors)}${factsList([
    providerFact(ctx.provider),
    roundFact(ctx.cycle),
    ['Uiterlijk', formatDutchDeadline(ctx.expiresAt)],
  ])}
<h2>Wat gebeurt er?</h2>
<p>${def.whatHappens(ctx)}</p>
${submittedRegistration(ctx.application)}${
    direct.length
      ? html`<h2>Stap 1: documenten toevoegen</h2>
<p>Voeg elk document apart toe met de knop Uploaden. Daarna vult u het formulier in.</p>
${direct.map((d) => uploadForm(d, d.field === justUploaded))}<h2>Stap 2: formulier</h2>\n`
      : ''
  }${
    full
      ? html`<p class="hint">U hebt voor deze aanmelding al het maximum aan documenten toegevoegd. U kunt geen documenten meer toevoegen of vervangen; neem daarvoor contact op met uw zorginkoper.</p>\n`
      : ''
  }${renderForm({ fields, submitLabel: def.submitLabel }, { values, errors })}`;
  return pageResult(hasErrors ? 400 : 200, layout({ title: def.title, body, hasErrors }), {
    formActions: [...new Set(direct.map((d) => d.direct!.origin))],
  });
}

function uploadForm(doc: DocumentState, justUploaded: boolean): SafeHtml {
  const form = doc.direct!;
  const id = `u-${doc.field}`;
  return html`<form class="upload" method="post" action="${form.url}" enctype="multipart/form-data">
${Object.entries(form.fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)}<label for="${id}">${doc.label}</label>
${doc.stored ? html`<p class="hint">${justUploaded ? 'Ontvangen' : 'Eerder toegevoegd'}: ${doc.stored.name} (${formatMegabytes(doc.stored.size)}). Kies alleen een bestand als u het wilt vervangen.</p>` : ''}
<input type="file" id="${id}" name="file" accept="application/pdf,.pdf">
<button type="submit">Uploaden</button>
</form>\n`;
}

/** What was submitted before, so an amendment starts from it. */
function submittedRegistration(application: Application | undefined): SafeHtml | '' {
  const r = application?.registration as
    | { careDescription?: string; startedOn?: string; extraLocations?: boolean; extraLocationsDescription?: string; kvkExtractDate?: string; documents?: Record<string, RegistrationDocumentRef>; submitted?: { at?: string } }
    | undefined;
  if (!r?.submitted) return '';
  const doc = (key: string) => r.documents?.[key]?.name ?? '-';
  return html`<h2>Wat u eerder indiende</h2>
${factsList([
  ['Ingediend op', r.submitted.at ? formatDutchDeadline(Date.parse(r.submitted.at)) : '-'],
  ['Zorg', r.careDescription ?? '-'],
  ['Instelling bestaat sinds', r.startedOn ? formatDutchDate(r.startedOn) : '-'],
  ['Extra locaties', r.extraLocations ? `Ja: ${r.extraLocationsDescription ?? ''}` : 'Nee'],
  ['Uittreksel KvK', `${doc('kvkExtract')}${r.kvkExtractDate ? `, van ${formatDutchDate(r.kvkExtractDate)}` : ''}`],
  ['VOG RP', doc('vog')],
  ['Ondernemingsplan', doc('businessPlan')],
])}
<p>Wilt u iets wijzigen? Pas het formulier hieronder aan en verstuur het opnieuw. Documenten die u niet opnieuw kiest, blijven zoals ze waren.</p>
`;
}

export function receiptPage(title: string, text: string, ctx: { provider: Provider; cycle: Cycle }): HttpResult {
  const body = html`<p>${text}</p>
${factsList([providerFact(ctx.provider), roundFact(ctx.cycle)])}
<p>U kunt dit venster sluiten.</p>`;
  return pageResult(200, layout({ title, body }));
}

// ---------------------------------------------------------------------------
// The public registration request

export interface RegistrationRequestPageInput {
  cycle: Cycle;
  window: RegistrationWindow;
  fields: FieldSpec[];
  values?: FormValues;
  errors?: FieldErrors;
}

export const REGISTRATION_REQUEST_TITLE = 'Aanmelden als nieuwe zorgaanbieder';

export function registrationRequestPage({ cycle, window, fields, values = {}, errors = {} }: RegistrationRequestPageInput): HttpResult {
  const hasErrors = Object.keys(errors).length > 0;
  const body = html`${errorSummary(fields, errors)}${factsList([
    roundFact(cycle),
    ['Aanmelden kan', `tot en met ${formatDutchDate(window.closes)}`],
  ])}
<h2>Wat gebeurt er?</h2>
<p>Als u dit formulier verstuurt, sturen wij een e-mail met een persoonlijke link. Met die link rondt u uw aanmelding af: u vult in welke zorg u wilt laten contracteren, sinds wanneer uw instelling bestaat en of u extra locaties plant, en u voegt de documenten toe (uittreksel KvK, VOG RP en ondernemingsplan).</p>
${renderForm({ fields, submitLabel: 'Aanmelding versturen' }, { values, errors })}`;
  return pageResult(hasErrors ? 400 : 200, layout({ title: REGISTRATION_REQUEST_TITLE, body, hasErrors }));
}

export function registrationRequestedPage(cycle: Cycle, window: RegistrationWindow): HttpResult {
  const body = html`<p>Bedankt voor uw aanmelding. U ontvangt binnen enkele minuten een e-mail met een persoonlijke link om uw aanmelding af te ronden.</p>
${factsList([roundFact(cycle), ['Afronden kan tot en met', formatDutchDate(window.closes)]])}
<p>Hebt u zich eerder aangemeld met dezelfde AGB-code? Dan sturen wij geen nieuwe e-mail. Gebruik de link uit de eerste e-mail.</p>
<p>Geen e-mail ontvangen? Kijk ook in uw map met ongewenste e-mail.</p>`;
  return pageResult(200, layout({ title: 'Aanmelding ontvangen', body }));
}
