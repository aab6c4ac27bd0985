import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ScheduleRunner, schedulesFromTemplate } from '../../../functions/local/runtime-schedule.ts';
import { VirtualTimeDriver } from '../../../functions/local/virtual-time.ts';

const template = {
  Resources: {
    Send: { Type: 'AWS::Lambda::Function', Properties: {} },
    EveryMinute: {
      Type: 'AWS::Events::Rule',
      Properties: { ScheduleExpression: 'rate(1 minute)', State: 'ENABLED', Targets: [{ Arn: { 'Fn::GetAtt': ['Send', 'Arn'] }, Input: '{"source":"schedule"}' }] },
    },
    Off: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(5 minutes)', State: 'DISABLED', Targets: [] } },
  },
};

describe('the template schedules on the virtual clock', () => {
  it('reads rate schedules that target a function', () => {
    expect(schedulesFromTemplate(template)).toEqual([{ ruleId: 'EveryMinute', functionLogicalId: 'Send', periodMs: 60_000, input: { source: 'schedule' } }]);
    expect(() => schedulesFromTemplate({ Resources: { R: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'cron(0 * * * ? *)' } } } })).toThrow(/not supported/);
  });

  it('fires at the next tick after a nudge, once for nudges in the same minute, again while the function has more', async () => {
    const clock = new VirtualClock(Date.parse('2020-01-01T10:17:30Z'));
    const driver = new VirtualTimeDriver(clock, 'fast');
    const calls: string[] = [];
    let more = true;
    const runner = new ScheduleRunner({
      clock,
      driver,
      schedule: schedulesFromTemplate(template)[0],
      invoke: async (input) => {
        calls.push(`${new Date(clock.now()).toISOString()} ${JSON.stringify(input)}`);
        const result = { more };
        more = false;
        return result;
      },
      again: (r) => (r as { more: boolean }).more,
    });
    runner.nudge();
    runner.nudge();
    while (runner.active) await new Promise((r) => setTimeout(r, 1));
    expect(calls).toEqual(['2020-01-01T10:18:00.000Z {"source":"schedule"}', '2020-01-01T10:19:00.000Z {"source":"schedule"}']);
    await runner.stop();
    driver.dispose();
  });
});
