import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../../functions/domain/model.ts';
import { multipart, pdfBytes } from '../../unit/http/support.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { createHarness, form, pathOf, text, type Harness } from './harness.ts';

const local = useDynamoDbLocal();
let h: Harness;

beforeEach(async () => {
  h = await createHarness(local.db.client, await local.freshTable());
});

const request = (agb: string, overrides: Record<string, string> = {}) =>
  form({
    organisationName: 'Revalidatie Oost',
    agb,
    kvk: '12345678',
    contactName: 'Bea Bakker',
    contactEmail: `bea-${agb}@oost.example.nl`,
    careTypes: 'msr',
    ...overrides,
  });

describe('the public registration request (/aanmelden/<cycleId>)', () => {
  it('before the window: 403 with the opening date; after it: 410; nothing written', async () => {
    h.clock.advanceTo('2020-04-20T10:00:00Z');
    // The clock only moves forward: a fresh harness for "before".
    const early = await createHarness(local.db.client, await local.freshTable(), { now: '2020-04-20T10:00:00Z' });
    const before = await early.get('/aanmelden/msr-2021');
    expect(before.statusCode).toBe(403);
    expect(text(before)).toContain('De aanmeldperiode opent op 1 mei 2020');
    expect((await early.post('/aanmelden/msr-2021', request('55500001'))).statusCode).toBe(403);
    expect(await early.store.getProvider('55500001')).toBeUndefined();

    h.clock.advanceTo('2020-07-01T22:00:00Z'); // 2 July 00:00 local
    const after = await h.get('/aanmelden/msr-2021');
    expect(after.statusCode).toBe(410);
    expect(text(after)).toContain('U kon zich aanmelden tot en met 1 juli 2020');
    expect((await h.post('/aanmelden/msr-2021', request('55500002'))).statusCode).toBe(410);
    expect(await h.store.getProvider('55500002')).toBeUndefined();
  });

  it("the cycle's refusals come before the body's: closed 410, unknown 404, open 415 for a body it cannot read", async () => {
    const unreadable = (path: string) => h.post(path, request('55500005'), 'text/plain');
    expect((await unreadable('/aanmelden/msr-2021')).statusCode).toBe(415);
    expect((await unreadable('/aanmelden/bestaat-niet')).statusCode).toBe(404);
    h.clock.advanceTo('2020-07-01T22:00:00Z');
    expect((await unreadable('/aanmelden/msr-2021')).statusCode).toBe(410);
    expect(await h.store.getProvider('55500005')).toBeUndefined();
  });

  it('an unknown cycle: 404', async () => {
    expect((await h.get('/aanmelden/bestaat-niet')).statusCode).toBe(404);
  });

  it('creates provider and application and enqueues the registration link; asking again creates nothing new', async () => {
    const page = await h.get('/aanmelden/msr-2021');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<label for="f-agb">AGB-code van uw organisatie</label>');

    const res = await h.post('/aanmelden/msr-2021', request('55500003'));
    expect(res.statusCode).toBe(303);
    expect(res.headers?.location).toBe('/aanmelden/msr-2021/ontvangen');
    expect((await h.get('/aanmelden/msr-2021/ontvangen')).statusCode).toBe(200);

    const provider = await h.store.getProvider('55500003');
    expect(provider).toMatchObject({ name: 'Revalidatie Oost', kvk: '12345678', careTypes: ['msr'], contacts: [{ role: 'signatory', name: 'Bea Bakker', authority: 'claimed' }] });
    expect(await h.store.getApplication('msr-2021', '55500003')).toMatchObject({ track: 'new', state: 'registration-started' });
    const [message] = await h.store.listMessagesOfProvider('55500003');
    expect(message).toMatchObject({
      template: 'registration-link',
      params: { deadline: '2020-07-01', providerName: 'Revalidatie Oost' },
      link: { action: 'submit-registration', contactId: provider!.contacts[0].id, expiresAt: '2020-07-01T21:59:59.999Z' },
    });

    // Again, and with another address: still one provider, one application, one message; the address on record is kept.
    for (const again of [request('55500003'), request('55500003', { contactEmail: 'iemand@anders.example.nl', organisationName: 'Anders' })]) {
      expect((await h.post('/aanmelden/msr-2021', again)).statusCode).toBe(303);
    }
    expect(await h.store.getProvider('55500003')).toEqual(provider);
    expect(await h.store.listEvents('msr-2021', '55500003')).toHaveLength(1);
    expect(await h.store.listMessagesOfProvider('55500003')).toHaveLength(1);
  });

  it('10 concurrent requests for the same AGB code: one provider, one application, one message', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, () => h.post('/aanmelden/msr-2021', request('55500004'))));
    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(303));
    expect(await h.store.listEvents('msr-2021', '55500004')).toHaveLength(1);
    expect(await h.store.listMessagesOfProvider('55500004')).toHaveLength(1);
  });

  it('field errors beside the fields, input kept: 400', async () => {
    const res = await h.post('/aanmelden/msr-2021', request('1234', { contactEmail: 'geen-adres' }));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="f-agb-error">.*Een AGB-code bestaat uit 8 cijfers/);
    expect(res.body).toMatch(/id="f-contactEmail-error">.*Vul een geldig e-mailadres in/);
    expect(res.body).toContain('value="Revalidatie Oost"');
    expect(await h.store.getProvider('1234')).toBeUndefined();
  });

  it('hostile text: a line break in a name, an address too long for SMTP, bytes that are not UTF-8: 400, nothing written', async () => {
    const refused = await h.post(
      '/aanmelden/msr-2021',
      request('55500006', { organisationName: 'Kliniek\r\nBcc: evil@example.com', contactEmail: `${'a'.repeat(487)}@oost.example.nl` }),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/id="f-organisationName-error">.*Gebruik één regel, zonder regeleinden of andere stuurtekens/);
    expect(refused.body).toMatch(/id="f-contactEmail-error">.*Een e-mailadres heeft hoogstens 254 tekens/);
    for (const body of [
      `${request('55500006')}&x=%FF%FE`.replace('organisationName=Revalidatie+Oost', 'organisationName=Kliniek%FF%FE'),
      Buffer.concat([Buffer.from(request('55500006').replace('organisationName=Revalidatie+Oost', 'organisationName=Kliniek')), Buffer.from([0xff, 0xfe])]),
    ]) {
      const res = await h.post('/aanmelden/msr-2021', body);
      expect(res.statusCode).toBe(400);
      expect(text(res)).toContain('Het formulier bevat tekens die wij niet kunnen lezen');
    }
    expect(await h.store.getProvider('55500006')).toBeUndefined();
    expect(await h.store.listMessagesOfProvider('55500006')).toHaveLength(0);
  });
});

