/** Large provider imports: a presigned PUT under imports/ that pins key, type and length; reading it back (aws-sdk-client-mock). */
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { NotFoundError } from '../../../functions/commons/errors.ts';
import { adminPort } from '../../../functions/operators/admin.ts';
import { s3ImportFiles } from '../../../functions/operators/s3-import-files.ts';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const clock = new VirtualClock('2020-06-15T10:00:00Z');
const files = s3ImportFiles({ client, bucket: 'docs-bucket', clock });
/** A GetObject body as the SDK hands it over (only what the adapter uses). */
const body = (text: string) => ({ transformToString: async () => text }) as never;

beforeEach(() => s3.reset());

describe('s3ImportFiles', () => {
  it('presigns a PUT of exactly that many bytes, of that type, to a fresh key under imports/, for 15 minutes', async () => {
    const a = await files.presign({ name: 'providers.csv', format: 'csv', bytes: 1_234_567 });
    const b = await files.presign({ name: 'providers.csv', format: 'csv', bytes: 1_234_567 });
    expect(a.key).toMatch(/^imports\/1592215200000-[0-9a-f]{24}\.csv$/);
    expect(b.key).not.toBe(a.key);
    const url = new URL(a.url);
    expect(url.hostname).toBe('docs-bucket.s3.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe(`/${a.key}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
    expect(a.headers).toEqual({ 'content-type': 'text/csv' });
    expect(a.expiresAt).toBe('2020-06-15T10:15:00.000Z');
  });

  it('reads an upload back as text; a key with nothing behind it is NotFound', async () => {
    s3.on(GetObjectCommand, { Bucket: 'docs-bucket', Key: 'imports/1-a.csv' }).resolves({ Body: body('agb,kvk\n') });
    s3.on(GetObjectCommand, { Key: 'imports/2-b.csv' }).rejects(new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }));
    expect(await files.read('imports/1-a.csv')).toBe('agb,kvk\n');
    await expect(files.read('imports/2-b.csv')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('an import from an upload parses the uploaded file: its bad rows are refused row by row and nothing is written', async () => {
    s3.on(GetObjectCommand).resolves({
      Body: body('agb,kvk,name,careTypes,contactName,contactEmail,contactRole\n0123,12345678,Oost,msr,Anna,anna@oost.example.nl,signatory\n'),
    });
    const writes: string[] = [];
    const store = {
      getProviders: async () => new Map(),
      putProvider: async () => {
        writes.push('put');
        return { outcome: 'created' as const };
      },
    } as unknown as Parameters<typeof adminPort>[0]['store'];
    const admin = adminPort({ store, clock, files });
    await expect(admin.importProviders({ name: 'big.csv', format: 'csv', upload: 'imports/1-a.csv' })).rejects.toMatchObject({
      code: 'ValidationError',
      issues: [expect.objectContaining({ source: 'big.csv line 2', path: 'agb' })],
    });
    expect(writes).toEqual([]);
  });
});
