/**
 * How a simulated provider uses the provider pages: like a browser. It opens the
 * link (GET), reads the form the page shows, fills in the fields it recognises,
 * and posts it back (multipart when the form has file fields), without following
 * the redirect, so the answer's status tells what happened: 303 → done,
 * 400 → the page refused the data, 403/404/409/410 → the link or the state
 * refused the action.
 */

export interface FormField {
  /** `text`, `email`, `date`, `textarea`, `checkbox`, `radio`, `file`, `hidden`, … */
  type: string;
  name: string;
  value: string;
  checked: boolean;
}

export interface ParsedForm {
  action: string;
  method: string;
  multipart: boolean;
  fields: FormField[];
}

const ATTR = /([a-zA-Z-]+)(?:="([^"]*)")?/g;

function attributes(tag: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(ATTR)) attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? '');
  return attrs;
}

export function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&amp;/g, '&');
}

/** The first `<form>` of a page, or undefined when the page has none (a refusal, a receipt). */
export function parseForm(page: string, pageUrl: string): ParsedForm | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page);
  if (!form) return undefined;
  const attrs = attributes(form[1]);
  const fields: FormField[] = [];
  for (const m of form[2].matchAll(/<input\b([^>]*)>|<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/gi)) {
    if (m[1] !== undefined) {
      const a = attributes(m[1]);
      if (!a.name) continue;
      fields.push({ type: (a.type ?? 'text').toLowerCase(), name: a.name, value: a.value ?? '', checked: 'checked' in a });
    } else {
      const a = attributes(m[2]);
      if (!a.name) continue;
      fields.push({ type: 'textarea', name: a.name, value: decodeEntities(m[3]), checked: false });
    }
  }
  return {
    action: new URL(attrs.action || pageUrl, pageUrl).href,
    method: (attrs.method ?? 'get').toLowerCase(),
    multipart: (attrs.enctype ?? '').toLowerCase() === 'multipart/form-data',
    fields,
  };
}

/** A one-page PDF, small and valid enough for any `%PDF-` check. */
export const SAMPLE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
  'latin1',
);

/** What to post: text values by name (arrays for repeated fields), files by name. */
export interface Submission {
  values: Record<string, string | string[]>;
  files: Record<string, { name: string; type: string; bytes: Uint8Array }>;
}

export interface PostResult {
  status: number;
  location?: string;
  body: string;
}

export async function openPage(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  return { status: response.status, body: await response.text() };
}

export async function submitForm(form: ParsedForm, submission: Submission): Promise<PostResult> {
  let body: FormData | URLSearchParams;
  if (form.multipart) {
    const data = new FormData();
    for (const [name, value] of Object.entries(submission.values)) for (const v of [value].flat()) data.append(name, v);
    for (const [name, file] of Object.entries(submission.files)) data.append(name, new Blob([new Uint8Array(file.bytes)], { type: file.type }), file.name);
    body = data;
  } else {
    const data = new URLSearchParams();
    for (const [name, value] of Object.entries(submission.values)) for (const v of [value].flat()) data.append(name, v);
    body = data;
  }
  const response = await fetch(form.action, { method: 'POST', body, redirect: 'manual', signal: AbortSignal.timeout(60_000) });
  return { status: response.status, location: response.headers.get('location') ?? undefined, body: await response.text() };
}

/**
 * Fills a form as a person would: the given values where the form has the
 * field, every checkbox ticked (consent, conditions), a radio's first option,
 * a PDF in every file field, and what the page prefilled elsewhere.
 */
export function fill(form: ParsedForm, values: Record<string, string | string[]>): Submission {
  const submission: Submission = { values: {}, files: {} };
  const radiosSeen = new Set<string>();
  for (const field of form.fields) {
    const given = values[field.name];
    switch (field.type) {
      case 'submit':
      case 'button':
      case 'reset':
        break;
      case 'file':
        submission.files[field.name] = { name: `${field.name}.pdf`, type: 'application/pdf', bytes: SAMPLE_PDF };
        break;
      case 'checkbox': {
        if (given !== undefined && !([given].flat() as string[]).includes(field.value)) break;
        const list = submission.values[field.name];
        submission.values[field.name] = list === undefined ? field.value : [...[list].flat(), field.value];
        break;
      }
      case 'radio':
        if (radiosSeen.has(field.name)) break;
        if (given !== undefined) {
          submission.values[field.name] = given;
          radiosSeen.add(field.name);
        } else {
          submission.values[field.name] = field.value;
          radiosSeen.add(field.name);
        }
        break;
      default:
        submission.values[field.name] = given ?? field.value;
    }
  }
  return submission;
}
