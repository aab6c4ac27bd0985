/**
 * End to end: the insurer's year, three cycles at once (MSR, ZVT and Wlz 2021) on one local runtime: one
 * provider population (a quarter of it in a second cycle), one clock, one mailbox, one SES rate. The year is
 * stopped halfway as Ctrl-C stops it (interactive, the clock moved by hand, then the shutdown a signal runs) and
 * resumed from its data folder with `--resume`, which must end it exactly as a straight run would: as the
 * independent model of each cycle's year (./expected.ts `expectedCycles`) says, count for count. And, a second
 * and independent check, nothing of one cycle moves an application of another: every event is its
 * application's cycle's, every link is its email's cycle's, every provider action used a link of its own cycle,
 * and a link turned to another cycle is refused.
 *
 * One rehearsal carries both (#17: the stopped-and-resumed year was a three-cycle rehearsal of its own,
 * resume.test.ts); a single cycle's `--resume` from the CLI is the crash test's (./crash.test.ts), and every
 * calendar's straight year is its year file's.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATION_STATES, type Application, type Event, type Message } from '../../../functions/domain/index.ts';
import { parseInstant } from '../../../functions/local/control.ts';
import { createShutdown } from '../../../functions/local/process.ts';
import { linksIn } from '../../../functions/local/rehearsal/mail.ts';
import { generateYearPopulation } from '../../../functions/local/rehearsal/population.ts';
import { rehearsalStart, rehearse, type RehearsalResult } from '../../../functions/local/rehearsal/rehearse.ts';
import { readState, type RehearsalState } from '../../../functions/local/rehearsal/state.ts';
import { readRuntimeFile, type RuntimeInfo } from '../../../functions/local/runtime-file.ts';
import { storedEmails } from '../../../functions/local/runtime-mailbox.ts';
import type { LocalRuntime } from '../../../functions/local/runtime.ts';
import { mapLimit } from '../../../functions/store/dynamo.ts';
import { REPO_ROOT } from '../../../infra/paths.ts';
import { allPages } from '../../support/pages.ts';
import { expectedCycles, rulesTaken, type ExpectedCycles } from './expected.ts';

const CALENDARS = ['msr-2021', 'zvt-2021', 'wlz-2021'];
// Small: three cycles' worth of work on a shared machine. 60 is the smallest round population whose models take
// every template, (step, template) pair, final state and lapse reason that those of 90 (what it was) take, with 9
// providers in two cycles (#17; the first test checks it); each calendar's own year is its year file's.
const PROVIDERS = 60;
const REFERENCE_PROVIDERS = 90;
// Between Wlz's first feedback and MSR's and ZVT's proposal deadline (past their proposal reminders): every cycle halfway.
const STOP_AT = '2020-09-13';
const HOOK_TIMEOUT = 15 * 60_000;

/** What the stopped first half left behind, read between the stop and the resume. */
interface Stopped {
  stopped: boolean;
  pidWhileRunning: number | undefined;
  runtimeFileAfter: RuntimeInfo | undefined;
  state: RehearsalState | undefined;
  databaseKept: boolean;
  workingCopyGone: boolean;
  otherCalendar: unknown;
}

