/**
 * The one clock. Domain and handler code never call `Date.now()` or `new Date()`
 * without an argument: they get a Clock injected. In AWS it is the system clock;
 * in a local rehearsal it is a VirtualClock that the workflow runner moves.
 */
export interface Clock {
  /** Current instant in epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. Used by rehearsals and tests. */
export class VirtualClock implements Clock {
  private current: number;
  private readonly listeners = new Set<(now: number) => void>();

  constructor(start: number | Date | string) {
    this.current = typeof start === 'number' ? start : new Date(start).getTime();
  }

  now(): number {
    return this.current;
  }

  /** Moves forward to `instant`; never backwards (time in a rehearsal is monotonic). */
  advanceTo(instant: number | Date | string): number {
    const target = typeof instant === 'number' ? instant : new Date(instant).getTime();
    if (target > this.current) {
      this.current = target;
      for (const listener of this.listeners) listener(this.current);
    }
    return this.current;
  }

  advanceBy(ms: number): number {
    return this.advanceTo(this.current + ms);
  }

  onChange(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** An instant as the ISO string the store and the contracts carry (UTC, milliseconds). */
export const isoAt = (ms: number): string => new Date(ms).toISOString();

/** The clock's now as that string. */
export const isoNow = (clock: Clock): string => isoAt(clock.now());
