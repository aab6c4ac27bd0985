import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { S3UploadStore } from '../../../functions/uploads/s3.ts';

const s3Mock = mockClient(S3Client);
const client = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
const scope = { cycleId: 'msr-2021', agb: '12345678' };
let store: S3UploadStore;

beforeEach(() => {
  s3Mock.reset();
  store = new S3UploadStore({ client, bucket: 'docs-bucket', clock: new VirtualClock('2020-06-15T10:00:00Z') });
});

describe('S3UploadStore: presigned POST straight from the browser', () => {
  it('signs a policy that pins the exact key (a slot), the type, the size and the redirect', async () => {
    expect(store.mode).toBe('direct');
    s3Mock.on(ListObjectsV2Command).resolves({});
    const form = (await store.directUpload(scope, 'kvkExtract', { type: 'application/pdf', maxBytes: 10 * 1024 * 1024 }, 'https://links.example.nl/l/tok?document=kvkExtract'))!;
    expect(form.url).toMatch(/^https:\/\/docs-bucket\.s3\.eu-west-1\.amazonaws\.com\/?$/);
    expect(form.origin).toBe('https://docs-bucket.s3.eu-west-1.amazonaws.com');
    expect(form.fields.key).toBe('uploads/msr-2021/12345678/kvkExtract/000.pdf');
    expect(form.fields['Content-Type']).toBe('application/pdf');
    expect(form.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    const policy = JSON.parse(Buffer.from(form.fields.Policy, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 10 * 1024 * 1024],
        { 'Content-Type': 'application/pdf' },
        { success_action_redirect: 'https://links.example.nl/l/tok?document=kvkExtract' },
        { bucket: 'docs-bucket' },
        { key: 'uploads/msr-2021/12345678/kvkExtract/000.pdf' },
      ]),
    );
    // No starts-with: the browser cannot choose another key (a file name would make every upload a new object).
    expect(JSON.stringify(policy.conditions)).not.toContain('starts-with');
  });

  it('caps files and bytes per application: the next slot while under the limit, no form at the limit', async () => {
    const limited = new S3UploadStore({ client, bucket: 'docs-bucket', clock: new VirtualClock('2020-06-15T10:00:00Z'), limits: { files: 4, bytes: 25 * 1024 * 1024 } });
    const rule = { type: 'application/pdf', maxBytes: 10 * 1024 * 1024 };
    const object = (field: string, slot: number, size = 1024) => ({ Key: `uploads/msr-2021/12345678/${field}/00${slot}.pdf`, Size: size });
    s3Mock.on(ListObjectsV2Command, { Prefix: 'uploads/msr-2021/12345678/' }).resolves({ Contents: [object('vog', 0), object('vog', 1), object('kvkExtract', 0)] });
    expect((await limited.directUpload(scope, 'vog', rule, 'https://x/'))?.fields.key).toBe('uploads/msr-2021/12345678/vog/002.pdf');
    expect(await limited.usage(scope)).toEqual({ files: 3, bytes: 3072 });
    // A fourth object: the limit of files.
    s3Mock.on(ListObjectsV2Command, { Prefix: 'uploads/msr-2021/12345678/' }).resolves({ Contents: [object('vog', 0), object('vog', 1), object('vog', 2), object('kvkExtract', 0)] });
    expect(await limited.directUpload(scope, 'businessPlan', rule, 'https://x/')).toBeUndefined();
    // 20 MB stored: another 10 MB upload could pass the 25 MB limit.
    s3Mock.on(ListObjectsV2Command, { Prefix: 'uploads/msr-2021/12345678/' }).resolves({ Contents: [object('vog', 0, 20 * 1024 * 1024)] });
    expect(await limited.directUpload(scope, 'businessPlan', rule, 'https://x/')).toBeUndefined();
  });

  it('latest: the object of the field written last (an old form may replace an earlier slot), its first bytes by a range request', async () => {
    const prefix = 'uploads/msr-2021/12345678/vog/';
    s3Mock.on(ListObjectsV2Command, { Prefix: prefix }).resolves({
      Contents: [
        { Key: `${prefix}001.pdf`, Size: 10, LastModified: new Date('2020-06-15T10:00:00Z') },
        { Key: `${prefix}000.pdf`, Size: 2048, LastModified: new Date('2020-06-16T10:00:01Z') },
      ],
    });
    // The SDK's streaming body, reduced to the one method the store calls.
    const Body = { transformToByteArray: async () => new Uint8Array(Buffer.from('%PDF-1.7')) };
    s3Mock.on(GetObjectCommand).resolves({ Body } as never);
    const doc = await store.latest(scope, 'vog');
    expect(doc).toMatchObject({ name: 'vog-1.pdf', size: 2048, type: 'application/pdf', key: `${prefix}000.pdf`, storedAt: '2020-06-16T10:00:01.000Z' });
    expect(s3Mock.commandCalls(GetObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'docs-bucket', Range: 'bytes=0-7' });
  });

  it('latest: nothing uploaded yet', async () => {
    s3Mock.on(ListObjectsV2Command).resolves({});
    expect(await store.latest(scope, 'vog')).toBeUndefined();
  });
});
