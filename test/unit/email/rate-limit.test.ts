import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../functions/commons/clock.ts';
import { FairRateLimiter } from '../../../functions/email/rate-limit.ts';

function setup(rate = 10) {
  const clock = new VirtualClock('2020-09-01T07:00:00Z');
  const sleep = async (ms: number) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    clock.advanceBy(ms);
  };
  return { clock, sleep, limiter: new FairRateLimiter(rate, clock, sleep) };
}

describe('FairRateLimiter: one rate shared by the cycles', () => {
  it('keeps the rate: n calls, from any lanes, take (n−1)/rate seconds', async () => {
    const { clock, limiter } = setup(10);
    const start = clock.now();
    await Promise.all([...Array.from({ length: 15 }, () => limiter.take('msr-2021')), ...Array.from({ length: 6 }, () => limiter.take('zvt-2021'))]);
    expect(clock.now() - start).toBe(2000);
  });

  it('serves the lanes round-robin: a large batch of one cycle does not hold back the few emails of another', async () => {
    const { limiter } = setup(10);
    const order: string[] = [];
    const take = (lane: string) => limiter.take(lane).then(() => order.push(lane));
    const big = Array.from({ length: 100 }, () => take('msr-2021'));
    await new Promise<void>((resolve) => setImmediate(resolve)); // the batch waits first
    const small = [...Array.from({ length: 3 }, () => take('zvt-2021')), ...Array.from({ length: 2 }, () => take('wlz-2021'))];
    await Promise.all(small);
    // Within the first rounds, not after the batch: one call per waiting lane each.
    expect(order.length).toBeLessThanOrEqual(1 + 3 * 3);
    expect(order.filter((l) => l === 'zvt-2021')).toHaveLength(3);
    await Promise.all(big);
    expect(order.filter((l) => l === 'msr-2021')).toHaveLength(100);
  });
});
