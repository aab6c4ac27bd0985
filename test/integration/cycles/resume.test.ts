/**
 * No email is doubled, or lost, by a resume: the real definition (with the
 * milestone handlers over DynamoDB Local) runs a compact calendar, is aborted
 * at each state of the definition in turn, is resumed with `resumeCycle` (what
 * `inkoop cycle resume` does), and ends with the same emails as a straight run.
 * A milestone that fails once covers the failure states; page size 1, a budget
 * of 2 pages per execution and a 1-day wait budget make every hand-over happen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../functions/commons/clock.ts';
import { parseCalendar } from '../../../functions/calendar/validate.ts';
import { resumeCycle } from '../../../functions/cycles/resume.ts';
import { createNextMilestoneHandler } from '../../../functions/handlers/next-milestone.ts';
import { createRecordMilestoneHandler } from '../../../functions/handlers/record-milestone.ts';
import { createRunMilestoneHandler } from '../../../functions/handlers/run-milestone.ts';
import { createSendEmailsHandler } from '../../../functions/handlers/send-emails.ts';
import type { LocalExecutionRecord } from '../../../functions/local/runtime-executions.ts';
import { STATE, buildCycleDefinition } from '../../../workflows/cycle.ts';
import { calendarWith } from '../../support/calendar-factory.ts';
import { localChain } from '../../support/chain.ts';
import { useDynamoDbLocal } from '../../support/dynamodb.ts';
import { makeWorld, type World } from '../milestones/harness.ts';

const local = useDynamoDbLocal();
let w: World | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Every milestone within ten days: a year's walk in a dozen daily loops. */
const calendar = parseCalendar(
  calendarWith((d) => {
    Object.assign(d.milestones[1], { opens: '2020-04-02', closes: '2020-04-04', reminders: [1] });
    Object.assign(d.milestones[2], { date: '2020-04-07', reminders: [1] });
    Object.assign(d.milestones[3], { date: '2020-04-09' });
    Object.assign(d.milestones[4], { date: '2020-04-11', reminders: [1] });
  }),
  'compact calendar',
);
const FAILING_STEP = 'proposal-deadline#deadline';

interface Outcome {
  byTemplate: Record<string, number>;
  sesSends: number;
  messages: number;
  entered: Map<string, number>;
  cycleStatus?: string;
  resumes: number;
}

/**
 * Runs the cycle; `abortAt` aborts the execution that enters that state for the `nth` time, then the
 * cycle is resumed (if it stalled) until it is done. `failOnce`: the first run of FAILING_STEP throws.
 */
