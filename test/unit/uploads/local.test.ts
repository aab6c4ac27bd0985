import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { LocalUploadStore } from '../../../functions/uploads/local.ts';
import { safeFileName, scopePath } from '../../../functions/uploads/types.ts';

let dir: string;
let clock: VirtualClock;
let store: LocalUploadStore;
const scope = { cycleId: 'msr-2021', agb: '12345678' };
const pdf = (name: string, extra = '') => {
  const bytes = new Uint8Array(Buffer.from(`%PDF-1.7\n${extra}`));
  return { name, type: 'application/pdf', size: bytes.length, bytes };
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'uploads-'));
  clock = new VirtualClock('2020-06-15T10:00:00Z');
  store = new LocalUploadStore(dir, clock);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('LocalUploadStore', () => {
  it('writes under <data>/uploads/<cycleId>/<agb>/<field>/ and finds the newest per field', async () => {
    expect(store.mode).toBe('inline');
    expect(await store.latest(scope, 'vog')).toBeUndefined();
    const first = await store.save(scope, 'vog', pdf('vog oud.pdf', 'one'));
    expect(first.key).toMatch(/^msr-2021\/12345678\/vog\/\d{13}-1-vog_oud\.pdf$/);
    expect(await readFile(join(dir, 'uploads', first.key), 'utf8')).toBe('%PDF-1.7\none');

    await store.save(scope, 'vog', pdf('vog-nieuw.pdf', 'two')); // same virtual millisecond
    clock.advanceBy(1000);
    await store.save(scope, 'businessPlan', pdf('plan.pdf'));
    const latest = await store.latest(scope, 'vog');
    expect(latest).toMatchObject({ field: 'vog', name: 'vog-nieuw.pdf', type: 'application/pdf', size: 12 });
    expect(Buffer.from(latest!.head).toString()).toBe('%PDF-1.7');
  });

  it('counts what an application stores, all fields, and discards a file it saved', async () => {
    expect(await store.usage(scope)).toEqual({ files: 0, bytes: 0 });
    const vog = await store.save(scope, 'vog', pdf('vog.pdf', 'one'));
    await store.save(scope, 'businessPlan', pdf('plan.pdf', 'three'));
    await store.save({ ...scope, agb: '87654321' }, 'vog', pdf('other.pdf'));
    expect(await store.usage(scope)).toEqual({ files: 2, bytes: 12 + 14 });
    await store.discard(vog);
    expect(await store.usage(scope)).toEqual({ files: 1, bytes: 14 });
    expect(await store.latest(scope, 'vog')).toBeUndefined();
    await expect(store.discard({ ...vog, key: '../../etc/passwd' })).rejects.toThrow(/not an upload key/);
  });

  it('never leaves its folder', () => {
    expect(() => scopePath({ cycleId: '../etc', agb: '12345678' }, 'vog')).toThrow();
    expect(() => scopePath({ cycleId: 'msr', agb: '1234/../' }, 'vog')).toThrow();
    expect(() => scopePath(scope, '../x')).toThrow();
    expect(safeFileName('../../etc/passwd')).toBe('etc_passwd');
    expect(safeFileName('C:\\Users\\anna\\uittreksel KvK.pdf')).toBe('C_Users_anna_uittreksel_KvK.pdf');
    expect(safeFileName('...')).toBe('document');
  });
});
