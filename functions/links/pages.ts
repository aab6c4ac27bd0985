import { createHash } from 'node:crypto';
import {
  ConflictError,
  ExpiredError,
  ForbiddenError,
  NotFoundError,
  TransitionRefusedError,
  ValidationError,
  type DomainError,
} from '../commons/errors.ts';
import { oneLine } from '../commons/text.ts';
import { InvalidTextError, type FieldErrors } from '../http/form.ts';
import type { ErrorRenderer } from '../http/edge.ts';
import type { HttpResult } from '../http/types.ts';
import { MethodNotAllowedError, PayloadTooLargeError, RouteNotFoundError, UnsupportedMediaTypeError } from '../commons/errors.ts';
import { formatDutchDate, formatDutchDeadline } from './dutch-dates.ts';
import {
  LinkExpiredError,
  LinkInvalidError,
  LinkSupersededError,
  LinkUsedError,
  NotSignatoryError,
  RegistrationClosedError,
  SigningAuthorityUnconfirmedError,
  RegistrationNotOpenError,
} from '../commons/errors.ts';
import { html, raw, type SafeHtml } from '../commons/html.ts';

/**
 * Provider pages: plain Dutch HTML that works without JavaScript. One layout,
 * one form renderer, one page per refusal. Every interpolation goes through the
 * `html` template, which escapes by default.
 */

const SITE = 'Zorginkoop';

const CSS = `
body{margin:0;font:1.125rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;background:#fff}
header,main{max-width:40rem;margin:0 auto;padding:1rem}
header{border-bottom:4px solid #154273;font-weight:700}
.skip{position:absolute;left:-9999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
h1{font-size:1.75rem;line-height:1.25}
a{color:#154273}
:focus{outline:3px solid #ffbf47;outline-offset:0}
.field{margin:0 0 1.5rem}
.field.invalid{border-left:4px solid #b00020;padding-left:.75rem}
label,legend{display:block;font-weight:600}
fieldset{border:0;margin:0;padding:0}
.hint{color:#4a4a4a;margin:.25rem 0}
.error{color:#b00020;font-weight:600;margin:.25rem 0}
input[type=text],input[type=email],input[type=date],textarea{display:block;box-sizing:border-box;width:100%;font:inherit;padding:.4rem;border:2px solid #1b1b1b}
input[type=file]{font:inherit}
[aria-invalid=true]{border-color:#b00020}
.option{display:flex;gap:.5rem;align-items:flex-start;margin:.5rem 0}
.option input{width:1.4rem;height:1.4rem;margin:.15rem 0 0}
.option label{font-weight:400}
button{font:inherit;font-weight:600;padding:.6rem 1.2rem;color:#fff;background:#00703c;border:0;border-bottom:3px solid #002d18;cursor:pointer}
.summary{border:4px solid #b00020;padding:0 1rem;margin:0 0 1.5rem}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1.5rem}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.upload{border:2px solid #b1b4b6;padding:.75rem 1rem;margin:0 0 1rem}
`.trim();

/** The only style allowed by the CSP: this block, by hash. */
const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  // Personal pages behind a token: never cached, never indexed.
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
  // The token is in the URL: never send it onwards in a Referer header.
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  // frame-ancestors for current browsers, X-Frame-Options for those that ignore CSP: no clickjacking of a signing form.
  'x-frame-options': 'DENY',
  'content-security-policy': `default-src 'none'; style-src ${CSS_HASH}; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
};

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Prefixes the document title with "Fout:" so screen-reader users hear it first. */
  hasErrors?: boolean;
}

export function layout({ title, body, hasErrors = false }: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${hasErrors ? 'Fout: ' : ''}${oneLine(title)} - ${SITE}</title>
<style>${raw(CSS)}</style>
</head>
<body>
<a class="skip" href="#inhoud">Naar de inhoud</a>
<header>${SITE}</header>
<main id="inhoud">
<h1>${title}</h1>
${body}
</main>
</body>
</html>
`;
}

export interface PageOptions {
  /** Origins forms on the page may post to besides our own (the S3 bucket of direct uploads). */
  formActions?: readonly string[];
}

