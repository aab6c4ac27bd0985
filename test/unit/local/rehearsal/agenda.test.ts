import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../functions/commons/clock.ts';
import { Agenda } from '../../../../functions/local/rehearsal/schedule.ts';
import { VirtualTimeDriver } from '../../../../functions/local/virtual-time.ts';

const START = Date.parse('2020-01-01T00:00:00Z');
const HOUR = 3_600_000;

/** A stand-in for the workflow: waits on the driver from one instant to the next, each step a busy task. */
async function workflow(driver: VirtualTimeDriver, clock: VirtualClock, steps: number[], log: string[]): Promise<void> {
  for (const at of steps) {
    await driver.until(at);
    await driver.busy(async () => {
      log.push(`step@${(clock.now() - START) / HOUR}`);
      await new Promise((r) => setTimeout(r, 2));
    });
  }
}

describe('the simulation agenda on the virtual clock', () => {
  it('runs every entry at its own instant, interleaved with the workflow; the clock never passes one', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const agenda = new Agenda(clock, driver, { concurrency: 4 });
    const log: string[] = [];
    const entry = (h: number) =>
      agenda.add({
        at: START + h * HOUR,
        label: `a${h}`,
        run: async () => {
          expect(clock.now()).toBe(START + h * HOUR);
          await new Promise((r) => setTimeout(r, 3)); // I/O while the clock is held
          expect(clock.now()).toBe(START + h * HOUR);
          log.push(`action@${h}`);
        },
      });
    // Added out of order, before and while the workflow runs.
    entry(5);
    entry(1.5);
    const run = workflow(driver, clock, [START + HOUR, START + 3 * HOUR, START + 6 * HOUR], log);
    entry(2.5);
    entry(2.5);
    await run;
    await agenda.stop();
    expect(log).toEqual(['step@1', 'action@1.5', 'action@2.5', 'action@2.5', 'step@3', 'action@5', 'step@6']);
    driver.dispose();
  });

  it('runs what an entry adds for the same instant in the same drain, and later ones later', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const agenda = new Agenda(clock, driver, { concurrency: 2 });
    const log: number[] = [];
    agenda.add({
      at: START + HOUR,
      label: 'first',
      run: async () => {
        log.push(clock.now());
        agenda.add({ at: clock.now(), label: 'now', run: async () => void log.push(clock.now()) });
        agenda.add({ at: clock.now() + HOUR, label: 'later', run: async () => void log.push(clock.now()) });
      },
    });
    await workflow(driver, clock, [START + 3 * HOUR], []);
    await agenda.stop();
    expect(log).toEqual([START + HOUR, START + HOUR, START + 2 * HOUR]);
    driver.dispose();
  });

  it('stops: pending entries never run and the clock is no longer held', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const agenda = new Agenda(clock, driver, { concurrency: 1 });
    let ran = false;
    agenda.add({ at: START + 10 * HOUR, label: 'never', run: async () => {
        ran = true;
      } });
    await agenda.stop();
    await workflow(driver, clock, [START + 20 * HOUR], []);
    expect(ran).toBe(false);
    expect(driver.nextWakeUp()).toBeUndefined();
    driver.dispose();
  });

  it('reports a failing entry and goes on', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const errors: string[] = [];
    const agenda = new Agenda(clock, driver, { concurrency: 1, onError: (e, entry) => errors.push(`${entry.label}: ${(e as Error).message}`) });
    let after = false;
    agenda.add({ at: START + HOUR, label: 'bad', run: async () => Promise.reject(new Error('boom')) });
    agenda.add({ at: START + 2 * HOUR, label: 'good', run: async () => {
        after = true;
      } });
    await workflow(driver, clock, [START + 3 * HOUR], []);
    await agenda.stop();
    expect(errors).toEqual(['bad: boom']);
    expect(after).toBe(true);
    driver.dispose();
  });
});
