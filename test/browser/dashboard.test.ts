/**
 * The operators' dashboard in an interactive rehearsal, driven by Debian's
 * Chromium: open it through its session URL, check the timeline and the counts
 * against the store, advance the virtual clock from the page (which updates
 * without a reload) until registrations are under review, reject one from the
 * purchasers' queue with a reason, advance to the eligibility notification and
 * find the decision email, with that reason, in the local mailbox. A screenshot
 * of the cycle page is kept in test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.ts';
import { logger } from '../../functions/commons/logger.ts';
import { createShutdown, type Shutdown } from '../../functions/local/process.ts';
import { rehearse, type RehearsalResult } from '../../functions/local/rehearsal/rehearse.ts';
import { grantedActions } from '../../functions/local/iam-actions.ts';
import type { LocalRuntime } from '../../functions/local/runtime.ts';
import type { CycleStatusView } from '../../functions/operators/views.ts';

// Code in page.evaluate runs in the browser; the project's types have no DOM.
declare const window: any;
declare const document: any;

const CYCLE = 'msr-2021';
const ARTIFACTS = join(process.cwd(), 'test-artifacts');
const DONE_COLOR = '#00703c';

let dataDir: string;
let shutdown: Shutdown;
let rehearsal: Promise<RehearsalResult>;
let runtime: LocalRuntime;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  logger.setLogLevel('ERROR');
  dataDir = await mkdtemp(join(tmpdir(), 'dashboard-browser-'));
  shutdown = createShutdown({ signals: [], exitOnSignal: false });
  let started!: (r: LocalRuntime) => void;
  const ready = new Promise<LocalRuntime>((resolve) => (started = resolve));
  rehearsal = rehearse({
    calendar: CYCLE,
    providers: 30,
    seed: '1',
    dataDir,
    mode: 'interactive',
    serve: true,
    progress: 'none',
    stream: process.stderr,
    shutdown,
    onStarted: (r) => started(r),
  });
  runtime = await Promise.race([ready, rehearsal.then(() => Promise.reject(new Error('the rehearsal ended before it started')))]);
  browser = await launchChromium(dataDir, { viewport: { width: 1400, height: 1000 } });
  page = await browser.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await shutdown?.run();
  await rehearsal?.catch(() => undefined);
  await rm(dataDir, { recursive: true, force: true });
  logger.setLogLevel('INFO');
}, 120_000);

/** The cycle's JSON as the page polls it (same session). */
const cycleJson = (): Promise<CycleStatusView> =>
  page.evaluate(async (id) => (await fetch(`/operator/cycles/${id}`)).json() as Promise<CycleStatusView>, CYCLE);

/** Clicks "advance" and waits until the move is over and the page shows it, without a reload. */
async function advance(): Promise<string> {
  const before = await page.locator('[data-now]').getAttribute('data-now');
  const advances = Number((await page.locator('body').getAttribute('data-advances')) ?? 0);
  await page.evaluate(() => (window.noReload = true));
  await page.getByRole('button', { name: 'Advance to the next milestone' }).click();
  await page.waitForFunction((n) => Number(document.body.dataset.advances ?? 0) > n, advances, { timeout: 150_000 });
  expect(await page.evaluate(() => window.noReload)).toBe(true);
  const after = (await page.locator('[data-now]').getAttribute('data-now'))!;
  expect(Date.parse(after)).toBeGreaterThan(Date.parse(before!));
  expect(after).toBe(new Date(runtime.clock.now()).toISOString());
  return after;
}

async function advanceUntil(done: () => Promise<boolean>, max: number): Promise<void> {
  for (let i = 0; i < max && !(await done()); i++) await advance();
  expect(await done()).toBe(true);
}

