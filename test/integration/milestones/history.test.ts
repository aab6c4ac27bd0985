/**
 * The chain of executions over the longest seed calendar (ZG 2024-2025, its
 * cycle created in January 2022, more than two years before its last step): the
 * real workflow definition (workflows/cycle.ts) run by the local engine with the
 * milestone handlers over DynamoDB Local. Every execution stays within a year
 * and far within the history limit, counted the way Step Functions counts.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/commons/clock.ts';
import { parseCalendar, loadCalendar } from '../../../functions/calendar/validate.ts';
import { createCycle } from '../../../functions/cycles/create.ts';
import { createSendEmailsHandler } from '../../../functions/handlers/send-emails.ts';
import { createNextMilestoneHandler } from '../../../functions/handlers/next-milestone.ts';
import { createRecordMilestoneHandler } from '../../../functions/handlers/record-milestone.ts';
import { createRunMilestoneHandler } from '../../../functions/handlers/run-milestone.ts';
import { EXECUTION_BUDGET, SFN_LIMITS } from '../../../functions/local/history.ts';
import { HAND_OVER_AFTER_DAYS } from '../../../functions/milestones/loop.ts';
import { localChain } from '../../support/chain.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld } from './harness.ts';

const local = useDynamoDbLocal();

describe('the chain of executions over the longest seed calendar, measured', () => {
  it('keeps every execution within 365 days and 20,000 events, one per milestone step, and walks the whole year', async () => {
    const w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025', { start: '2022-01-01T00:00:00Z' });
    // Its last milestone publishes next year's dates: that needs next year's cycle.
    const next = structuredClone(await loadCalendar('zg-2024-2025')) as unknown as Record<string, any>;
    Object.assign(next, { id: 'zg-2025', contract: { firstYear: 2025, termYears: 1 } });
    next.milestones = next.milestones
      .filter((m: { kind: string }) => ['policy-publication', 'contracted-publication'].includes(m.kind))
      .map((m: { date: string }) => ({ ...m, date: m.date.replace('2023', '2024') }));
    await createCycle(w.store, parseCalendar(next, 'zg-2025'), w.clock);
    for (let i = 0; i < 3; i++) await w.provider({ contracts: [{ careType: 'zg', firstYear: 2022, lastYear: 2023 }] });
    await w.provider();

    const loop = { store: w.store, clock: w.clock, log: w.deps.log };
    const chain = localChain({
      clock: w.clock,
      handlers: {
        NextMilestoneFunction: createNextMilestoneHandler(loop),
        RecordMilestoneFunction: createRecordMilestoneHandler(loop),
        RunMilestoneFunction: createRunMilestoneHandler(w.deps),
        SendEmailsFunction: createSendEmailsHandler({
          outbox: w.store,
          ses: { send: async () => ({ MessageId: 'ses-1' }) } as never,
          // Its rate limiter paces on real time (tasks take no virtual time).
          clock: systemClock,
          settings: { from: 'inkoop@zorgverzekeraar.example', ratePerSecond: 1000 },
          linkIssuer: { issue: async (i) => `https://aanbieders.zorgverzekeraar.example/l/${i.action}` },
        }),
      },
    });
    const { last, histories } = await chain.run('zg-2024-2025');
    chain.dispose();

    const steps = await w.store.getSteps('zg-2024-2025');
    console.info(
      `zg-2024-2025 from 2022-01-01: ${histories.length} executions for ${steps.length} steps; longest ${Math.max(...histories.map((h) => h.days))} days, ` +
        `most events ${Math.max(...histories.map((h) => h.historyEvents))} (limits ${SFN_LIMITS.days} days, ${SFN_LIMITS.historyEvents} events)`,
    );
    expect(last.status).toBe('SUCCEEDED');
    expect(histories.every((h) => h.status === 'SUCCEEDED')).toBe(true);
    for (const h of histories) {
      expect(h.days, h.name).toBeLessThanOrEqual(EXECUTION_BUDGET.days);
      expect(h.historyEvents, h.name).toBeLessThanOrEqual(EXECUTION_BUDGET.historyEvents);
    }
    // The first execution waits 300 days and hands the rest of its 455-day wait over.
    expect(histories[0]).toMatchObject({ name: 'zg-2024-2025' });
    expect(histories[0].days).toBeCloseTo(HAND_OVER_AFTER_DAYS, 0);
    expect(histories[1].name).toBe('zg-2024-2025--waits-20221028');
    // After each step, its successor: named after the cycle and the step, the last one finds the calendar finished.
    expect(histories.slice(2).map((h) => h.name).sort()).toEqual(steps.map((s) => `zg-2024-2025--${s.stepId.replace('#', '-')}`).sort());
    expect((await w.store.getCycle('zg-2024-2025'))?.status).toBe('done');
    expect((await w.store.getCycle('zg-2024-2025'))?.executionArn).toBe(last.arn);
    expect(await w.countByTemplate()).toMatchObject({ 'policy-published': 4, 'next-year-dates': 4 });
    expect((await w.messages()).every((m) => m.status === 'sent')).toBe(true);
    await w.close();
  });
});
