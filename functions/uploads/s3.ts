/**
 * AWS uploads: the browser posts each document straight to S3 with a presigned
 * POST (a plain HTML form, so no JavaScript is needed). The signed policy pins
 * the key prefix (this provider, cycle and document), the content type and the
 * size range; S3 refuses anything else and, on success, answers 303 to
 * `success_action_redirect` (the link page). The registration POST then finds
 * the newest object per document with `latest` and checks its first bytes.
 *
 * Objects: `<prefix><cycleId>/<agb>/<field>/<epoch ms>-<file name>`, prefix `uploads/` (the IAM grant's).
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { Clock } from '../commons/clock.ts';
import { HEAD_BYTES, scopePath, type DirectUploadForm, type DocumentRule, type StoredDocument, type UploadScope, type UploadStore } from './types.ts';

export interface S3UploadStoreOptions {
  client: S3Client;
  bucket: string;
  clock: Clock;
  /** Key prefix of all uploads; the function may only write under it. Default `uploads/`. */
  prefix?: string;
  /** How long a page's upload forms stay valid. Default one hour. */
  expiresInSeconds?: number;
}

const PDF = Buffer.from('%PDF-', 'latin1');

export class S3UploadStore implements UploadStore {
  readonly mode = 'direct' as const;

  private readonly prefix: string;

  constructor(private readonly options: S3UploadStoreOptions) {
    this.prefix = (options.prefix ?? 'uploads/').replace(/\/*$/, '/');
  }

  save(): never {
    throw new Error('in AWS documents go to S3 directly (presigned POST), not through the form post');
  }

  async directUpload(scope: UploadScope, field: string, rule: DocumentRule, redirectTo: string): Promise<DirectUploadForm> {
    const stamp = String(this.options.clock.now()).padStart(13, '0');
    const { url, fields } = await createPresignedPost(this.options.client, {
      Bucket: this.options.bucket,
      // S3 puts the chosen file's name in place of ${filename}; the policy then pins only the prefix.
      Key: `${this.prefix}${scopePath(scope, field)}/${stamp}-\${filename}`,
      Conditions: [['content-length-range', 1, rule.maxBytes]],
      Fields: { 'Content-Type': rule.type, success_action_redirect: redirectTo },
      Expires: this.options.expiresInSeconds ?? 3600,
    });
    return { url, fields, origin: new URL(url).origin };
  }

  async latest(scope: UploadScope, field: string): Promise<StoredDocument | undefined> {
    const { client, bucket } = this.options;
    const prefix = `${this.prefix}${scopePath(scope, field)}/`;
    let newest: { Key?: string; Size?: number; LastModified?: Date } | undefined;
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        // The key starts with the upload time, so the greatest key is the newest upload.
        if (object.Key && (!newest?.Key || object.Key > newest.Key)) newest = object;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    if (!newest?.Key) return undefined;

    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: newest.Key, Range: `bytes=0-${HEAD_BYTES - 1}` }));
    const head = out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    const rest = newest.Key.slice(prefix.length);
    const dash = rest.indexOf('-');
    return {
      field,
      name: rest.slice(dash + 1),
      // The policy fixed the label; the content decides.
      type: Buffer.from(head.subarray(0, PDF.length)).equals(PDF) ? 'application/pdf' : 'application/octet-stream',
      size: newest.Size ?? 0,
      key: newest.Key,
      storedAt: (newest.LastModified ?? new Date(Number(rest.slice(0, dash)))).toISOString(),
      head,
    };
  }
}
