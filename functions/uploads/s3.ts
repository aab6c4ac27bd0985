/**
 * AWS uploads: the browser posts each document straight to S3 with a presigned
 * POST (a plain HTML form, so no JavaScript is needed). The signed policy pins
 * the exact key, the content type and the size range; S3 refuses anything else
 * and, on success, answers 303 to `success_action_redirect` (the link page).
 * The registration POST then finds the newest object per document with
 * `latest` and checks its first bytes.
 *
 * Objects: `<prefix><cycleId>/<agb>/<field>/<slot>.pdf`, prefix `uploads/` (the IAM grant's).
 * S3 cannot count uploads, and a form stays valid until it expires, so a form
 * may write exactly one key, its slot (the number of objects the field held
 * when the page was shown): uploading again with the same form, or with any
 * form shown before the next upload, replaces that object instead of adding
 * one. No form is issued once the application holds its limit, so a field has
 * at most `limits.files` slots however many pages are loaded. The price: the
 * key no longer carries the browser's file name, so the page names the slot.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { Clock } from '../commons/clock.ts';
import {
  DEFAULT_UPLOAD_LIMITS,
  HEAD_BYTES,
  applicationPath,
  scopePath,
  type DirectUploadForm,
  type DocumentRule,
  type StoredDocument,
  type UploadLimits,
  type UploadScope,
  type UploadStore,
  type UploadUsage,
} from './types.ts';

export interface S3UploadStoreOptions {
  client: S3Client;
  bucket: string;
  clock: Clock;
  /** Key prefix of all uploads; the function may only write under it. Default `uploads/`. */
  prefix?: string;
  /** How long a page's upload forms stay valid. Default one hour. */
  expiresInSeconds?: number;
  limits?: UploadLimits;
}

const PDF = Buffer.from('%PDF-', 'latin1');
const SLOT = /^(\d{3})\.pdf$/;

interface Listed {
  Key: string;
  Size: number;
  LastModified?: Date;
}

export class S3UploadStore implements UploadStore {
  readonly mode = 'direct' as const;
  readonly limits: UploadLimits;

  private readonly prefix: string;

  constructor(private readonly options: S3UploadStoreOptions) {
    this.prefix = (options.prefix ?? 'uploads/').replace(/\/*$/, '/');
    this.limits = options.limits ?? DEFAULT_UPLOAD_LIMITS;
  }

  save(): never {
    throw new Error('in AWS documents go to S3 directly (presigned POST), not through the form post');
  }

  discard(): never {
    throw new Error('in AWS nothing is saved with the form post, so nothing is discarded');
  }

  async directUpload(scope: UploadScope, field: string, rule: DocumentRule, redirectTo: string): Promise<DirectUploadForm | undefined> {
    const all = await this.list(`${this.prefix}${applicationPath(scope)}/`);
    const usage = usageOf(all);
    if (usage.files >= this.limits.files || usage.bytes + rule.maxBytes > this.limits.bytes) return undefined;
    const fieldPrefix = `${this.prefix}${scopePath(scope, field)}/`;
    const slot = all.filter((o) => o.Key.startsWith(fieldPrefix)).length;
    const { url, fields } = await createPresignedPost(this.options.client, {
      Bucket: this.options.bucket,
      // An exact key: the policy pins it, so this form can replace its own object but never add another.
      Key: `${fieldPrefix}${String(slot).padStart(3, '0')}.pdf`,
      Conditions: [['content-length-range', 1, rule.maxBytes]],
      Fields: { 'Content-Type': rule.type, success_action_redirect: redirectTo },
      Expires: this.options.expiresInSeconds ?? 3600,
    });
    return { url, fields, origin: new URL(url).origin };
  }

  async usage(scope: UploadScope): Promise<UploadUsage> {
    return usageOf(await this.list(`${this.prefix}${applicationPath(scope)}/`));
  }

  async latest(scope: UploadScope, field: string): Promise<StoredDocument | undefined> {
    const { client, bucket } = this.options;
    const prefix = `${this.prefix}${scopePath(scope, field)}/`;
    // An old form may replace an earlier slot: the newest upload is the last written, not the highest slot.
    const newest = (await this.list(prefix))
      .filter((o) => SLOT.test(o.Key.slice(prefix.length)))
      .sort((a, b) => (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0) || a.Key.localeCompare(b.Key))
      .pop();
    if (!newest) return undefined;

    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: newest.Key, Range: `bytes=0-${HEAD_BYTES - 1}` }));
    const head = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    const slot = Number(SLOT.exec(newest.Key.slice(prefix.length))![1]);
    return {
      field,
      name: `${field}-${slot + 1}.pdf`,
      // The policy fixed the label; the content decides.
      type: Buffer.from(head.subarray(0, PDF.length)).equals(PDF) ? 'application/pdf' : 'application/octet-stream',
      size: newest.Size,
      key: newest.Key,
      storedAt: (newest.LastModified ?? new Date(this.options.clock.now())).toISOString(),
      head,
    };
  }

  private async list(prefix: string): Promise<Listed[]> {
    const { client, bucket } = this.options;
    const objects: Listed[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) if (o.Key) objects.push({ Key: o.Key, Size: o.Size ?? 0, LastModified: o.LastModified });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return objects;
  }
}

const usageOf = (objects: readonly Listed[]): UploadUsage => ({ files: objects.length, bytes: objects.reduce((sum, o) => sum + o.Size, 0) });