describe(`a rehearsed year of ${CALENDARS.join(', ')} at once with ${PROVIDERS} providers, stopped halfway and resumed`, () => {
  let dataDir: string;
  let result: RehearsalResult;
  let expected: ExpectedCycles;
  const apps = new Map<string, Application[]>();
  const events = new Map<string, Map<string, Event[]>>();
  let sent: Message[];
  let halfway: Stopped;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'inkoop-rehearsal-year-'));
    const shutdown = createShutdown({ signals: [], exitOnSignal: false });
    let runtime: LocalRuntime | undefined;
    const first = rehearse({
      calendar: CALENDARS.join(','),
      providers: PROVIDERS,
      seed: '1',
      dataDir,
      mode: 'interactive',
      shutdown,
      progress: 'none',
      stream: process.stderr,
      onStarted: (rt) => {
        runtime = rt;
      },
    });
    while ((runtime?.executions.running().length ?? 0) < CALENDARS.length) await new Promise((r) => setTimeout(r, 50));
    const pidWhileRunning = readRuntimeFile(dataDir)?.pid;
    await runtime!.clockControl.advanceTo(parseInstant(STOP_AT));
    await shutdown.run(); // what Ctrl-C does
    shutdown.dispose();
    halfway = {
      stopped: (await first).stopped,
      pidWhileRunning,
      runtimeFileAfter: readRuntimeFile(dataDir),
      state: readState(dataDir),
      databaseKept: existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db')),
      workingCopyGone: !existsSync(runtime!.db.workDir),
      otherCalendar: await rehearse({ dataDir, calendar: 'msr-2021', mode: 'fast', resume: true, progress: 'none', stream: process.stderr }).then(
        () => undefined,
        (error: unknown) => error,
      ),
    };
    // The calendars, population and clock come from the data folder.
    result = await rehearse({ dataDir, mode: 'fast', resume: true, serve: true, progress: 'none', stream: process.stderr });
    expected = expectedCycles(result.calendars, result.year.cycles);
    const store = result.runtime!.store;
    for (const cycleId of CALENDARS) {
      const list: Application[] = [];
      for (const state of APPLICATION_STATES) list.push(...(await allPages((page) => store.queryApplicationsByState(cycleId, state, page))));
      apps.set(cycleId, list);
      const trails = await mapLimit(list, 16, (a) => store.listEvents(cycleId, a.agb));
      events.set(cycleId, new Map(list.map((a, i) => [a.agb, trails[i]])));
    }
    sent = await allPages((page) => store.queryMessagesByStatus('sent', page));
  }, HOOK_TIMEOUT);

  afterAll(async () => {
    await result?.runtime?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  }, HOOK_TIMEOUT);

  it('stops halfway at Ctrl-C, keeping what --resume needs: the clock, the seed and the calendars saved, the database kept, the runtime file and the working copy gone', () => {
    expect(halfway.stopped).toBe(true);
    expect(halfway.pidWhileRunning).toBe(process.pid);
    expect(halfway.runtimeFileAfter).toBeUndefined();
    expect(halfway.state).toMatchObject({ calendars: CALENDARS, clock: '2020-09-12T22:00:00.000Z', status: 'running', providers: PROVIDERS, seed: '1' });
    expect(halfway.databaseKept).toBe(true);
    expect(halfway.workingCopyGone).toBe(true);
  });

  it('refuses a --resume that names another calendar, and resumes the one it started with', () => {
    expect(halfway.otherCalendar).toBeInstanceOf(Error);
    expect((halfway.otherCalendar as Error).message).toMatch(/not the calendar/);
    expect(result.yearReport!.rehearsal).toMatchObject({ resumed: true, providers: PROVIDERS, calendars: CALENDARS });
    expect(readState(dataDir)).toMatchObject({ status: 'done' });
  });

  it('refuses --resume where nothing was rehearsed', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'inkoop-rehearsal-nothing-'));
    try {
      await expect(rehearse({ dataDir: empty, mode: 'fast', resume: true, progress: 'none', stream: process.stderr })).rejects.toThrow(/Nothing to resume/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it(`has a population whose cycles take every rule those of ${REFERENCE_PROVIDERS} providers take`, () => {
    const reference = expectedCycles(result.calendars, generateYearPopulation(result.calendars, REFERENCE_PROVIDERS, '1').cycles);
    for (const id of CALENDARS) {
      const taken = new Set(rulesTaken(expected.byCycle[id]));
      expect(rulesTaken(reference.byCycle[id]).filter((rule) => !taken.has(rule)), id).toEqual([]);
    }
  });

  it('runs every cycle to its end on one clock, from the earliest start to the latest end', () => {
    const report = result.yearReport!;
    expect(result.report).toBeUndefined();
    expect(report.cycles.map((c) => c.cycleId)).toEqual(CALENDARS);
    for (const c of report.cycles) {
      expect(c.cycle.status, c.cycleId).toBe('done');
      expect(c.milestones.filter((m) => m.status !== 'done'), c.cycleId).toEqual([]);
    }
    expect(Date.parse(report.virtual.from)).toBe(Math.min(...result.calendars.map(rehearsalStart)));
    const lastSteps = report.cycles.map((c) => Date.parse(c.milestones.at(-1)!.at));
    expect(Date.parse(report.virtual.to)).toBeGreaterThanOrEqual(Math.max(...lastSteps));
    expect(report.totals.emails).toMatchObject({ failed: 0, queued: 0, unmatched: 0 });
    // Every simulated action reached its page (a miss would show as a count off by one below).
    for (const id of CALENDARS) expect(result.simulation![id].errors, id).toEqual([]);
  });

  it('shares one population: a quarter of the providers take part in a second cycle, and some have applications in several', () => {
    const { overlap } = result.yearReport!.rehearsal;
    expect(overlap.providers).toBe(result.year.roles.filter((r) => r.second).length);
    expect(overlap.providers).toBeGreaterThan(PROVIDERS * 0.1);
    expect(overlap.holds).toBeGreaterThan(0);
    expect(expected.inSeveral.length).toBeGreaterThan(5);
    const inSeveral = CALENDARS.flatMap((c) => apps.get(c)!.map((a) => a.agb));
    const twice = [...new Set(inSeveral.filter((agb, i) => inSeveral.indexOf(agb) !== i))].sort();
    expect(twice).toEqual(expected.inSeveral);
    expect(result.yearReport!.totals.providersInSeveralCycles).toBe(expected.inSeveral.length);
  });

  it('sends each cycle exactly the emails its model implies, per template and per step, and the year the sum', () => {
    const report = result.yearReport!;
    for (const c of report.cycles) {
      const e = expected.byCycle[c.cycleId];
      expect(c.emails.byTemplate, `${c.cycleId} (pages tried again: ${result.simulation![c.cycleId].retried.join('; ') || 'none'})`).toEqual(e.emails);
      const perStep = Object.fromEntries(c.milestones.filter((m) => m.emailsTotal > 0).map((m) => [m.stepId, m.emails]));
      expect(perStep, c.cycleId).toEqual(e.perStep);
    }
    expect(report.totals.emails.byTemplate).toEqual(expected.emails);
    expect(report.totals.emails.total).toBe(Object.values(expected.emails).reduce((n, v) => n + v, 0));
    // The AWS forecast is the year's: one SES account sends every cycle's emails.
    expect(report.aws.usage.emails).toBe(report.totals.emails.total);
    // The mailbox is one: every email in it belongs to exactly one cycle's count.
    expect(storedEmails()).toHaveLength(report.totals.emails.total);
  });

  it('ends each cycle with the applications its model implies', () => {
    const report = result.yearReport!;
    for (const c of report.cycles) {
      const e = expected.byCycle[c.cycleId];
      expect(c.applications.byState, c.cycleId).toEqual(e.states);
      const byState = (state: string) => apps.get(c.cycleId)!.filter((a) => a.state === state).map((a) => a.agb).sort();
      expect(byState('contracted'), c.cycleId).toEqual(e.byState.contracted ?? []);
      expect(byState('lapsed'), c.cycleId).toEqual(e.byState.lapsed ?? []);
    }
    expect(report.totals.applications.byState).toEqual(expected.states);
  });

  it('never lets a cycle touch another: every event is its own cycle\'s, every link its email\'s cycle\'s, every provider action used a link of its own cycle', async () => {
    for (const [cycleId, trails] of events) {
      for (const [agb, trail] of trails) {
        expect(trail.length, `${cycleId} ${agb}`).toBeGreaterThan(0);
        expect(trail.filter((e) => e.cycleId !== cycleId || e.agb !== agb), `${cycleId} ${agb}`).toEqual([]);
      }
    }
    // Each link in each email: its (signed) claims are of the email's cycle and provider; it is bound to an application version.
    const recipients = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort().join(',');
    const messageOf = new Map(sent.map((m) => [`${m.sesMessageId}|${recipients(m.recipients.map((r) => r.address))}`, m]));
    const used = new Set<string>();
    let links = 0;
    for (const email of storedEmails()) {
      const message = messageOf.get(`${email.messageId}|${recipients(email.destination.to)}`)!;
      expect(message).toBeDefined();
      for (const link of linksIn(email.body.text)) {
        links++;
        const token = new URL(link.url).pathname.split('/').at(-1)!;
        const version = (JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as { r?: number }).r;
        expect([link.cycleId, link.agb]).toEqual([message.cycleId, message.agb]);
        if (link.action !== 'ask-question') expect(version, link.url).toBeGreaterThan(0);
        // The action it allows moves the application from that version to the next.
        used.add(`${link.cycleId}|${link.agb}|${link.action}|${(version ?? 0) + 1}`);
      }
    }
    expect(links).toBeGreaterThan(100);
    // Every move a provider made through a link (the public form has none) is a use of a link of that cycle.
    let moves = 0;
    for (const [cycleId, trails] of events) {
      for (const [agb, trail] of trails) {
        for (const e of trail) {
          if (e.trigger.kind !== 'provider' || e.trigger.action === 'request-registration') continue;
          moves++;
          expect(used.has(`${cycleId}|${agb}|${e.trigger.action}|${e.version}`), `${cycleId} ${agb} ${e.trigger.action} to version ${e.version}`).toBe(true);
        }
      }
    }
    expect(moves).toBeGreaterThan(50);
  });

  it('refuses a link of one cycle turned to another cycle\'s application, and moves nothing', async () => {
    const store = result.runtime!.store;
    const [agb] = expected.inSeveral;
    const cycles = CALENDARS.filter((c) => apps.get(c)!.some((a) => a.agb === agb));
    const [a, b] = cycles;
    const link = storedEmails()
      .flatMap((e) => linksIn(e.body.text))
      .find((l) => l.cycleId === a && l.agb === agb)!;
    expect(link, `a link of ${a} for ${agb}`).toBeDefined();
    const before = await store.getApplication(b, agb);
    const [head, signature] = new URL(link.url).pathname.split('/').at(-1)!.split('.');
    const claims = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
    const turned = `${Buffer.from(JSON.stringify({ ...claims, c: b })).toString('base64url')}.${signature}`;
    const url = link.url.replace(/\/l\/[^/?#]+/, `/l/${turned}`);
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBeGreaterThanOrEqual(400);
    const post = await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'x=1' });
    expect(post.status).toBeGreaterThanOrEqual(400);
    expect(await store.getApplication(b, agb)).toEqual(before);
    expect(await store.listEvents(b, agb)).toEqual(events.get(b)!.get(agb));
  });

  it('`inkoop provider <agb>` shows every cycle of a provider in several', async () => {
    const [agb] = expected.inSeveral;
    const cycles = CALENDARS.filter((c) => apps.get(c)!.some((a) => a.agb === agb));
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'functions/cli/main.ts'), '--data', dataDir, 'provider', agb, '--json'], {
      cwd: REPO_ROOT,
      timeout: 120_000,
    });
    const history = JSON.parse(stdout) as { applications: { cycleId: string; events: unknown[] }[]; emails: { cycleId: string }[] };
    expect(history.applications.map((x) => x.cycleId).sort()).toEqual([...cycles].sort());
    for (const x of history.applications) expect(x.events).toHaveLength(events.get(x.cycleId)!.get(agb)!.length);
    expect(new Set(history.emails.map((e) => e.cycleId))).toEqual(new Set(cycles));
  });
});