describe('the operators’ dashboard in an interactive rehearsal', () => {
  it('shows the timeline and counts, records a decision, and the decision email goes out at the notification', async () => {
    // -- the session URL swaps its token for a cookie; the overview lists the cycle
    expect(runtime.urls.dashboard).toMatch(/\/\?session=[\w-]{32,}$/);
    await page.goto(runtime.urls.dashboard!);
    expect(new URL(page.url()).search).toBe('');
    await expect.poll(() => page.locator(`[data-cycle-row="${CYCLE}"]`).count()).toBe(1);
    await page.locator(`a[href="/cycles/${CYCLE}"]`).first().click();
    await page.waitForURL(`**/cycles/${CYCLE}`);

    // -- the timeline: one bar per milestone on a time axis, a "now" line at the virtual clock
    await page.waitForFunction(() => !!window.inkoopCharts?.['timeline-chart']);
    const timeline = await page.evaluate(() => {
      const chart = window.inkoopCharts['timeline-chart'];
      return { labels: chart.data.labels.length, bars: chart.data.datasets[0].data.length, now: chart.options.plugins.nowLine.now, axis: chart.options.scales.x.type };
    });
    const calendarMilestones = (await runtime.store.getCycle(CYCLE))!.calendar.milestones.length;
    expect(timeline).toEqual({ labels: calendarMilestones, bars: calendarMilestones, now: runtime.clock.now(), axis: 'linear' });

    // -- advance from the page until the registration window has closed and registrations wait for a decision
    await advanceUntil(async () => (await page.locator('tr[data-decision]').count()) > 0, 8);
    const underReview = (await runtime.store.queryApplicationsByState(CYCLE, 'under-review')).items;
    expect(underReview.length).toBeGreaterThan(0);
    expect(await page.locator('tr[data-decision]').count()).toBe(underReview.length);
    expect(await page.locator('[data-count="decisions"]').textContent()).toBe(String(underReview.length));
    expect(await page.locator('td[data-state="under-review"]').textContent()).toBe(String(underReview.length));
    const status = await cycleJson();
    expect(await page.locator('[data-count="applications"]').textContent()).toBe(String(status.applications.total));
    const colors = await page.evaluate(() => window.inkoopCharts['timeline-chart'].data.datasets[0].backgroundColor as string[]);
    expect(colors[0]).toBe(DONE_COLOR); // the policy publication is done
    expect(colors[1]).toBe(DONE_COLOR); // so is the registration window

    // -- a purchaser rejects one from the queue, with a reason
    const row = page.locator('tr[data-decision]').first();
    const agb = (await row.getAttribute('data-decision'))!;
    const reason = `Geen geldig KvK-uittreksel meegestuurd (browsertest ${Date.now()})`;
    await row.getByLabel('Reason (required)').fill(reason);
    await Promise.all([page.waitForURL(/notice=decided/), row.getByRole('button', { name: 'Reject: not eligible' }).click()]);
    await expect.poll(() => page.locator('.notice').textContent()).toContain(`Decision recorded for ${agb}: not-eligible.`);
    expect(await page.locator(`tr[data-decision="${agb}"]`).count()).toBe(0);
    const app = await runtime.store.getApplication(CYCLE, agb);
    expect(app).toMatchObject({ state: 'not-eligible', decision: { decision: 'not-eligible', reason } });
    expect((await runtime.store.listEvents(CYCLE, agb)).at(-1)).toMatchObject({
      to: 'not-eligible',
      trigger: { kind: 'purchaser', decision: 'not-eligible' },
      actor: { kind: 'purchaser' },
      reason,
    });

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0)); // the header is sticky: a scrolled full-page shot shows it mid-page
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-cycle.png'), fullPage: true });

    // -- advance to the eligibility notification: the decision email is in the local mailbox
    const notified = async () => (await cycleJson()).milestones.find((m) => m.id === 'eligibility-notification')?.status === 'done';
    await advanceUntil(notified, 6);
    await expect.poll(() => page.locator('tr[data-milestone="eligibility-notification"] .badge-done').count()).toBeGreaterThan(0);

    const provider = (await runtime.store.getProvider(agb))!;
    const addresses = provider.contacts.map((c) => c.email);
    const emails = await runtime.ses.fetchStore();
    const decisionEmail = emails.find((e) => e.subject.startsWith('Uitslag van uw aanmelding') && e.destination.to.some((to) => addresses.some((a) => to.includes(a))));
    expect(decisionEmail, 'the eligibility decision email to the rejected provider').toBeDefined();
    expect(decisionEmail!.body.text).toContain(reason);

    // ... and a person sees it there too
    const mailbox = await browser.newPage();
    await mailbox.goto(runtime.urls.mailbox);
    await expect.poll(() => mailbox.getByText(decisionEmail!.subject).count()).toBeGreaterThan(0);
    await mailbox.close();

    // The dashboard's API calls needed nothing the deployed OperatorApi role lacks (infra/permissions.ts).
    const used = runtime.metrics.snapshot().dynamodb.actionsByFunction.operatorApi ?? [];
    expect(used.length).toBeGreaterThan(0);
    const granted = grantedActions('operatorApi');
    expect(used.filter((action) => !granted.has(action))).toEqual([]);
  }, 600_000);
});
