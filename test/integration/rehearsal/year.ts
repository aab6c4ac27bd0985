/**
 * End to end: a whole contracting year on the local runtime (DynamoDB Local,
 * aws-ses-v2-local, the synthesized state machine with the real handlers),
 * simulated providers, and every count checked against what the seeded plan
 * and the documented rules imply (./expected.ts, computed without the report
 * code). Each calendar's population is the smallest round number whose model
 * takes every rule the model of 200 providers takes (the first test checks it):
 * a rehearsal's time grows with its providers, its rules do not.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryOf, TERMINAL_STATES, type Application, type Event, type Message } from '../../../functions/domain/index.ts';
import { grantedActions } from '../../../functions/local/iam-actions.ts';
import { rehearse, type RehearsalResult } from '../../../functions/local/rehearsal/rehearse.ts';
import { generateYearPopulation, type Population } from '../../../functions/local/rehearsal/population.ts';
import { storedEmails } from '../../../functions/local/runtime-mailbox.ts';
import { simulatedOutcome } from '../../../functions/local/ses-events.ts';
import { mapLimit } from '../../../functions/store/dynamo.ts';
import type { FunctionKey } from '../../../infra/functions.ts';
import { allPages } from '../../support/pages.ts';
import { expectedYear, rulesTaken, type Expected } from './expected.ts';

/** The population the model was first checked against; a year rehearsed with fewer must still exercise each of its rules. */
const REFERENCE_PROVIDERS = 200;
const SEED = '1';
const HOOK_TIMEOUT = 15 * 60_000;

const DEADLINE_ACTION: Record<string, string> = {
  'registration-window': 'submit-registration',
  'conditions-deadline': 'declare-conditions',
  'proposal-deadline': 'submit-proposal',
};

/** The rules a year takes (./expected.ts), and the ways its providers can be unreachable, which the SES checks below need. */
function rulesOf(model: Expected, population: Population): Set<string> {
  return new Set([...rulesTaken(model), ...population.providers.flatMap((p) => (p.unreachable ? [`unreachable: ${p.unreachable}`] : []))]);
}

