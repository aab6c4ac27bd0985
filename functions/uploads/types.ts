/**
 * Where provider documents go. Two ways in, one way to look:
 * - `inline` (local runtime): the file arrives with the form post and the
 *   handler `save`s it (`<data>/uploads/<cycleId>/<agb>/<field>/...`).
 * - `direct` (AWS): a Lambda behind API Gateway takes at most 6 MB per request,
 *   too small for three 10 MB documents. The page shows, per document, a small
 *   form that posts the file straight to S3 with a presigned POST
 *   (`directUpload`); S3 checks size and type against the signed policy and
 *   redirects back to the link page. The registration form itself then posts
 *   only text, and the handler finds the documents with `latest`.
 * Either way a document counts once it is stored; the registration records
 * which stored object it submitted.
 *
 * Anyone holding a live link can send files, so storage is bounded per
 * application (`UploadLimits`): inline, a post is refused before anything is
 * written when it would pass the limit, and only a post that succeeds keeps its
 * files (app.ts discards them otherwise); direct, S3 cannot count, so each form
 * may write one fixed key (a slot: a second upload replaces the first) and no
 * form is issued once the application holds the limit.
 */
import type { UploadedFile } from '../http/form.ts';

/** One provider's documents in one cycle. */
export interface UploadScope {
  cycleId: string;
  agb: string;
}

export interface StoredDocument {
  field: string;
  /** The file name as the provider chose it (provider input: escape when shown). */
  name: string;
  type: string;
  size: number;
  /** Where it is: a path under the uploads folder, or the S3 object key. */
  key: string;
  /** ISO instant. */
  storedAt: string;
  /** The first bytes of the content, enough to check the file signature again. */
  head: Uint8Array;
}

export interface DocumentRule {
  /** The one accepted media type, e.g. application/pdf. */
  type: string;
  maxBytes: number;
}

/** A form the browser posts a file to, outside our HTTP handler. */
export interface DirectUploadForm {
  url: string;
  /** Hidden fields, in order; the file input (named `file`) must come after them. */
  fields: Record<string, string>;
  /** The origin the page must allow in its CSP `form-action`. */
  origin: string;
}

/** What one application may keep: generous for a provider amending its registration a few times, small for a disk. */
export interface UploadLimits {
  files: number;
  bytes: number;
}

/** 3 documents of at most 10 MB: five full submissions. */
export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { files: 15, bytes: 100 * 1024 * 1024 };

export interface UploadUsage {
  files: number;
  bytes: number;
}

export interface UploadStore {
  readonly mode: 'inline' | 'direct';
  readonly limits: UploadLimits;
  /** inline: stores a file that came with a form post. */
  save(scope: UploadScope, field: string, file: UploadedFile): Promise<StoredDocument>;
  /** inline: removes a file this request saved and then did not use (the request was refused). */
  discard(doc: StoredDocument): Promise<void>;
  /**
   * direct: a signed form for one document; after the upload the browser is sent to `redirectTo`.
   * Undefined when the application holds its limit already.
   */
  directUpload(scope: UploadScope, field: string, rule: DocumentRule, redirectTo: string): Promise<DirectUploadForm | undefined>;
  /** The newest stored document for a field, if any. */
  latest(scope: UploadScope, field: string): Promise<StoredDocument | undefined>;
  /** What the application stores, all fields together. */
  usage(scope: UploadScope): Promise<UploadUsage>;
}

/** True when `adding` more files of these sizes would take the application past its limits. */
export const exceedsLimits = (limits: UploadLimits, usage: UploadUsage, adding: readonly number[]): boolean =>
  usage.files + adding.length > limits.files || usage.bytes + adding.reduce((a, b) => a + b, 0) > limits.bytes;

/** How many bytes `head` keeps. */
export const HEAD_BYTES = 8;

const SAFE_SEGMENT = /^[a-z0-9][a-z0-9-]*$/;
const AGB = /^\d{8}$/;
const FIELD = /^[A-Za-z][A-Za-z0-9]*$/;

/** The folder of a scope and field; the parts are checked so nothing escapes it. */
export function scopePath(scope: UploadScope, field: string): string {
  if (!FIELD.test(field)) throw new Error('invalid upload scope');
  return `${applicationPath(scope)}/${field}`;
}

/** The folder of one application's documents, all fields. */
export function applicationPath(scope: UploadScope): string {
  if (!SAFE_SEGMENT.test(scope.cycleId) || !AGB.test(scope.agb)) throw new Error('invalid upload scope');
  return `${scope.cycleId}/${scope.agb}`;
}

/** A file name safe in a path and an S3 key: letters, digits, dot, dash, underscore; at most 100 characters. */
export function safeFileName(name: string): string {
  const cleaned = name
    .normalize('NFKD')
    .replace(/[^\w.-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-100);
  return cleaned || 'document';
}