describe('completing and amending the registration (local uploads)', () => {
  async function registrationForm(fields: Record<string, string>, files: Record<string, { name: string; bytes: Uint8Array<ArrayBuffer> }>) {
    const data = new FormData();
    for (const [k, v] of Object.entries(fields)) data.append(k, v);
    for (const [k, f] of Object.entries(files)) data.append(k, new File([f.bytes], f.name, { type: 'application/pdf' }));
    return multipart(data);
  }
  const textFields = {
    careDescription: 'Revalidatie na een beroerte',
    startedOn: '2015-03-01',
    extraLocations: 'nee',
    kvkExtractDate: '2020-05-20',
  };
  const pdf = (name: string) => ({ name, bytes: pdfBytes(2048) });

  async function started(): Promise<{ provider: Provider; url: string }> {
    const { provider } = await h.providerIn('registration-started', 'new');
    const url = await h.issue({ agb: provider.agb, action: 'submit-registration', contactId: provider.contacts[0].id });
    return { provider, url };
  }

  it('stores the documents under uploads/<cycle>/<agb>/, submits, and confirms with a fresh amend link', async () => {
    const { provider, url } = await started();
    const { body, contentType } = await registrationForm(textFields, { kvkExtract: pdf('kvk.pdf'), vog: pdf('vog.pdf'), businessPlan: pdf('plan.pdf') });
    const res = await h.post(pathOf(url), body, contentType);
    expect(res.statusCode, text(res)).toBe(303);

    const app = (await h.store.getApplication(h.cycle.id, provider.agb))!;
    expect(app.state).toBe('registration-submitted');
    const registration = app.registration as { documents: Record<string, { key: string; name: string }> };
    expect(registration).toMatchObject({ careDescription: 'Revalidatie na een beroerte', startedOn: '2015-03-01', extraLocations: false, kvkExtractDate: '2020-05-20' });
    const key = registration.documents.kvkExtract.key;
    expect(key).toMatch(new RegExp(`^msr-2021/${provider.agb}/kvkExtract/\\d{13}-\\d+-kvk\\.pdf$`));
    expect((await readFile(join(h.dataDir, 'uploads', key))).subarray(0, 5).toString()).toBe('%PDF-');

    const [message] = await h.store.listMessagesOfProvider(provider.agb);
    expect(message).toMatchObject({
      template: 'registration-received',
      params: { deadline: '2020-07-01', decisionBy: '2020-09-04' },
      link: { action: 'submit-registration', expiresAt: '2020-07-01T21:59:59.999Z' },
    });
  });

  /** Every file under the uploads folder, as paths relative to it. */
  async function uploadedFiles(): Promise<string[]> {
    const root = join(h.dataDir, 'uploads');
    const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name))).sort();
  }
  const allDocuments = () => ({ kvkExtract: pdf('kvk.pdf'), vog: pdf('vog.pdf'), businessPlan: pdf('plan.pdf') });

  it('a refused post keeps no files (400, and 410 on a used link); the page names the files to choose again', async () => {
    const { provider, url } = await started();
    for (let i = 0; i < 5; i++) {
      const first = await registrationForm({ ...textFields, kvkExtractDate: '2019-12-01' }, allDocuments());
      const res = await h.post(pathOf(url), first.body, first.contentType);
      expect(res.statusCode).toBe(400);
      expect(res.body).toMatch(/id="f-kvkExtractDate-error">.*Het uittreksel mag niet ouder zijn dan 1 januari 2020/);
      expect(res.body).toContain('U koos eerder kvk.pdf. Kies het bestand opnieuw.');
    }
    expect(await uploadedFiles()).toEqual([]);
    expect((await h.snapshot(provider.agb)).state).toBe('registration-started');

    const second = await registrationForm(textFields, allDocuments());
    expect((await h.post(pathOf(url), second.body, second.contentType)).statusCode).toBe(303);
    expect((await h.snapshot(provider.agb)).state).toBe('registration-submitted');
    expect(await uploadedFiles()).toHaveLength(3);

    // The link is used now: 410, and its files are not kept either.
    const again = await registrationForm(textFields, allDocuments());
    expect((await h.post(pathOf(url), again.body, again.contentType)).statusCode).toBe(410);
    expect(await uploadedFiles()).toHaveLength(3);
  });

  it('20 concurrent posts of one link: one succeeds, and only its three files stay', async () => {
    const { provider, url } = await started();
    const posts = await Promise.all(Array.from({ length: 20 }, () => registrationForm(textFields, allDocuments())));
    const results = await Promise.all(posts.map((p) => h.post(pathOf(url), p.body, p.contentType)));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s !== 303).every((s) => s === 410 || s === 409)).toBe(true);
    const files = await uploadedFiles();
    const registration = (await h.store.getApplication(h.cycle.id, provider.agb))!.registration as { documents: Record<string, { key: string }> };
    expect(files).toEqual(Object.values(registration.documents).map((d) => d.key).sort());
  });

  it('caps the files and bytes an application keeps: past the limit the post is refused with 400 and writes nothing', async () => {
    const limited = await createHarness(local.db.client, await local.freshTable(), { uploadLimits: { files: 4, bytes: 1024 * 1024 } });
    const { provider } = await limited.providerIn('registration-started', 'new');
    const issue = () => limited.issue({ agb: provider.agb, action: 'submit-registration', contactId: provider.contacts[0].id });
    const first = await registrationForm(textFields, allDocuments());
    expect((await limited.post(pathOf(await issue()), first.body, first.contentType)).statusCode).toBe(303);
    // An amendment with one new document: 4 files, at the limit.
    const one = await registrationForm(textFields, { vog: pdf('vog-2.pdf') });
    expect((await limited.post(pathOf(await issue()), one.body, one.contentType)).statusCode).toBe(303);
    // One more would be the fifth.
    const past = await registrationForm(textFields, { vog: pdf('vog-3.pdf') });
    const res = await limited.post(pathOf(await issue()), past.body, past.contentType);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="f-vog-error">.*U hebt voor deze aanmelding al het maximum aan documenten gestuurd \(4 bestanden, samen 1 MB\)/);
    const root = join(limited.dataDir, 'uploads');
    const files = (await readdir(root, { recursive: true, withFileTypes: true })).filter((e) => e.isFile());
    expect(files).toHaveLength(4);
    const docs = ((await limited.store.getApplication(limited.cycle.id, provider.agb))!.registration as { documents: Record<string, { name: string }> }).documents;
    expect(docs.vog.name).toBe('vog-2.pdf');
  });

  it('a non-PDF and a missing document are field errors', async () => {
    const { url } = await started();
    const { body, contentType } = await registrationForm(textFields, { kvkExtract: { name: 'kvk.pdf', bytes: new Uint8Array(Buffer.from('MZ not a pdf')) }, vog: pdf('vog.pdf') });
    const res = await h.post(pathOf(url), body, contentType);
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="f-kvkExtract-error">.*Kies een PDF-bestand/);
    expect(res.body).toMatch(/id="f-businessPlan-error">.*Voeg het ondernemingsplan toe/);
  });

  it('the amend link shows what was submitted; amending keeps documents not chosen again', async () => {
    const { provider, url } = await started();
    const all = await registrationForm(textFields, { kvkExtract: pdf('kvk.pdf'), vog: pdf('vog.pdf'), businessPlan: pdf('plan.pdf') });
    await h.post(pathOf(url), all.body, all.contentType);
    // The sender would issue this link for the registration-received email.
    const amend = await h.issue({ agb: provider.agb, action: 'submit-registration', contactId: provider.contacts[0].id });

    const page = await h.get(pathOf(amend));
    expect(page.statusCode).toBe(200);
    expect(text(page)).toContain('Wat u eerder indiende');
    expect(text(page)).toContain('Revalidatie na een beroerte');
    expect(text(page)).toContain('kvk.pdf');
    expect(page.body).toContain('>Revalidatie na een beroerte</textarea>');

    const change = await registrationForm({ ...textFields, extraLocations: 'ja', extraLocationsDescription: 'Zwolle, 2021' }, { vog: pdf('vog-2.pdf') });
    expect((await h.post(pathOf(amend), change.body, change.contentType)).statusCode).toBe(303);
    const app = (await h.store.getApplication(h.cycle.id, provider.agb))!;
    expect(app).toMatchObject({ state: 'registration-submitted', registration: { extraLocations: true, extraLocationsDescription: 'Zwolle, 2021' } });
    const docs = (app.registration as { documents: Record<string, { name: string }> }).documents;
    expect(docs.vog.name).toBe('vog-2.pdf');
    expect(docs.kvkExtract.name).toBe('kvk.pdf');
    expect(await h.store.listMessagesOfProvider(provider.agb)).toHaveLength(2);
  });

  it('after the window closes the amend link has expired: 410', async () => {
    const { url } = await started();
    h.clock.advanceTo('2020-07-01T22:00:00Z');
    const res = await h.get(pathOf(url));
    expect(res.statusCode).toBe(410);
    expect(text(res)).toContain('De termijn verliep op woensdag 1 juli 2020, 23:59');
  });
});