export function pageResult(statusCode: number, page: SafeHtml, options: PageOptions = {}): HttpResult {
  const headers = { ...SECURITY_HEADERS };
  if (options.formActions?.length) {
    headers['content-security-policy'] = headers['content-security-policy'].replace(
      "form-action 'self'",
      `form-action 'self' ${options.formActions.join(' ')}`,
    );
  }
  return { statusCode, headers, body: page.value };
}

// ---------------------------------------------------------------------------
// Forms

export interface Option {
  value: string;
  label: string;
}

interface FieldBase {
  /** The form field name; also the key of the zod schema (forms.ts). */
  name: string;
  /** Label; for groups the legend; for a single checkbox the statement being confirmed. */
  label: string;
  hint?: string;
  /** Default true. Optional fields get "(niet verplicht)" in their label. */
  required?: boolean;
}

export type FieldSpec =
  | (FieldBase & {
      kind: 'text' | 'email' | 'date';
      autocomplete?: string;
      inputmode?: 'numeric' | 'decimal';
    })
  | (FieldBase & { kind: 'textarea'; rows?: number })
  /** One checkbox that posts "ja" when ticked. */
  | (FieldBase & { kind: 'checkbox' })
  | (FieldBase & { kind: 'checkboxes' | 'radios'; options: readonly Option[] })
  | (FieldBase & { kind: 'file'; accept?: string });

export interface FormSpec {
  fields: readonly FieldSpec[];
  submitLabel: string;
  /** Defaults to the current URL (the link itself). */
  action?: string;
}

/** What was entered, to put back into the form. For file fields: the file name chosen before. */
export type FormValues = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface FormState {
  values?: FormValues;
  errors?: FieldErrors;
}

export const CHECKED = 'ja';

const fieldId = (name: string) => `f-${name}`;
const first = (v: string | readonly string[] | undefined): string => (typeof v === 'string' ? v : (v?.[0] ?? ''));
const all = (v: string | readonly string[] | undefined): readonly string[] =>
  v === undefined ? [] : typeof v === 'string' ? [v] : v;

/** Where the error summary links to: the field, or a group's first option. */
const focusTarget = (field: FieldSpec): string =>
  field.kind === 'checkboxes' || field.kind === 'radios' ? `${fieldId(field.name)}-0` : fieldId(field.name);

export function renderForm(spec: FormSpec, state: FormState = {}): SafeHtml {
  const values = state.values ?? {};
  const errors = state.errors ?? {};
  const hasFiles = spec.fields.some((f) => f.kind === 'file');
  const hasErrors = Object.keys(errors).length > 0;
  // `novalidate`: our Dutch messages beside the field instead of the browser's bubbles.
  // No action attribute posts back to the link itself (an empty action is invalid HTML).
  return html`<form method="post"${spec.action ? html` action="${spec.action}"` : ''} accept-charset="utf-8" novalidate${
    hasFiles ? raw(' enctype="multipart/form-data"') : ''
  }>
${spec.fields.map((field) => renderField(field, values[field.name], errors[field.name], hasErrors))}
<button type="submit">${spec.submitLabel}</button>
</form>`;
}

/** "Er is een probleem" with links to each field in error; goes above the form. */
export function errorSummary(fields: readonly FieldSpec[], errors: FieldErrors): SafeHtml {
  const listed = fields.filter((f) => errors[f.name]);
  const known = new Set(fields.map((f) => f.name));
  const other = Object.entries(errors).filter(([name]) => !known.has(name));
  if (listed.length === 0 && other.length === 0) return html``;
  return html`<div class="summary" role="alert" aria-labelledby="fouten-titel">
<h2 id="fouten-titel">Er is een probleem</h2>
<ul>
${listed.map((f) => html`<li><a href="#${focusTarget(f)}">${errors[f.name]}</a></li>\n`)}${other.map(
    ([, message]) => html`<li>${message}</li>\n`,
  )}</ul>
</div>`;
}

