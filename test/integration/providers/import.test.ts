import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ValidationError } from '../../../functions/commons/errors.ts';
import { parseProvidersCsv, parseProvidersJson } from '../../../functions/providers/import.ts';
import { importProviders } from '../../../functions/providers/write.ts';
import type { Store } from '../../../functions/store/index.ts';
import { spawnInkoop } from '../../support/cli.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';

const local = useDynamoDbLocal();
let store: Store;
let clock: VirtualClock;

beforeEach(async () => {
  clock = new VirtualClock('2020-03-01T00:00:00Z');
  store = await local.freshStore(clock);
});

const HEADER = 'agb,kvk,name,careTypes,contactName,contactEmail,contactRole,contracts';
/** 40 providers, two contacts each; every third holds a contract for 2020. */
const goodCsv = (rename = ''): string =>
  [
    HEADER,
    ...Array.from({ length: 40 }, (_, i) => {
      const agb = String(20_000_000 + i);
      const contracts = i % 3 === 0 ? 'msr:2020' : '';
      const name = `Aanbieder ${i}${i === 7 ? rename : ''}`;
      return [
        `${agb},${String(30_000_000 + i)},${name},msr,Teken ${i},teken${i}@aanbieder${i}.example.nl,signatory,${contracts}`,
        `${agb},${String(30_000_000 + i)},${name},msr,Info ${i},info${i}@aanbieder${i}.example.nl,general,${contracts}`,
      ];
    }).flat(),
  ].join('\n');

async function allProviders(s: Store) {
  const items = [];
  let cursor: string | null = null;
  do {
    const page = await s.listProviders({ limit: 25, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

describe('provider import against DynamoDB Local', () => {
  it('imports a file, and re-importing it changes nothing', async () => {
    expect(await importProviders(store, parseProvidersCsv(goodCsv()))).toEqual({ providers: 40, created: 40, updated: 0, unchanged: 0, dryRun: false });
    const before = await allProviders(store);
    clock.advanceBy(86_400_000);
    expect(await importProviders(store, parseProvidersCsv(goodCsv()))).toMatchObject({ created: 0, updated: 0, unchanged: 40 });
    expect(await allProviders(store)).toEqual(before); // not even updatedAt moved
    expect((await store.listProvidersOfCareType('msr', { limit: 100 })).items).toHaveLength(40);

    expect(await importProviders(store, parseProvidersCsv(goodCsv(' BV')), { dryRun: true })).toMatchObject({ updated: 1, unchanged: 39, dryRun: true });
    expect(await importProviders(store, parseProvidersCsv(goodCsv(' BV')))).toMatchObject({ created: 0, updated: 1, unchanged: 39 });
    expect(await store.getProvider('20000007')).toMatchObject({ name: 'Aanbieder 7 BV', createdAt: '2020-03-01T00:00:00.000Z', updatedAt: '2020-03-02T00:00:00.000Z' });
  });

  it('a file with bad rows writes nothing and names every bad row', async () => {
    const lines = goodCsv().split('\n');
    lines[5] = lines[5].replace('aanbieder2.example.nl', 'aanbieder2'); // bad email
    lines[12] = lines[12].replace(',general,', ',signatory,'); // second signatory
    lines.push('1234,30000099,Kapot,msr,X,x@kapot.example.nl,signatory,'); // bad AGB
    let error: ValidationError | undefined;
    try {
      await importProviders(store, parseProvidersCsv(lines.join('\n'), 'bad.csv'));
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.issues.map((i) => `${i.source}: ${i.path}`)).toEqual(['bad.csv line 6: contactEmail', 'bad.csv line 13: contactRole', `bad.csv line ${lines.length}: agb`]);
    expect(await allProviders(store)).toEqual([]);
  });

  it('imports the same providers from JSON', async () => {
    const json = JSON.stringify(
      [
        { agb: '01234567', kvk: '12345678', name: 'Oost', careTypes: ['msr', 'zg'], contacts: [{ name: 'A', email: 'a@oost.example.nl', role: 'signatory' }], contracts: [{ careType: 'zg', firstYear: 2024, lastYear: 2025 }] },
      ],
      null,
      2,
    );
    expect(await importProviders(store, parseProvidersJson(json))).toMatchObject({ created: 1 });
    expect(await importProviders(store, parseProvidersJson(json))).toMatchObject({ unchanged: 1 });
    expect((await store.listProvidersOfCareType('zg')).items[0]).toMatchObject({ contracts: [{ careType: 'zg', firstYear: 2024, lastYear: 2025 }] });
  });
});

describe('inkoop providers import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkoop-import-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Each call starts DynamoDB Local on the data folder (a JVM): on a loaded two-core machine that alone took 90 s.
  const inkoop = (...args: string[]) => spawnInkoop([...args, '--data', join(dir, 'data')], { timeout: 240_000 });

  it('imports into the local runtime, re-imports as unchanged, and rejects a bad file with exit 1', { timeout: 600_000 }, () => {
    const good = join(dir, 'providers.csv');
    writeFileSync(good, goodCsv());
    const first = inkoop('providers', 'import', good, '--json');
    expect(first.stderr).toBe('');
    expect(JSON.parse(first.stdout)).toMatchObject({ file: 'providers.csv', providers: 40, created: 40 });
    const again = inkoop('providers', 'import', good);
    expect(again.stdout).toBe('Imported providers.csv: 40 providers (0 created, 0 updated, 40 unchanged)\n');

    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, `${HEADER}\n0123456,12345678,X,msr,A,not-an-email,signatory,\n`);
    const refused = inkoop('providers', 'import', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('bad.csv line 2: agb: an AGB code of 8 digits');
    expect(refused.stderr).toContain('bad.csv line 2: contactEmail: an email address');
    expect(refused.stderr).not.toContain('not-an-email');
  });
});
