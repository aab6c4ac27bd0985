/**
 * Large provider files on their way to `inkoop providers import --aws`: the
 * operator API hands out a presigned PUT under `imports/` in the documents
 * bucket (the signature pins the key and the exact length), the CLI uploads,
 * and the import request names the key; the API reads it back and imports it
 * all or nothing. The bucket's lifecycle rule expires them.
 */
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Clock } from '../commons/clock.ts';
import { NotFoundError } from '../commons/errors.ts';
import type { ImportFilesPort } from './admin.ts';

export const IMPORTS_PREFIX = 'imports/';
const EXPIRES_SECONDS = 900;

export function s3ImportFiles(options: { client: S3Client; bucket: string; clock: Clock }): ImportFilesPort {
  const { client, bucket, clock } = options;
  return {
    async presign({ format, bytes }) {
      const key = `${IMPORTS_PREFIX}${String(clock.now()).padStart(13, '0')}-${randomBytes(12).toString('hex')}.${format}`;
      const contentType = format === 'csv' ? 'text/csv' : 'application/json';
      const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: key, ContentLength: bytes, ContentType: contentType }), {
        expiresIn: EXPIRES_SECONDS,
        signableHeaders: new Set(['content-type', 'content-length']),
      });
      return { url, key, headers: { 'content-type': contentType }, expiresAt: new Date(clock.now() + EXPIRES_SECONDS * 1000).toISOString() };
    },
    async read(key) {
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await out.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (error instanceof NoSuchKey) throw new NotFoundError(`Nothing was uploaded as ${key}: upload the file first`);
        throw error;
      }
    },
  };
}
