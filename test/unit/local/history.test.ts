import { describe, expect, it } from 'vitest';
import { HistoryCounter, limitsCrossed } from '../../../functions/local/history.ts';
import type { RunEvent } from '../../../functions/local/step-functions.ts';

const DAY = 86_400_000;

describe('HistoryCounter', () => {
  it('counts events the way Step Functions records them: Task 5 (+2 per retry), Choice/Wait/Pass/Succeed 2, the execution 2', () => {
    let now = Date.parse('2021-01-01T00:00:00Z');
    const counter = new HistoryCounter(() => now);
    const run = (events: RunEvent[]) => {
      for (const e of events) counter.record(e, { name: 'msr-2021' });
    };
    const at = now;
    run([
      { type: 'executionStarted', at, input: {} },
      { type: 'stateEntered', at, state: 'Load', stateType: 'Task', input: {} },
      { type: 'stateFailed', at, state: 'Load', error: 'Lambda.ServiceException', cause: '' },
      { type: 'stateRetried', at, state: 'Load', attempt: 1 },
      { type: 'stateExited', at, state: 'Load', stateType: 'Task', output: {} },
      { type: 'stateEntered', at, state: 'Finished?', stateType: 'Choice', input: {} },
      { type: 'stateExited', at, state: 'Finished?', stateType: 'Choice', output: {} },
      { type: 'stateEntered', at, state: 'Wait', stateType: 'Wait', input: {} },
    ]);
    now += 2.5 * DAY;
    run([
      { type: 'stateExited', at: now, state: 'Wait', stateType: 'Wait', output: {} },
      { type: 'stateEntered', at: now, state: 'Done', stateType: 'Succeed', input: {} },
      { type: 'stateExited', at: now, state: 'Done', stateType: 'Succeed', output: {} },
      { type: 'executionSucceeded', at: now, output: {} },
    ]);
    // 2 (execution) + Task 5 + failure 1 + retry 2 + Choice 2 + Wait 2 + Succeed 2
    expect(counter.executions()).toEqual([
      { name: 'msr-2021', start: '2021-01-01T00:00:00.000Z', stop: '2021-01-03T12:00:00.000Z', status: 'SUCCEEDED', days: 2.5, historyEvents: 16, stateTransitions: 5 },
    ]);
  });

  it('names each execution and limit crossed', () => {
    const base = { start: '2021-01-01T00:00:00.000Z', status: 'RUNNING', stateTransitions: 0 };
    expect(
      limitsCrossed([
        { ...base, name: 'ok', days: 365, historyEvents: 20_000 },
        { ...base, name: 'long', days: 365.5, historyEvents: 10 },
        { ...base, name: 'busy', days: 1, historyEvents: 20_001 },
      ]),
    ).toEqual([
      { execution: 'long', limit: 'days', value: 365.5, max: 365 },
      { execution: 'busy', limit: 'historyEvents', value: 20_001, max: 20_000 },
    ]);
  });
});
