import { ValidationError } from '../commons/errors.ts';
import { bodyBytes, header, mediaType, type HttpEvent } from './types.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../commons/errors.ts';

/**
 * Form posts: `application/x-www-form-urlencoded` and `multipart/form-data`.
 * Multipart is parsed by the platform (`Response#formData`, undici) after the
 * whole body was checked against `maxBodyBytes`; API Gateway hands Lambda the
 * complete body anyway. Problems with single files become field errors so the
 * page can show them beside the field; a body too large or unreadable is an
 * error for the whole request.
 */

export interface UploadedFile {
  /** The file name as the browser sent it (no path). Provider input: escape when shown. */
  name: string;
  /** The media type we accepted it as (checked against the content, not just the label). */
  type: string;
  size: number;
  bytes: Uint8Array;
}

export interface FileRule {
  /** Accepted media types, e.g. ['application/pdf']. */
  types: readonly string[];
  maxBytes: number;
  /** Files per field; default 1. */
  maxFiles?: number;
}

export interface FormLimits {
  /** The whole body. Keep it under the edge's own limit (Lambda: 6 MB invoke payload, base64 included). */
  maxBodyBytes: number;
  /** File fields and their rules. Files in any other field are dropped. */
  files?: Readonly<Record<string, FileRule>>;
  /** Default 200. */
  maxFields?: number;
}

/** Field name → first Dutch message. One message per field is what a page shows. */
export type FieldErrors = Record<string, string>;

export interface ParsedForm {
  fields: Record<string, string[]>;
  files: Record<string, UploadedFile[]>;
  errors: FieldErrors;
}

const URLENCODED = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';

export async function parseForm(event: HttpEvent, limits: FormLimits): Promise<ParsedForm> {
  const contentType = header(event, 'content-type');
  const type = mediaType(contentType);
  if (type !== URLENCODED && type !== MULTIPART) {
    throw new UnsupportedMediaTypeError(`expected a form post, got ${type || 'no content type'}`);
  }
  const body = bodyBytes(event);
  if (body.length > limits.maxBodyBytes) throw new PayloadTooLargeError(limits.maxBodyBytes);

  const form: ParsedForm = { fields: {}, files: {}, errors: {} };
  const maxFields = limits.maxFields ?? 200;
  let count = 0;
  const countField = () => {
    if (++count > maxFields) throw new ValidationError(`more than ${maxFields} form fields`);
  };

  if (type === URLENCODED) {
    for (const [name, value] of decodeUrlEncoded(body)) {
      countField();
      form.fields[name] ??= [];
      form.fields[name].push(value);
    }
    return form;
  }

  let data: FormData;
  try {
    data = await new Response(body, { headers: { 'content-type': contentType ?? MULTIPART } }).formData();
  } catch {
    throw new ValidationError('multipart body could not be parsed');
  }
  for (const [name, value] of data) {
    countField();
    if (typeof value === 'string') {
      // The platform decodes text parts with replacement characters: a U+FFFD here was bytes that were not UTF-8.
      if (value.includes(REPLACEMENT) || name.includes(REPLACEMENT)) throw new InvalidTextError();
      form.fields[name] ??= [];
      form.fields[name].push(value);
      continue;
    }
    // A file input left empty still sends a part: no name, no bytes.
    if (value.name === '' && value.size === 0) continue;
    const rule = limits.files?.[name];
    if (!rule) continue;
    if (form.errors[name]) continue;
    const error = await acceptFile(value, rule, form.files[name]?.length ?? 0);
    if (typeof error === 'string') {
      form.errors[name] = error;
      delete form.files[name];
    } else {
      form.files[name] ??= [];
      form.files[name].push(error);
    }
  }
  return form;
}

const REPLACEMENT = '\ufffd';
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Form text that is not UTF-8 (raw bytes like FF FE, or percent-escapes like %FF%FE): refused, never stored as "���". */
export class InvalidTextError extends ValidationError {
  constructor() {
    super('form text is not valid UTF-8');
  }
}

/**
 * `URLSearchParams` turns bytes that are not UTF-8 into U+FFFD without a word;
 * this decoder refuses them instead, raw or percent-escaped.
 */
function decodeUrlEncoded(body: Buffer): [string, string][] {
  let text: string;
  try {
    text = UTF8.decode(body);
  } catch {
    throw new InvalidTextError();
  }
  const decode = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw new InvalidTextError();
    }
  };
  return text
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
}

/** The accepted file, or a Dutch message for the field. */
async function acceptFile(file: File, rule: FileRule, already: number): Promise<UploadedFile | string> {
  if (already >= (rule.maxFiles ?? 1)) {
    return (rule.maxFiles ?? 1) === 1 ? 'Kies één bestand.' : `Kies hoogstens ${rule.maxFiles} bestanden.`;
  }
  if (file.size > rule.maxBytes) {
    return `Het bestand is te groot. Het mag hoogstens ${formatMegabytes(rule.maxBytes)} zijn.`;
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const type = acceptedType(file.type, bytes, rule.types);
  if (!type) return `Kies een ${rule.types.map(typeLabel).join(' of ')}-bestand.`;
  return { name: baseName(file.name), type, size: bytes.length, bytes };
}

/**
 * Content beats label: a type with a known signature is accepted when the bytes
 * match it, whatever the browser claimed (some send application/octet-stream);
 * a renamed .exe labelled application/pdf is refused. Types without a known
 * signature fall back to the label.
 */
function acceptedType(declared: string, bytes: Uint8Array, allowed: readonly string[]): string | undefined {
  for (const type of allowed) {
    const signature = SIGNATURES[type];
    if (signature ? startsWith(bytes, signature) : mediaType(declared) === type) return type;
  }
  return undefined;
}

const SIGNATURES: Record<string, Uint8Array> = {
  'application/pdf': Buffer.from('%PDF-', 'latin1'),
  'image/png': Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
  'image/jpeg': Uint8Array.of(0xff, 0xd8, 0xff),
};

const LABELS: Record<string, string> = { 'application/pdf': 'PDF', 'image/png': 'PNG', 'image/jpeg': 'JPEG' };
const typeLabel = (type: string): string => LABELS[type] ?? type;

const startsWith = (bytes: Uint8Array, prefix: Uint8Array): boolean =>
  bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);

/** Some browsers (old Edge/IE) send the full client path. */
const baseName = (name: string): string => name.split(/[\\/]/).pop() ?? name;

/** "10 MB", "4,5 MB": binary megabytes, Dutch decimal comma. */
export const formatMegabytes = (bytes: number): string =>
  `${(bytes / (1024 * 1024)).toLocaleString('nl-NL', { maximumFractionDigits: 1 })} MB`;