function renderField(
  field: FieldSpec,
  value: string | readonly string[] | undefined,
  error: string | undefined,
  formHasErrors: boolean,
): SafeHtml {
  const id = fieldId(field.name);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const required = field.required !== false;
  const label = html`${field.label}${required ? '' : ' (niet verplicht)'}`;
  const againId = `${id}-again`;
  // Browsers never refill a file input: after an error, say so beside a file still needed
  // (an optional one, e.g. a document received before, need not be chosen again).
  const chooseAgain = field.kind === 'file' && formHasErrors && field.required !== false;
  const describedBy = [field.hint ? hintId : '', error ? errorId : '', chooseAgain ? againId : ''].filter(Boolean).join(' ');
  const aria = html`${describedBy ? html` aria-describedby="${describedBy}"` : ''}${error ? raw(' aria-invalid="true"') : ''}${
    required && field.kind !== 'checkboxes' ? raw(' required') : ''
  }`;
  const hint = field.hint ? html`<p class="hint" id="${hintId}">${field.hint}</p>` : '';
  const errorText = error ? html`<p class="error" id="${errorId}"><span class="visually-hidden">Fout: </span>${error}</p>` : '';
  const wrap = (inner: SafeHtml) => html`<div class="field${error ? ' invalid' : ''}">${inner}</div>\n`;

  switch (field.kind) {
    case 'text':
    case 'email':
    case 'date': {
      const type = field.kind;
      return wrap(html`<label for="${id}">${label}</label>${hint}${errorText}
<input type="${type}" id="${id}" name="${field.name}" value="${first(value)}"${
        field.autocomplete ? html` autocomplete="${field.autocomplete}"` : ''
      }${field.inputmode ? html` inputmode="${field.inputmode}"` : ''}${aria}>`);
    }
    case 'textarea':
      return wrap(html`<label for="${id}">${label}</label>${hint}${errorText}
<textarea id="${id}" name="${field.name}" rows="${field.rows ?? 5}"${aria}>${first(value)}</textarea>`);
    case 'checkbox':
      return wrap(html`${hint}${errorText}<div class="option">
<input type="checkbox" id="${id}" name="${field.name}" value="${CHECKED}"${first(value) === CHECKED ? raw(' checked') : ''}${aria}>
<label for="${id}">${label}</label>
</div>`);
    case 'checkboxes':
    case 'radios': {
      const type = field.kind === 'checkboxes' ? 'checkbox' : 'radio';
      const chosen = new Set(all(value));
      const options = field.options.map(
        (option, i) => html`<div class="option">
<input type="${type}" id="${id}-${i}" name="${field.name}" value="${option.value}"${chosen.has(option.value) ? raw(' checked') : ''}${
          error ? raw(' aria-invalid="true"') : ''
        }${required && type === 'radio' ? raw(' required') : ''}>
<label for="${id}-${i}">${option.label}</label>
</div>\n`,
      );
      return wrap(html`<fieldset${describedBy ? html` aria-describedby="${describedBy}"` : ''}>
<legend>${label}</legend>${hint}${errorText}
${options}</fieldset>`);
    }
    case 'file': {
      const before = first(value);
      const again = chooseAgain
        ? html`<p class="hint" id="${againId}">${before ? html`U koos eerder ${before}. ` : ''}Kies het bestand opnieuw.</p>`
        : '';
      return wrap(html`<label for="${id}">${label}</label>${hint}${errorText}${again}
<input type="file" id="${id}" name="${field.name}"${field.accept ? html` accept="${field.accept}"` : ''}${aria}>`);
    }
  }
}

export interface FormPageOptions {
  title: string;
  /** Paragraphs above the form: what this step is and until when. */
  intro?: SafeHtml;
  form: FormSpec;
  state?: FormState;
}

/** A whole page with one form; 400 when it comes back with errors. */
export function formPage({ title, intro, form, state = {} }: FormPageOptions): HttpResult {
  const errors = state.errors ?? {};
  const hasErrors = Object.keys(errors).length > 0;
  const body = html`${errorSummary(form.fields, errors)}${intro ?? ''}
${renderForm(form, state)}`;
  return pageResult(hasErrors ? 400 : 200, layout({ title, body, hasErrors }));
}