describe('questions and objections (wlz-2021: questions until 15 June 2020)', () => {
  it('a reusable link: each question stored and confirmed once; refused after the deadline', async () => {
    const wlz = await createHarness(local.db.client, await local.freshTable(), { calendarId: 'wlz-2021', now: '2020-06-01T10:00:00Z' });
    const { provider } = await wlz.providerIn('none');
    const url = await wlz.issue({ agb: provider.agb, action: 'ask-question', contactId: provider.contacts[1].id, expiresAt: Date.parse('2020-06-15T21:59:59.999Z') });
    expect((await wlz.get(pathOf(url))).statusCode).toBe(200);

    const q1 = form({ kind: 'question', text: 'Geldt paragraaf 3 ook voor 2022?' });
    expect((await wlz.post(pathOf(url), q1)).statusCode).toBe(303);
    expect((await wlz.post(pathOf(url), q1)).statusCode).toBe(303); // a double click
    expect((await wlz.post(pathOf(url), form({ kind: 'objection', text: 'Bezwaar tegen 4.2' }))).statusCode).toBe(303);
    const receipt = await wlz.get(`${pathOf(url)}/ontvangen`);
    expect(receipt.statusCode).toBe(200);

    const snap = await wlz.snapshot(provider.agb);
    expect(snap.questions).toBe(2);
    expect(snap.messages).toBe(2);
    expect((await wlz.store.listMessagesOfProvider(provider.agb)).map((m) => m.template)).toEqual(['question-received', 'question-received']);

    wlz.clock.advanceTo('2020-06-15T22:00:00Z');
    const late = await wlz.post(pathOf(url), form({ kind: 'question', text: 'Te laat?' }));
    expect(late.statusCode).toBe(410);
    expect((await wlz.snapshot(provider.agb)).questions).toBe(2);
  });
});
