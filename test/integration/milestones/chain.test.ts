/**
 * A cycle of 100,000 applications on the real definition (workflows/cycle.ts)
 * and the local engine: the loop's own tasks (next and record milestone) over
 * DynamoDB Local, and a run-milestone task that reports 100,000 applications in
 * pages of 100 at every step (1,000 pages). Every execution of the chain stays
 * within the 20,000-event budget (Step Functions' hard limit is 25,000) and the
 * chain walks to the end of the calendar.
 */
import { describe, expect, it } from 'vitest';
import { parseCalendar } from '../../../functions/calendar/validate.ts';
import { createNextMilestoneHandler } from '../../../functions/handlers/next-milestone.ts';
import { createRecordMilestoneHandler } from '../../../functions/handlers/record-milestone.ts';
import { EXECUTION_BUDGET } from '../../../functions/local/history.ts';
import { calendarWith } from '../../support/calendar-factory.ts';
import { localChain } from '../../support/chain.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld } from './harness.ts';

const local = useDynamoDbLocal();

const APPLICATIONS = 100_000;
const PAGE_SIZE = 100;

/** Three milestones a few days apart: the point is the pages, not the daily waits. */
const calendar = parseCalendar(
  calendarWith((d) => {
    d.milestones = [d.milestones[0], d.milestones[3], d.milestones[4]];
    Object.assign(d.milestones[1], { date: '2020-04-03' });
    Object.assign(d.milestones[2], { date: '2020-04-06', reminders: [1] });
  }),
  'compact calendar',
);

describe('a cycle of 100,000 applications', () => {
  it('runs every step in 1,000 pages with every execution within 20,000 history events, to the end of the calendar', async () => {
    const w = await makeWorld(local.db.client, await local.freshTable(), calendar.id, { calendar, start: '2020-03-31T22:00:00Z' });
    const loop = { store: w.store, clock: w.clock, log: w.deps.log };
    const pages = new Map<string, number>();
    const chain = localChain({
      clock: w.clock,
      handlers: {
        NextMilestoneFunction: createNextMilestoneHandler(loop),
        RecordMilestoneFunction: createRecordMilestoneHandler(loop),
        RunMilestoneFunction: async (event: { stepId: string; cursor: string | null }) => {
          const done = Number(event.cursor ?? 0) + PAGE_SIZE;
          pages.set(event.stepId, (pages.get(event.stepId) ?? 0) + 1);
          return { cursor: String(done), more: done < APPLICATIONS, processed: PAGE_SIZE };
        },
        SendEmailsFunction: async () => ({ sent: 0, failed: 0, more: false }),
      },
    });
    const { last, histories } = await chain.run(calendar.id);
    chain.dispose();

    const steps = await w.store.getSteps(calendar.id);
    const most = Math.max(...histories.map((h) => h.historyEvents));
    console.info(`${APPLICATIONS} applications in pages of ${PAGE_SIZE}: ${histories.length} executions, at most ${most} history events each`);
    expect(last.status).toBe('SUCCEEDED');
    expect(steps.every((s) => s.status === 'done')).toBe(true);
    expect((await w.store.getCycle(calendar.id))?.status).toBe('done');
    expect([...pages.values()]).toEqual(steps.map(() => APPLICATIONS / PAGE_SIZE));
    for (const h of histories) expect(h.historyEvents, h.name).toBeLessThanOrEqual(EXECUTION_BUDGET.historyEvents);
    // One page loop (Task, Choice, Pass) is 9 events: 1,000 pages alone are 9,000.
    expect(most).toBeGreaterThan(9_000);
    await w.close();
  }, 600_000);
});