// ---------------------------------------------------------------------------
// Messages and refusals

const ASK_PURCHASER = 'Neem contact op met uw zorginkoper. De contactgegevens staan in de e-mail die u van ons kreeg.';

/** A page of paragraphs: receipts, refusals. */
export function messagePage(statusCode: number, title: string, paragraphs: readonly (string | SafeHtml)[]): HttpResult {
  return pageResult(statusCode, layout({ title, body: html`${paragraphs.map((p) => html`<p>${p}</p>\n`)}` }));
}

export const expiredPage = (expiresAt?: number): HttpResult =>
  messagePage(410, 'De termijn is verlopen', [
    expiresAt === undefined
      ? 'De termijn voor deze stap is voorbij.'
      : `De termijn verliep op ${formatDutchDeadline(expiresAt)}.`,
    'Daarom werkt deze link niet meer.',
    `Moet u nog iets doen of aanleveren? ${ASK_PURCHASER}`,
  ]);

export const usedPage = (usedAt?: number): HttpResult =>
  messagePage(410, 'Deze link is al gebruikt', [
    usedAt === undefined
      ? 'Met deze link is deze stap al gedaan.'
      : `Met deze link is deze stap al gedaan, op ${formatDutchDeadline(usedAt)}.`,
    'Een link werkt maar één keer. U hoeft niets meer te doen.',
    `Wilt u iets wijzigen? ${ASK_PURCHASER}`,
  ]);

export const supersededPage = (): HttpResult =>
  messagePage(410, 'Er is een nieuwere link', [
    'Wij hebben u voor deze stap later nog een e-mail gestuurd. Alleen de link in de nieuwste e-mail werkt.',
    'Gebruik de link in die e-mail.',
    `Kunt u die e-mail niet vinden? ${ASK_PURCHASER}`,
  ]);

export const invalidLinkPage = (): HttpResult =>
  messagePage(404, 'Deze link werkt niet', [
    'De link is niet volledig of niet juist. Dat gebeurt soms als een lange link in een e-mail over twee regels wordt verdeeld.',
    'Klik de link in de e-mail nog eens aan. Of kopieer de hele link en plak die in de adresbalk van uw browser.',
    `Werkt het dan nog niet? ${ASK_PURCHASER}`,
  ]);

export const notAllowedPage = (): HttpResult =>
  messagePage(409, 'Deze stap kan nu niet', [
    'Uw aanmelding of overeenkomst is niet in de fase waarin deze stap kan. Misschien is de stap al gedaan, of is deze fase afgesloten.',
    `Denkt u dat dit niet klopt? ${ASK_PURCHASER}`,
  ]);

export const notSignatoryPage = (): HttpResult =>
  messagePage(403, 'U kunt de overeenkomst niet ondertekenen', [
    'Alleen de tekenbevoegde persoon van uw organisatie kan de overeenkomst ondertekenen. Die heeft van ons een eigen link gekregen.',
    `Is de tekenbevoegde persoon veranderd? ${ASK_PURCHASER}`,
  ]);

export const signingAuthorityUnconfirmedPage = (): HttpResult =>
  messagePage(403, 'Uw tekenbevoegdheid is nog niet bevestigd', [
    'U hebt uw organisatie aangemeld via ons aanmeldformulier en daarbij uzelf als tekenbevoegde opgegeven. ' +
      'Voordat u de overeenkomst kunt ondertekenen, controleert onze zorginkoper uw tekenbevoegdheid in het uittreksel van de Kamer van Koophandel dat u bij uw aanmelding hebt geüpload.',
    'Zodra de zorginkoper uw tekenbevoegdheid heeft bevestigd, kunt u met deze link ondertekenen, tot de uiterste datum.',
    `Staat een andere persoon als tekenbevoegde in het uittreksel? ${ASK_PURCHASER}`,
  ]);

export const registrationNotOpenPage = (opensAt: number): HttpResult =>
  messagePage(403, 'De aanmeldperiode is nog niet open', [
    `De aanmeldperiode opent op ${formatDutchDate(opensAt)}. Vanaf die dag kunt u zich hier aanmelden.`,
  ]);

