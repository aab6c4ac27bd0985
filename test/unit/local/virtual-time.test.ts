import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { VirtualTimeDriver } from '../../../functions/local/virtual-time.ts';

const START = Date.parse('2025-01-01T00:00:00Z');
const DAY = 86_400_000;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('VirtualTimeDriver', () => {
  it('fast: jumps to the earliest wake-up once nothing runs, one wake-up at a time', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const woke: number[] = [];
    const later = driver.until(START + 10 * DAY).then(() => woke.push(clock.now()));
    const sooner = driver.until(START + 3 * DAY).then(() => woke.push(clock.now()));
    await Promise.all([later, sooner]);
    expect(woke).toEqual([START + 3 * DAY, START + 10 * DAY]);
    driver.dispose();
  });

  it('fast: holds the clock while a task is busy', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    let release!: () => void;
    const task = driver.busy(() => new Promise<void>((resolve) => (release = resolve)));
    const wait = driver.until(START + DAY);
    for (let i = 0; i < 5; i++) await turn();
    expect(clock.now()).toBe(START);
    release();
    await task;
    await wait;
    expect(clock.now()).toBe(START + DAY);
    driver.dispose();
  });

  it('does not move the clock for non-blocking deadlines alone, but stops a jump at them', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const deadline = driver.until(START + DAY, { blocking: false });
    for (let i = 0; i < 3; i++) await turn();
    expect(clock.now()).toBe(START);
    void driver.until(START + 5 * DAY);
    await deadline;
    expect(clock.now()).toBe(START + DAY);
    driver.dispose();
  });

  it('interactive: resolves when someone else advances the clock', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'interactive');
    let done = false;
    const wait = driver.until(START + 2 * DAY).then(() => (done = true));
    for (let i = 0; i < 3; i++) await turn();
    expect(done).toBe(false);
    expect(driver.nextWakeUp()).toBe(START + 2 * DAY);
    clock.advanceBy(2 * DAY);
    await wait;
    expect(driver.nextWakeUp()).toBeUndefined();
    driver.dispose();
  });

  it('rejects a wait with the abort reason', async () => {
    const driver = new VirtualTimeDriver(new VirtualClock(START), 'interactive');
    const controller = new AbortController();
    const wait = driver.until(START + DAY, { signal: controller.signal });
    controller.abort(new Error('gestopt'));
    await expect(wait).rejects.toThrow('gestopt');
    expect(driver.nextWakeUp()).toBeUndefined();
    driver.dispose();
  });

  it('speed: moves gradually at the given rate and lands exactly on the wake-up', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, { daysPerSecond: 20 }, 20);
    const seen: number[] = [];
    const stop = clock.onChange((now) => seen.push(now));
    const started = performance.now();
    await driver.until(START + 5 * DAY); // about 250 ms
    expect(performance.now() - started).toBeGreaterThan(200);
    expect(clock.now()).toBe(START + 5 * DAY);
    expect(seen.length).toBeGreaterThan(3);
    stop();
    driver.dispose();
  });

  it('refuses a speed that is not positive', () => {
    expect(() => new VirtualTimeDriver(new VirtualClock(START), { daysPerSecond: 0 })).toThrow(RangeError);
  });
});