/** The suite for one calendar (one test file per calendar, so two run side by side). */
export function describeYear(calendarId: string, options: { providers: number; unreachableShare?: number; sesFaults?: number }): void {
  const share = options.unreachableShare ?? 0;
  const faults = options.sesFaults ?? 0;
  const PROVIDERS = options.providers;
  const title = [
    `a rehearsed year of ${calendarId} with ${PROVIDERS} providers`,
    ...(share ? [`${share * 100}% of them unreachable by email`] : []),
    ...(faults ? [`SES refusing ${faults * 100}% of the sends`] : []),
  ].join(', ');
  describe(title, () => {
    let dataDir: string;
    let result: RehearsalResult;
    let expected: Expected;
    let apps: Application[];
    let events: Map<string, Event[]>;

    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), `inkoop-rehearsal-${calendarId}-`));
      result = await rehearse({
        calendar: calendarId,
        providers: PROVIDERS,
        seed: SEED,
        unreachableShare: share,
        dataDir,
        mode: 'fast',
        serve: true, // keep the runtime: the checks read its table and mailbox
        progress: 'none',
        stream: process.stderr,
        ...(faults ? { runtime: { sesFaults: faults } } : {}),
      });
      expected = expectedYear(result.calendar, result.population);
      const store = result.runtime!.store;
      apps = [];
      for (const state of Object.keys(result.report!.applications.byState)) {
        apps.push(...(await allPages((page) => store.queryApplicationsByState(calendarId, state as Application['state'], page))));
      }
      const lists = await mapLimit(apps, 16, (a) => store.listEvents(calendarId, a.agb));
      events = new Map(apps.map((a, i) => [a.agb, lists[i]]));
    }, HOOK_TIMEOUT);

    const sentOfCycle = async (): Promise<Message[]> =>
      (await allPages((page) => result.runtime!.store.queryMessagesByStatus('sent', page))).filter((m) => m.cycleId === calendarId);

    afterAll(async () => {
      await result?.runtime?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    }, HOOK_TIMEOUT);

    it(`has a population that takes every rule of the year the model of ${REFERENCE_PROVIDERS} providers takes: each template, (step, template) pair, final state and lapse`, () => {
      const reference = generateYearPopulation([result.calendar], REFERENCE_PROVIDERS, SEED, { unreachableShare: share }).cycles[calendarId];
      const taken = rulesOf(expected, result.population);
      expect([...rulesOf(expectedYear(result.calendar, reference), reference)].filter((rule) => !taken.has(rule))).toEqual([]);
    });

    it('runs the whole calendar: every step done, the cycle done', () => {
      const report = result.report!;
      expect(report.cycle.status).toBe('done');
      expect(report.milestones.map((m) => m.status)).toEqual(report.milestones.map(() => 'done'));
      expect(report.milestones.every((m) => m.durationMs !== null)).toBe(true);
      expect(report.emails).toMatchObject({ failed: 0, queued: 0, unmatched: 0 });
    });

    it('sends exactly the emails the rules imply, per template and per milestone step', () => {
      const report = result.report!;
      // What the simulated providers met on their pages, for when a count is off by one.
      const tally = result.simulation![calendarId];
      expect(report.emails.byTemplate, `simulation errors: ${tally.errors.join('; ') || 'none'}; pages tried again: ${tally.retried.join('; ') || 'none'}`).toEqual(expected.emails);
      const perStep = Object.fromEntries(report.milestones.filter((m) => m.emailsTotal > 0).map((m) => [m.stepId, m.emails]));
      expect(perStep).toEqual(expected.perStep);
      expect(report.emails.total).toBe(Object.values(expected.emails).reduce((n, v) => n + v, 0));
    });

    it('ends every application in a terminal state, with the counts the plan implies', () => {
      expect(result.report!.applications.byState).toEqual(expected.states);
      for (const app of apps) expect(TERMINAL_STATES, `${app.agb} is ${app.state}`).toContain(app.state);
      const contracted = apps.filter((a) => a.state === 'contracted').map((a) => a.agb).sort();
      expect(result.report!.contracted.map((c) => c.agb)).toEqual(contracted);
      expect(contracted).toEqual(expected.byState.contracted ?? []);
    });

    it('lapses exactly the applications whose provider never submitted', () => {
      const lapsed = apps.filter((a) => a.state === 'lapsed').map((a) => a.agb).sort();
      expect(lapsed).toEqual(expected.byState.lapsed ?? []);
      for (const agb of lapsed) {
        const trail = events.get(agb)!;
        const closing = trail.at(-1)!;
        expect(closing.trigger.kind).toBe('deadline');
        const action = DEADLINE_ACTION[(closing.trigger as { milestone: string }).milestone];
        expect(action).toBe(expected.lapsedFor[agb]);
        expect(trail.some((e) => e.trigger.kind === 'provider' && e.trigger.action === action), `${agb} lapsed after submitting`).toBe(false);
      }
      // And everyone who did submit got past that deadline.
      for (const app of apps.filter((a) => a.state !== 'lapsed')) {
        for (const [milestone, action] of Object.entries(DEADLINE_ACTION)) {
          const lapsedThere = events.get(app.agb)!.some((e) => e.trigger.kind === 'deadline' && e.trigger.milestone === milestone);
          expect(lapsedThere).toBe(false);
          void action;
        }
      }
    });

    it('never sends a provider the same email twice', async () => {
      // Every email in the mailbox is one outbox message, and every sent message is one email.
      const sent = await sentOfCycle();
      const recipients = (addresses: readonly string[]) => [...addresses].map((a) => a.toLowerCase()).sort().join(',');
      const byJoin = new Map(sent.map((m) => [`${m.sesMessageId}|${recipients(m.recipients.map((r) => r.address))}`, m]));
      const matched = new Map<string, number>();
      const keysByContent = new Map<string, string[]>();
      for (const email of storedEmails()) {
        const message = byJoin.get(`${email.messageId}|${recipients(email.destination.to)}`);
        expect(message, `an email in the mailbox without its outbox message: ${email.subject}`).toBeDefined();
        matched.set(message!.key, (matched.get(message!.key) ?? 0) + 1);
        // The same text (links aside) to the same people: only as different messages (another milestone step).
        const content = `${recipients(email.destination.to)}\n${email.subject}\n${(email.body.text ?? '').replace(/https?:\/\/\S+/g, '<link>')}`;
        keysByContent.set(content, [...(keysByContent.get(content) ?? []), message!.key]);
      }
      expect([...matched.values()].filter((n) => n !== 1)).toEqual([]);
      expect(matched.size).toBe(sent.length);
      const repeated = [...keysByContent.values()].filter((keys) => new Set(keys).size !== keys.length);
      expect(repeated).toEqual([]);
    });

    if (faults) it('retries every send SES refused (throttled, unavailable) with backoff until it went out once, and reports the retries', () => {
      // Exactly once despite the refusals: the emails above are the model's count for count, each one outbox message;
      // here, that the refusals happened and were retried rather than given up on.
      const report = result.report!;
      expect(report.emails).toMatchObject({ failed: 0, queued: 0, unmatched: 0 });
      const ids = storedEmails().map((e) => e.messageId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(report.emails.total);
      const retries = report.sesRetries!;
      expect(retries.total).toBe(retries.throttled + retries.unavailable);
      expect(retries.total).toBeGreaterThan(report.emails.total * faults * 0.5);
      expect(retries.throttled).toBeGreaterThan(0);
      expect(retries.unavailable).toBeGreaterThan(0);
    });

    it('records what SES reported for every recipient (the local SES events through the DeliveryEvents handler), and escalates each unreachable provider once', async () => {
      const sent = await sentOfCycle();
      const wanted = { delivered: 'delivered', bounce: 'bounced', suppressed: 'bounced', complaint: 'complained' } as const;
      const wrong = sent.flatMap((m) =>
        m.recipients.filter((r) => deliveryOf(m, r.address)?.status !== wanted[simulatedOutcome(r.address)]).map((r) => `${m.key} ${r.address}`),
      );
      expect(wrong).toEqual([]);
      const report = result.report!;
      const escalations = expected.emails['unreachable-escalation'] ?? 0;
      expect(report.deliveries.unreachable).toBe(escalations);
      expect(report.deliveries.byStatus.none).toBeUndefined();
      const unreachable = result.population.providers.filter((p) => p.unreachable);
      if (share) {
        expect(unreachable.length).toBeGreaterThan(0);
        expect(report.deliveries.byStatus.bounced).toBeGreaterThan(0);
        expect(report.deliveries.byStatus.complained).toBeGreaterThan(0);
        expect(escalations).toBeGreaterThan(0);
      } else {
        expect(unreachable).toEqual([]);
        expect(Object.keys(report.deliveries.byStatus)).toEqual(['delivered']);
      }
      // Nothing reaches an unreachable provider after its first emails, and none of them acted.
      for (const p of unreachable) {
        const steps = new Set(sent.filter((m) => m.agb === p.agb && m.template !== 'unreachable-escalation').map((m) => m.createdAt));
        expect(steps.size, `${p.agb} got emails after it became unreachable`).toBeLessThanOrEqual(1);
        expect((events.get(p.agb) ?? []).some((e) => e.trigger.kind === 'provider'), `${p.agb} acted`).toBe(false);
      }
    });

    it('counts what ran: DynamoDB operations, Lambda invocations, state transitions', () => {
      const report = result.report!;
      expect(report.dynamodb.requests).toBeGreaterThan(1000);
      expect(report.dynamodb.operations.TransactWriteItems).toBeGreaterThan(0);
      expect(report.dynamodb.itemsWritten).toBeGreaterThan(0);
      expect(Object.keys(report.lambdaInvocations.byFunction).sort()).toEqual([
        'NextMilestoneFunction',
        'RecordMilestoneFunction',
        'RunMilestoneFunction',
        'SendEmailsFunction',
      ]);
      // Two records per step (running, done).
      expect(report.lambdaInvocations.byFunction.RecordMilestoneFunction).toBe(2 * report.milestones.length);
      expect(report.stateTransitions).toBeGreaterThan(report.lambdaInvocations.total);
      expect(report.applications.transitions).toBe(apps.reduce((n, a) => n + a.version - 1, 0));
    });

    it('calls DynamoDB only as each deployed function is allowed to (infra/permissions.ts)', () => {
      const used = result.report!.dynamodb.actionsByFunction;
      // Every function whose role matters ran here, so an empty record cannot pass for a check.
      expect(Object.keys(used).sort()).toEqual(['deliveryEvents', 'nextMilestone', 'providerLinks', 'recordMilestone', 'runMilestone', 'sendEmails']);
      for (const [key, actions] of Object.entries(used)) {
        const granted = grantedActions(key as FunctionKey);
        expect(actions.filter((action) => !granted.has(action)), `${key} needs actions its role lacks`).toEqual([]);
      }
    });
  });
}
