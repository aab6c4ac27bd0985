/**
 * Moves a VirtualClock for waiting workflow states.
 *
 * Virtual time passes only while the workflow waits: while a task runs the
 * clock stands still (tasks take no virtual time), so runs are reproducible.
 * Modes:
 * - `fast`: once every branch is waiting, jump to the earliest wake-up.
 * - `{ daysPerSecond }`: once every branch is waiting, move towards the
 *   earliest wake-up at that rate, in short real-time ticks.
 * - `interactive`: never move the clock; someone else calls `clock.advanceTo`.
 */
import type { VirtualClock } from '../commons/clock.ts';

export type ClockMode = 'fast' | 'interactive' | { daysPerSecond: number };

const DAY_MS = 86_400_000;

interface Sleeper {
  target: number;
  /** Blocking sleepers are workflow waits; non-blocking ones (deadlines) never make the clock move. */
  blocking: boolean;
  wake(): void;
}

export class VirtualTimeDriver {
  private readonly sleepers = new Set<Sleeper>();
  private busyCount = 0;
  /** Bumped on every change, to see whether a macrotask turn passed without any. */
  private generation = 0;
  private immediate: NodeJS.Immediate | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private lastTick = 0;
  private readonly unsubscribe: () => void;
  /** Called at quiet moments: nothing holds the clock, every branch waits, the clock is about to move. */
  private quietListener: (() => void) | undefined;

  constructor(
    private readonly clock: VirtualClock,
    private currentMode: ClockMode,
    private readonly tickMs = 50,
  ) {
    validateMode(currentMode);
    this.unsubscribe = clock.onChange((now) => {
      for (const sleeper of [...this.sleepers]) if (sleeper.target <= now) sleeper.wake();
    });
  }

  get mode(): ClockMode {
    return this.currentMode;
  }

  setMode(mode: ClockMode): void {
    validateMode(mode);
    this.currentMode = mode;
    this.stopTimers();
    this.changed();
  }

  /** Resolves once the clock reaches `target`; rejects with the signal's reason when aborted. */
  until(target: number, options: { signal?: AbortSignal; blocking?: boolean } = {}): Promise<void> {
    const { signal, blocking = true } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.clock.now() >= target) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        this.sleepers.delete(sleeper);
        signal?.removeEventListener('abort', onAbort);
        this.changed();
      };
      const sleeper: Sleeper = {
        target,
        blocking,
        wake: () => {
          done();
          resolve();
        },
      };
      const onAbort = (): void => {
        done();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.add(sleeper);
      this.changed();
    });
  }

  /** Runs `work` with the clock held still. */
  async busy<T>(work: () => Promise<T>): Promise<T> {
    this.busyCount++;
    this.changed();
    try {
      return await work();
    } finally {
      this.busyCount--;
      this.changed();
    }
  }

  /**
   * Called synchronously whenever the driver is about to move the clock because
   * everything waits (fast and speed modes): nothing runs at that moment. Work
   * it starts under `busy` holds the clock until it is done.
   */
  onQuiet(listener: (() => void) | undefined): void {
    this.quietListener = listener;
  }

  /**
   * Runs `work` synchronously if, one event-loop turn from now, nothing holds the
   * clock and nothing changed meanwhile; returns whether it ran.
   */
  async ifQuiet(work: () => void): Promise<boolean> {
    if (this.busyCount > 0) return false;
    const seen = this.generation;
    await new Promise((r) => setImmediate(r));
    if (this.busyCount > 0 || seen !== this.generation) return false;
    work();
    return true;
  }

  /** The earliest instant a workflow wait ends, if any is waiting. */
  nextWakeUp(): number | undefined {
    return earliest([...this.sleepers].filter((s) => s.blocking));
  }

  /**
   * Resolves once nothing holds the clock (no `busy` work) and a whole event-loop
   * turn passed without a change: whoever a clock move woke has reached its next
   * wait. For moving the clock by hand (interactive mode) one wake-up at a time.
   */
  async settled(): Promise<void> {
    for (;;) {
      const seen = this.generation;
      if (this.busyCount > 0) await new Promise((r) => setTimeout(r, 5));
      else await new Promise((r) => setImmediate(r));
      if (this.busyCount === 0 && seen === this.generation) return;
    }
  }

  dispose(): void {
    this.unsubscribe();
    this.stopTimers();
  }

  private idle(): boolean {
    return this.busyCount === 0 && [...this.sleepers].some((s) => s.blocking);
  }

  private changed(): void {
    this.generation++;
    const mode = this.currentMode;
    if (mode === 'fast') this.settleThenJump();
    else if (mode !== 'interactive' && this.idle() && !this.ticker) this.startTicker(mode.daysPerSecond);
  }

  /**
   * Jumps only after a whole event-loop turn without changes: the engine moves
   * between states in microtasks, so by then every branch that is not running a
   * task has reached its wait.
   */
  private settleThenJump(): void {
    if (this.immediate) return;
    const seen = this.generation;
    this.immediate = setImmediate(() => {
      this.immediate = undefined;
      if (!this.idle() || this.currentMode !== 'fast') return;
      if (seen !== this.generation) return this.settleThenJump();
      const next = earliest([...this.sleepers]);
      if (next === undefined) return;
      this.quietListener?.();
      // The listener may have started work that holds the clock (a checkpoint): its end moves on.
      if (!this.idle()) return;
      this.clock.advanceTo(next);
    });
  }

  /** Real time is slept in short ticks, far below setTimeout's 2^31 ms limit. */
  private startTicker(daysPerSecond: number): void {
    this.lastTick = performance.now();
    this.ticker = setInterval(() => {
      const now = performance.now();
      const elapsed = now - this.lastTick;
      this.lastTick = now;
      const next = earliest([...this.sleepers]);
      if (!this.idle() || next === undefined) {
        clearInterval(this.ticker);
        this.ticker = undefined;
        return;
      }
      this.quietListener?.();
      if (!this.idle()) return;
      const step = Math.max(1, Math.floor((elapsed * daysPerSecond * DAY_MS) / 1000));
      this.clock.advanceTo(Math.min(this.clock.now() + step, next));
    }, this.tickMs);
  }

  private stopTimers(): void {
    if (this.immediate) clearImmediate(this.immediate);
    if (this.ticker) clearInterval(this.ticker);
    this.immediate = undefined;
    this.ticker = undefined;
  }
}

function earliest(sleepers: Sleeper[]): number | undefined {
  return sleepers.length === 0 ? undefined : Math.min(...sleepers.map((s) => s.target));
}

function validateMode(mode: ClockMode): void {
  if (typeof mode === 'object' && !(Number.isFinite(mode.daysPerSecond) && mode.daysPerSecond > 0)) {
    throw new RangeError(`daysPerSecond must be a positive number, got ${mode.daysPerSecond}`);
  }
}
