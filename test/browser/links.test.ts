/**
 * A provider clicks a link from the local mailbox: DynamoDB Local, aws-ses-v2-local
 * and the link app on functions/http/node-server.ts, driven by Debian's Chromium.
 * The message goes through the real sender (which issues the link) to the local
 * SES; the test reads the link from the SES store, as a provider reads the email.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import type { BrowserContext } from 'playwright-core';
import { VirtualClock } from '../../functions/commons/clock.ts';
import { buildTimeline } from '../../functions/calendar/timeline.ts';
import { loadCalendar } from '../../functions/calendar/validate.ts';
import { createCycleFromCalendar } from '../../functions/domain/cycle.ts';
import { messageKey } from '../../functions/domain/messages.ts';
import { triggers } from '../../functions/domain/transitions.ts';
import { createEmailSender } from '../../functions/email/sender.ts';
import { serveHandler, type RunningServer } from '../../functions/http/node-server.ts';
import { createProviderLinksApp } from '../../functions/links/app.ts';
import { createLinkIssuer } from '../../functions/links/issue.ts';
import { LocalLinkKeyProvider } from '../../functions/links/keys.ts';
import { ensureTable, startDynamoDbLocal, type DynamoDbLocal } from '../../functions/local/dynamodb-local.ts';
import { createLocalSesClient, startSesLocal, type SesLocal } from '../../functions/local/ses-local.ts';
import { createStore, type Store } from '../../functions/store/index.ts';
import { LocalUploadStore } from '../../functions/uploads/local.ts';
import { aProviderContent } from '../support/factories.ts';

let db: DynamoDbLocal;
let ses: SesLocal;
let server: RunningServer;
let store: Store;
let browser: BrowserContext;
let dataDir: string;
const clock = new VirtualClock('2020-06-15T08:00:00Z');
let cycleId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'links-browser-'));
  [db, ses] = await Promise.all([startDynamoDbLocal(), startSesLocal()]);
  await ensureTable(db.client, 'browser');
  store = createStore({ client: db.client, tableName: 'browser', clock });
  const keys = new LocalLinkKeyProvider(dataDir);
  const uploads = new LocalUploadStore(dataDir, clock);
  // The base URL is only known once the server listens: a handler that reads it late.
  let app: ReturnType<typeof createProviderLinksApp> | undefined;
  server = await serveHandler((event) => app!(event), { clock });
  app = createProviderLinksApp({ store, clock, keys, uploads, config: { baseUrl: server.url } });
  const calendar = await loadCalendar('msr-2021');
  const { cycle, steps } = createCycleFromCalendar(calendar, { steps: buildTimeline(calendar), clock });
  await store.putCycle(cycle);
  await store.putSteps(cycle.id, steps);
  cycleId = cycle.id;
  browser = await launchChromium(dataDir);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await Promise.all([ses?.stop(), db?.stop()]);
  await rm(dataDir, { recursive: true, force: true });
});

/** Sends the queued messages through the real sender to the local SES and reads the newest link mailed to `address`. */
async function sendAndReadLink(address: string): Promise<string> {
  const sender = createEmailSender({
    outbox: store,
    ses: createLocalSesClient(ses.endpoint),
    clock,
    sleep: async (ms) => void clock.advanceBy(ms),
    config: { from: 'inkoop@zorgverzekeraar.example.nl', ratePerSecond: 10, maxAttempts: 2, batchSize: 10 },
    linkIssuer: createLinkIssuer({ keys: new LocalLinkKeyProvider(dataDir), baseUrl: server.url, clock }),
    logger: { info() {}, warn() {}, error() {} },
  });
  expect(await sender.sendQueued()).toMatchObject({ failed: 0 });
  const emails = (await ses.fetchStore()).filter((e) => e.destination.to.includes(address));
  const link = new RegExp(`${server.url.replace(/[.:/]/g, '\\$&')}/l/[A-Za-z0-9_.-]+`).exec(emails.at(-1)?.body.text ?? '')?.[0];
  expect(link, 'a link in the email').toBeDefined();
  return link!;
}

const pdf = (name: string) => ({ name, mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 0x20)]) });

