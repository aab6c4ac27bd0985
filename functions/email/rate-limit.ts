import type { Clock } from '../commons/clock.ts';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A token bucket on the injected clock. SES enforces a per-account maximum send
 * rate (messages per second) and rejects calls above it with a throttling error
 * instead of queueing them, so the sender paces itself below the quota.
 *
 * The capacity defaults to 1 (no burst): N calls then take at least (N-1)/rate
 * seconds, and a burst at the start of a run cannot trip the quota while other
 * senders (the every-minute schedule, another cycle) are already sending.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: Clock,
    private readonly sleep: Sleep,
    private readonly capacity = 1,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`ratePerSecond must be positive, got ${ratePerSecond}`);
    this.tokens = capacity;
    this.last = clock.now();
  }

  /** Waits until a token is available and takes it. */
  async take(): Promise<void> {
    for (;;) {
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
    }
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.ratePerSecond) / 1000);
      this.last = now;
    }
  }
}
