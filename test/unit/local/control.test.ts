import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { ConflictError, ValidationError } from '../../../functions/commons/errors.ts';
import { createClockController, parseInstant, startControlServer } from '../../../functions/local/control.ts';
import { VirtualTimeDriver } from '../../../functions/local/virtual-time.ts';

const START = Date.parse('2020-01-01T00:00:00Z');
const DAY = 86_400_000;

describe('parseInstant', () => {
  it('reads a date as the start of that day in Europe/Amsterdam, summer and winter, or an ISO instant', () => {
    expect(new Date(parseInstant('2020-09-02')).toISOString()).toBe('2020-09-01T22:00:00.000Z');
    expect(new Date(parseInstant('2020-12-01')).toISOString()).toBe('2020-11-30T23:00:00.000Z');
    expect(parseInstant('2020-09-01T07:00:00Z')).toBe(Date.parse('2020-09-01T07:00:00Z'));
    expect(() => parseInstant('gisteren')).toThrow(ValidationError);
  });
});

describe('moving the clock by hand', () => {
  it('stops at every wake-up on the way and lets what woke run before moving on', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'interactive');
    const controller = createClockController({ clock, driver, nextMilestone: () => START + 10 * DAY });
    const seen: number[] = [];
    // Two waiters; the second starts waiting only after the first ran (like a workflow loop).
    void driver.until(START + DAY).then(async () => {
      await driver.busy(async () => void seen.push(clock.now()));
      await driver.until(START + 2 * DAY);
      await driver.busy(async () => void seen.push(clock.now()));
    });
    expect(controller.interactive()).toBe(true);
    expect(controller.nextWakeUp()).toBe(START + 10 * DAY);
    expect(await controller.advanceTo(START + 5 * DAY)).toEqual({ from: START, to: START + 5 * DAY });
    expect(seen).toEqual([START + DAY, START + 2 * DAY]);
    await expect(controller.advanceTo(START)).rejects.toBeInstanceOf(ValidationError);
    expect(await controller.advanceToNextMilestone()).toEqual({ from: START + 5 * DAY, to: START + 10 * DAY });
    driver.dispose();
  });

  it('refuses when the clock moves by itself', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'fast');
    const controller = createClockController({ clock, driver, nextMilestone: () => undefined });
    await expect(controller.advanceTo(START + DAY)).rejects.toBeInstanceOf(ConflictError);
    driver.dispose();
  });
});

describe('the control endpoint', () => {
  it('answers only with the secret, and moves the clock', async () => {
    const clock = new VirtualClock(START);
    const driver = new VirtualTimeDriver(clock, 'interactive');
    const server = await startControlServer({ controller: createClockController({ clock, driver, nextMilestone: () => undefined }), status: () => ({ extra: 1 }) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${server.url}/status`)).status).toBe(401);
      expect((await fetch(`${server.url}/status`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const auth = { authorization: `Bearer ${server.secret}`, 'content-type': 'application/json' };
      expect(await (await fetch(`${server.url}/status`, { headers: auth })).json()).toMatchObject({ clock: { now: '2020-01-01T00:00:00.000Z', mode: 'interactive' }, extra: 1 });
      const moved = await fetch(`${server.url}/clock/advance`, { method: 'POST', headers: auth, body: JSON.stringify({ to: '2020-01-03' }) });
      expect(await moved.json()).toMatchObject({ moved: { from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T23:00:00.000Z' } });
      expect(clock.now()).toBe(Date.parse('2020-01-02T23:00:00Z'));
      const bad = await fetch(`${server.url}/clock/advance`, { method: 'POST', headers: auth, body: JSON.stringify({ to: 'morgen' }) });
      expect(bad.status).toBe(400);
      expect((await fetch(`${server.url}/nope`, { headers: auth })).status).toBe(404);
    } finally {
      await server.close();
      driver.dispose();
    }
  });
});