describe('a new provider registers', () => {
  it('asks through the public form, gets the link by email, completes the registration with documents', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/aanmelden/${cycleId}`);
    expect(await page.locator('h1').textContent()).toBe('Aanmelden als nieuwe zorgaanbieder');
    await page.getByLabel('Naam van uw organisatie').fill('Revalidatie Oost');
    await page.getByLabel('AGB-code van uw organisatie').fill('5550 0099');
    await page.getByLabel('KvK-nummer').fill('12345678');
    await page.getByLabel('Naam van de contactpersoon').fill('Bea Bakker');
    await page.getByLabel('E-mailadres van de contactpersoon').fill('bea@oost.example.nl');
    await page.getByRole('button', { name: 'Aanmelding versturen' }).click();
    await page.waitForURL(/\/ontvangen$/);
    expect(await page.locator('h1').textContent()).toBe('Aanmelding ontvangen');

    const link = await sendAndReadLink('bea@oost.example.nl');
    await page.goto(link);
    expect(await page.locator('h1').textContent()).toBe('Aanmelding afronden');
    await page.getByLabel('Welke zorg wilt u door ons laten contracteren?').fill('Revalidatie na een beroerte');
    await page.getByLabel('Sinds wanneer bestaat uw instelling?').fill('2015-03-01');
    await page.getByRole('radio', { name: 'Nee', exact: true }).check();
    await page.getByLabel('Uittreksel uit het Handelsregister van de KvK, met de statuten').setInputFiles(pdf('kvk.pdf'));
    await page.getByLabel('Datum van het uittreksel').fill('2019-12-01'); // older than 1 January 2020
    await page.getByLabel('Verklaring Omtrent het Gedrag voor rechtspersonen (VOG RP)').setInputFiles(pdf('vog.pdf'));
    await page.getByLabel('Ondernemingsplan').setInputFiles(pdf('plan.pdf'));
    await page.getByRole('button', { name: 'Aanmelding versturen' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#f-kvkExtractDate-error').textContent()).toContain('Het uittreksel mag niet ouder zijn dan 1 januari 2020');
    // A refused post keeps no files: the page says which ones to choose again.
    expect(await page.locator('main').textContent()).toContain('U koos eerder kvk.pdf. Kies het bestand opnieuw.');

    await page.getByLabel('Uittreksel uit het Handelsregister van de KvK, met de statuten').setInputFiles(pdf('kvk.pdf'));
    await page.getByLabel('Verklaring Omtrent het Gedrag voor rechtspersonen (VOG RP)').setInputFiles(pdf('vog.pdf'));
    await page.getByLabel('Ondernemingsplan').setInputFiles(pdf('plan.pdf'));
    await page.getByLabel('Datum van het uittreksel').fill('2020-05-20');
    await page.getByRole('button', { name: 'Aanmelding versturen' }).click();
    await page.waitForURL(/\/ontvangen$/);
    expect(await store.getApplication(cycleId, '55500099')).toMatchObject({ state: 'registration-submitted', registration: { kvkExtractDate: '2020-05-20' } });
  });
});

describe('a provider acts through the link in its email', () => {
  it('opens the link, fixes an invalid field, submits, and the application moves on', async () => {
    clock.advanceTo('2020-09-02T08:00:00Z');
    const cycle = (await store.getCycle(cycleId))!;
    const { provider } = await store.putProvider(aProviderContent({ careTypes: ['msr'] }));
    const contact = provider.contacts.find((c) => c.role === 'general')!;
    const { application } = await store.createApplication({
      cycleId: cycle.id,
      agb: provider.agb,
      track: 'existing',
      providerName: provider.name,
      trigger: triggers.operator('invite'),
      actor: { kind: 'operator', id: 'op' },
    });
    await store.transition(application, { to: 'in-negotiation', trigger: triggers.milestone('agreement-available', 'notify'), actor: { kind: 'system' } });

    // What the agreement-available milestone enqueues; the sender issues the link.
    await store.enqueueMessage({
      key: messageKey({ cycleId: cycle.id, agb: provider.agb, cause: 'agreement-available#notify', template: 'agreement-available' }),
      cycleId: cycle.id,
      agb: provider.agb,
      recipients: [{ role: 'general', address: contact.email, name: contact.name, contactId: contact.id }],
      template: 'agreement-available',
      params: { providerName: provider.name, agb: provider.agb, careTypeName: cycle.careType.name, contractYear: 2021, proposalRequested: true, deadline: '2020-09-15' },
      link: { action: 'submit-proposal', contactId: contact.id, expiresAt: '2020-09-15T21:59:59.999Z' },
    });
    const link = await sendAndReadLink(contact.email);

    const page = await browser.newPage();
    await page.goto(link!);
    expect(await page.locator('h1').textContent()).toBe('Voorstel voor een financiële afspraak');
    expect(await page.locator('main').textContent()).toContain('dinsdag 15 september 2020, 23:59');

    // One invalid field: the amount.
    await page.getByLabel("Bedrag in euro's").fill('heel veel');
    await page.getByLabel('Volume').fill('250');
    await page.getByRole('button', { name: 'Voorstel versturen' }).click();
    await page.waitForLoadState();
    expect(await page.title()).toMatch(/^Fout: /);
    const error = page.locator('#f-amount-error');
    expect(await error.textContent()).toContain("Vul een bedrag in euro's in");
    expect(await page.getByLabel("Bedrag in euro's").getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Volume').inputValue()).toBe('250');
    expect((await store.getApplication(cycle.id, provider.agb))?.state).toBe('in-negotiation');

    await page.getByLabel("Bedrag in euro's").fill('125.000,00');
    await page.getByRole('button', { name: 'Voorstel versturen' }).click();
    await page.waitForURL(/\/ontvangen$/);
    expect(await page.locator('h1').textContent()).toBe('Ontvangen');

    const app = await store.getApplication(cycle.id, provider.agb);
    expect(app).toMatchObject({ state: 'proposal-submitted', proposal: { amountCents: 12_500_000, volume: 250 } });
    expect((await store.listMessagesOfProvider(provider.agb)).map((m) => m.template)).toEqual(['agreement-available', 'proposal-received']);

    // The link did its work: opening it again says so.
    const again = await page.goto(link!);
    expect(again?.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe('Deze link is al gebruikt');
  });
});
