/**
 * Where public documents go (the contracted-provider list, the Q&A memo): a
 * port with two adapters. In AWS an S3 bucket (env PUBLICATIONS_BUCKET, public
 * URL PUBLICATIONS_BASE_URL, e.g. a CloudFront distribution or the insurer's
 * website proxy); locally a folder (`<data>/publications`), which the local
 * runtime serves under its own base URL.
 *
 * Paths are `<cycleId>/<file>`: lower-case letters, digits, dashes, dots, one slash.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ValidationError } from '../commons/errors.ts';

export interface PublicationStore {
  /** Writes (replaces) a public document and returns the URL the public reads it at. */
  put(path: string, body: string, contentType: string): Promise<{ url: string }>;
  /** A document written before, or undefined. */
  get(path: string): Promise<string | undefined>;
  urlOf(path: string): string;
}

const PATH = /^[a-z0-9][a-z0-9.-]*\/[a-z0-9][a-z0-9.-]*$/;

function checkPath(path: string): string {
  if (!PATH.test(path) || path.includes('..')) {
    throw new ValidationError(`Not a publication path: ${JSON.stringify(path)}`, [{ path: 'path', message: 'expected <cycleId>/<file>' }]);
  }
  return path;
}

const joinUrl = (base: string, path: string): string => `${base.replace(/\/+$/, '')}/${path}`;

/** A folder on disk; `baseUrl` is where the local runtime serves that folder. */
export function createFilePublicationStore(options: { dir: string; baseUrl: string }): PublicationStore {
  return {
    async put(path, body) {
      const file = join(options.dir, checkPath(path));
      await mkdir(dirname(file), { recursive: true });
      // Write then rename: a reader never sees half a document.
      await writeFile(`${file}.tmp`, body, 'utf8');
      await rename(`${file}.tmp`, file);
      return { url: joinUrl(options.baseUrl, path) };
    },
    async get(path) {
      try {
        return await readFile(join(options.dir, checkPath(path)), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    urlOf: (path) => joinUrl(options.baseUrl, checkPath(path)),
  };
}

/** An S3 bucket; without `baseUrl` the URL is the bucket's virtual-hosted address. */
export function createS3PublicationStore(options: { client: Pick<S3Client, 'send'>; bucket: string; region: string; baseUrl?: string }): PublicationStore {
  const base = options.baseUrl ?? `https://${options.bucket}.s3.${options.region}.amazonaws.com`;
  return {
    async put(path, body, contentType) {
      await options.client.send(
        new PutObjectCommand({
          Bucket: options.bucket,
          Key: checkPath(path),
          Body: body,
          ContentType: contentType,
          // Lists change during the cycle: let caches keep them only briefly.
          CacheControl: 'public, max-age=300',
        }),
      );
      return { url: joinUrl(base, path) };
    },
    async get(path) {
      try {
        const out = await options.client.send(new GetObjectCommand({ Bucket: options.bucket, Key: checkPath(path) }));
        return await out.Body?.transformToString('utf-8');
      } catch (error) {
        if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    urlOf: (path) => joinUrl(base, checkPath(path)),
  };
}

/** For deployments without a publications bucket: fails clearly when a milestone needs one. */
export function missingPublicationStore(reason: string): PublicationStore {
  const fail = (): never => {
    throw new ValidationError(`No publication store: ${reason}`);
  };
  return { put: async () => fail(), get: async () => fail(), urlOf: () => fail() };
}
