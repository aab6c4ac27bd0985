/**
 * Measures the history of one execution: the real workflow definition
 * (workflows/cycle.ts) run by the local engine with the milestone handlers
 * over DynamoDB Local, on the longest seed calendar (ZG 2024-2025: January
 * 2023 to April 2024), counting the events standard Step Functions would record.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/commons/clock.ts';
import { parseCalendar, loadCalendar } from '../../../functions/calendar/validate.ts';
import { createCycle } from '../../../functions/cycles/create.ts';
import { createSendEmailsHandler } from '../../../functions/handlers/send-emails.ts';
import { createNextMilestoneHandler } from '../../../functions/handlers/next-milestone.ts';
import { createRecordMilestoneHandler } from '../../../functions/handlers/record-milestone.ts';
import { createRunMilestoneHandler } from '../../../functions/handlers/run-milestone.ts';
import { startExecution, type RunEvent } from '../../../functions/local/step-functions.ts';
import { buildCycleDefinition } from '../../../workflows/cycle.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { countEvents, HISTORY_LIMIT, simulateHistory } from '../../unit/milestones/history-model.ts';
import { makeWorld } from './harness.ts';

const local = useDynamoDbLocal();

describe('history events of the longest seed calendar, measured', () => {
  it('stay far below 25,000, and match the model', async () => {
    const start = Date.parse('2023-01-01T00:00:00Z');
    const w = await makeWorld(local.db.client, await local.freshTable(), 'zg-2024-2025', { start: new Date(start).toISOString() });
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
    const definition = buildCycleDefinition();
    const types = new Map(Object.entries(definition.States).map(([name, s]) => [name, s.Type]));
    const states = { Task: 0, Choice: 0, Wait: 0, Succeed: 0 };
    const execution = startExecution({
      definition,
      input: { cycleId: 'zg-2024-2025' },
      executionName: 'zg-2024-2025',
      handlers: {
        NextMilestoneFunction: createNextMilestoneHandler(loop),
        RecordMilestoneFunction: createRecordMilestoneHandler(loop),
        RunMilestoneFunction: createRunMilestoneHandler(w.deps),
        SendEmailsFunction: createSendEmailsHandler({
          outbox: w.store,
          ses: { send: async () => ({ MessageId: 'ses-1' }) } as never,
          // Its rate limiter paces on real time (tasks take no virtual time).
          clock: systemClock,
          env: { SENDER: 'inkoop@zorgverzekeraar.example', TABLE_NAME: w.store.tableName, SES_RATE_PER_SECOND: '1000' },
          linkIssuer: { issue: async (i) => `https://aanbieders.zorgverzekeraar.example/l/${i.action}` },
        }),
      },
      clock: w.clock,
      mode: 'fast',
      onEvent: (e: RunEvent) => {
        if (e.type === 'stateEntered') states[types.get(e.state) as keyof typeof states]++;
      },
    });
    await execution.result;

    const measured = countEvents(states);
    const model = simulateHistory(w.cycle.calendar, { start });
    console.info(`history events (measured, zg-2024-2025 from 2023-01-01): ${measured} of ${HISTORY_LIMIT}; states entered ${JSON.stringify(states)}`);
    expect(measured).toBeLessThan(HISTORY_LIMIT / 3);
    expect(measured).toBe(model.total);
    expect((await w.store.getCycle('zg-2024-2025'))?.status).toBe('done');
    expect(await w.countByTemplate()).toMatchObject({ 'policy-published': 4, 'next-year-dates': 4 });
    expect((await w.messages()).every((m) => m.status === 'sent')).toBe(true);
    await w.close();
  });
});