async function run(options: { abortAt?: { state: string; nth: number }; failOnce?: boolean } = {}): Promise<Outcome> {
  w = await makeWorld(local.db.client, await local.freshTable(), calendar.id, { calendar, start: '2020-03-31T22:00:00Z', pageSize: 1 });
  const world = w;
  for (const state of ['in-negotiation', 'in-negotiation', 'agreement-reached'] as const) await world.application(await world.provider(), state);
  await world.provider();

  let sesSends = 0;
  let failing = options.failOnce === true;
  const loop = { store: world.store, clock: world.clock, log: world.deps.log, handOverAfterDays: 1 };
  const runPage = createRunMilestoneHandler(world.deps);
  const entered = new Map<string, number>();
  const send = createSendEmailsHandler({
    outbox: world.store,
    ses: { send: async () => ({ MessageId: `ses-${++sesSends}` }) } as never,
    clock: systemClock,
    settings: { from: 'inkoop@zorgverzekeraar.example', ratePerSecond: 1000 },
    linkIssuer: { issue: async (i) => `https://aanbieders.zorgverzekeraar.example/l/${i.action}` },
  });
  let sendCalls = 0;
  let aborted = false;
  const chain = localChain({
    clock: world.clock,
    maxTasksPerExecution: 2,
    handlers: {
      NextMilestoneFunction: createNextMilestoneHandler(loop),
      RecordMilestoneFunction: createRecordMilestoneHandler(loop),
      RunMilestoneFunction: async (event: { stepId: string }) => {
        if (failing && event.stepId === FAILING_STEP) {
          failing = false;
          throw new Error('DynamoDB is throttling');
        }
        return runPage(event);
      },
      // Every other call answers as if its time budget ran out (more: true), so the send loop turns too.
      SendEmailsFunction: async (event: unknown) => {
        const out = await send(event);
        return { ...out, more: out.more || ++sendCalls % 2 === 1 };
      },
    },
    onEvent: (event, execution: LocalExecutionRecord) => {
      if (event.type !== 'stateEntered') return;
      const n = (entered.get(event.state) ?? 0) + 1;
      entered.set(event.state, n);
      if (!aborted && options.abortAt?.state === event.state && options.abortAt.nth === n) {
        aborted = true;
        execution.execution.abort();
      }
    },
  });
  try {
    let { last } = await chain.run(calendar.id);
    // Resume until done: after the abort, and after the failed milestone (which fails its execution).
    let resumes = 0;
    for (; (await world.store.getCycle(calendar.id))?.status !== 'done'; resumes++) {
      expect(resumes, `still not done after ${last.name} ${last.status}`).toBeLessThan(3);
      expect(last.status).not.toBe('RUNNING');
      await resumeCycle(
        world.store,
        { current: (c) => chain.executions.describe(c), starter: chain.executions },
        { cycleId: calendar.id, actor: { kind: 'operator', id: 'test' } },
      );
      last = (await chain.executions.chainEnd(calendar.id))!;
    }
    if (options.abortAt) expect(aborted, `never entered ${options.abortAt.state} ${options.abortAt.nth} times`).toBe(true);
    const messages = await world.messages();
    expect(messages.every((m) => m.status === 'sent')).toBe(true);
    return {
      byTemplate: await world.countByTemplate(),
      sesSends,
      messages: messages.length,
      entered,
      cycleStatus: (await world.store.getCycle(calendar.id))?.status,
      resumes,
    };
  } finally {
    chain.dispose();
  }
}

describe('resuming a cycle', () => {
  it('after an abort at every state of the definition in turn ends with the same emails as a straight run, none sent twice', async () => {
    const straight = await run();
    const failedOnce = await run({ failOnce: true });
    expect(straight.sesSends).toBe(straight.messages);
    expect(straight.byTemplate).toMatchObject({ 'policy-published': 4, 'deadline-missed': 2 });
    expect(failedOnce.byTemplate).toEqual(straight.byTemplate);
    expect(failedOnce.sesSends).toBe(straight.sesSends);

    const states = Object.keys(buildCycleDefinition().States);
    const covered: string[] = [];
    for (const state of states) {
      // The failure states run only when a milestone fails; the others in a straight run.
      const source = straight.entered.has(state) ? straight : failedOnce;
      const times = source.entered.get(state);
      expect(times ?? 0, `${state} never entered`).toBeGreaterThan(0);
      const resumed = await run({ abortAt: { state, nth: Math.ceil(times! / 2) }, failOnce: source === failedOnce });
      expect(resumed.cycleStatus, state).toBe('done');
      expect(resumed.byTemplate, state).toEqual(straight.byTemplate);
      expect(resumed.sesSends, state).toBe(straight.sesSends);
      // Aborted from the hand-over on, the successor runs already (the engine stops at the next state; a Pass
      // state takes no time): the chain goes on by itself. Anywhere before, the cycle stalls and is resumed.
      const handingOver: string[] = [STATE.handOverStep, STATE.handOverPart, STATE.handOverWait, STATE.startSuccessor, STATE.handedOver, STATE.complete];
      if (handingOver.includes(state)) expect(resumed.resumes, state).toBe(0);
      else expect(resumed.resumes, state).toBeGreaterThanOrEqual(1);
      covered.push(state);
    }
    expect(covered.sort()).toEqual(Object.values(STATE).sort());
  }, 900_000);
});
