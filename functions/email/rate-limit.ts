import type { Clock } from '../commons/clock.ts';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the sender waits on before each SES call; `lane` is the message's cycle. */
export interface RateLimiter {
  take(lane?: string): Promise<void>;
}

/**
 * A token bucket on the injected clock. SES enforces a per-account maximum send
 * rate (messages per second) and rejects calls above it with a throttling error
 * instead of queueing them, so the sender paces itself below the quota.
 *
 * The capacity defaults to 1 (no burst): N calls then take at least (N-1)/rate
 * seconds, and a burst at the start of a run cannot trip the quota while other
 * senders (the every-minute schedule, another cycle) are already sending.
 */
export class TokenBucket implements RateLimiter {
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

/**
 * One send rate shared by every sender at once (the SES quota is per account, and the cycles of a year send
 * at the same time), served round-robin by lane (cycle): each token goes to the next lane, in name order, that
 * has a call waiting. A cycle with a large batch waiting then slows another cycle's few emails by one call per
 * waiting lane each, never by its whole batch.
 */
export class FairRateLimiter implements RateLimiter {
  private readonly bucket: TokenBucket;
  private readonly waiting = new Map<string, (() => void)[]>();
  private last: string | undefined;
  private pumping = false;

  constructor(ratePerSecond: number, clock: Clock, sleep: Sleep) {
    this.bucket = new TokenBucket(ratePerSecond, clock, sleep);
  }

  take(lane = ''): Promise<void> {
    return new Promise((resolve) => {
      const queue = this.waiting.get(lane);
      if (queue) queue.push(resolve);
      else this.waiting.set(lane, [resolve]);
      void this.pump();
    });
  }

  /** The lane after the last one served (in name order, wrapping), among those with calls waiting. */
  private nextLane(): string | undefined {
    const lanes = [...this.waiting.keys()].sort();
    return lanes.find((l) => this.last === undefined || l > this.last) ?? lanes[0];
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting.size) {
        await this.bucket.take();
        const lane = this.nextLane()!;
        const queue = this.waiting.get(lane)!;
        const resolve = queue.shift()!;
        if (!queue.length) this.waiting.delete(lane);
        this.last = lane;
        resolve();
      }
    } finally {
      this.pumping = false;
    }
  }
}