export const registrationClosedPage = (closedAt: number): HttpResult =>
  messagePage(410, 'De aanmeldperiode is gesloten', [
    `U kon zich aanmelden tot en met ${formatDutchDate(closedAt)}. Aanmelden voor deze ronde kan niet meer.`,
    'Wanneer u zich voor de volgende ronde kunt aanmelden, staat in het inkoopbeleid op onze website.',
  ]);

export const notFoundPage = (): HttpResult =>
  messagePage(404, 'Deze pagina bestaat niet', ['Controleer het adres, of gebruik de link in de e-mail die u van ons kreeg.']);

export const serverErrorPage = (): HttpResult =>
  messagePage(500, 'Er ging iets mis', [
    'Dat ligt niet aan u. Wat u verstuurde is misschien niet opgeslagen.',
    'Probeer het over een paar minuten opnieuw met dezelfde link.',
  ]);

/**
 * The edge's error renderer for provider pages (pass to `withErrorMapping`).
 * Form validation errors are not here: the handler re-renders the form with
 * `formPage` so entered values stay.
 */
export const renderLinkError: ErrorRenderer = (error) => {
  if (!error) return serverErrorPage();
  if (error instanceof LinkExpiredError) return expiredPage(error.expiresAt);
  if (error instanceof ExpiredError) return expiredPage();
  if (error instanceof LinkUsedError) return usedPage(error.usedAt);
  if (error instanceof LinkSupersededError) return supersededPage();
  if (error instanceof LinkInvalidError) return invalidLinkPage();
  if (error instanceof NotSignatoryError) return notSignatoryPage();
  if (error instanceof SigningAuthorityUnconfirmedError) return signingAuthorityUnconfirmedPage();
  if (error instanceof RegistrationNotOpenError) return registrationNotOpenPage(error.opensAt);
  if (error instanceof RegistrationClosedError) return registrationClosedPage(error.closedAt);
  if (error instanceof TransitionRefusedError) return notAllowedPage();
  return genericPage(error);
};

function genericPage(error: DomainError): HttpResult {
  if (error instanceof RouteNotFoundError || error instanceof NotFoundError) return notFoundPage();
  if (error instanceof ConflictError) {
    return messagePage(409, 'Er veranderde net iets', [
      'Terwijl u bezig was, is er iets aan uw aanmelding veranderd. Open de link in de e-mail opnieuw en kijk of uw stap nog nodig is.',
    ]);
  }
  if (error instanceof PayloadTooLargeError) {
    return messagePage(413, 'Wat u verstuurde is te groot', [
      'De bestanden samen zijn groter dan wij in één keer kunnen ontvangen.',
      'Ga met de knop Terug van uw browser naar het formulier, maak de bestanden kleiner en verstuur het opnieuw.',
    ]);
  }
  if (error instanceof InvalidTextError) {
    return messagePage(400, 'Het formulier bevat tekens die wij niet kunnen lezen', [
      'Een deel van de tekst was geen geldige UTF-8. Dat gebeurt soms als tekst uit een ander programma wordt geplakt.',
      'Ga met de knop Terug van uw browser naar het formulier, typ de tekst opnieuw en verstuur het formulier.',
    ]);
  }
  if (error instanceof UnsupportedMediaTypeError || error instanceof ValidationError) {
    return messagePage(error.httpStatus, 'Het formulier kon niet worden gelezen', [
      'Ga met de knop Terug van uw browser naar het formulier en verstuur het opnieuw.',
    ]);
  }
  if (error instanceof MethodNotAllowedError) return messagePage(405, 'Dit kan zo niet', ['Gebruik de link in de e-mail die u van ons kreeg.']);
  if (error instanceof ForbiddenError) return messagePage(403, 'U mag dit niet doen', [ASK_PURCHASER]);
  return error.httpStatus >= 500 ? serverErrorPage() : messagePage(error.httpStatus, 'Dit kan niet', [ASK_PURCHASER]);
}
