/**
 * The simulation's agenda on the virtual clock. Everything simulated people do
 * is an entry at a virtual instant. The agenda keeps ONE wait on the runtime's
 * VirtualTimeDriver, for its earliest entry, next to the workflow's own wait:
 * in fast mode the driver jumps to whichever comes first, so the clock never
 * passes an action. When the wait ends, the due entries run inside
 * `driver.busy`, which holds the clock still until they are done (the workflow
 * cannot move on meanwhile), and the agenda waits for its next entry before
 * letting go, so the driver never sees a moment without it.
 */
import type { VirtualClock } from '../../commons/clock.ts';
import { mapLimit } from '../../store/dynamo.ts';
import type { VirtualTimeDriver } from '../virtual-time.ts';

export interface AgendaEntry {
  at: number;
  label: string;
  run(): Promise<void>;
}

export class Agenda {
  private readonly heap: (AgendaEntry & { seq: number })[] = [];
  private seq = 0;
  private armed: { at: number; controller: AbortController } | undefined;
  private stopped = false;
  private draining: Promise<void> | undefined;
  private errors: unknown[] = [];

  constructor(
    private readonly clock: VirtualClock,
    private readonly driver: VirtualTimeDriver,
    private readonly options: { concurrency: number; onError?: (error: unknown, entry: AgendaEntry) => void },
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** The earliest entry's instant. */
  peek(): number | undefined {
    return this.heap[0]?.at;
  }

  /** Adds an entry (an instant in the past runs at the next drain) and re-arms the wait. */
  add(entry: AgendaEntry): void {
    if (this.stopped) return;
    this.push({ ...entry, seq: this.seq++ });
    this.arm();
  }

  /** Keeps one driver wait, for the earliest entry. */
  arm(): void {
    if (this.stopped || this.draining) return; // a drain re-arms when it is done
    const next = this.peek();
    if (next === undefined) {
      this.disarm();
      return;
    }
    if (this.armed?.at === next) return;
    this.disarm();
    const controller = new AbortController();
    this.armed = { at: next, controller };
    this.driver.until(next, { signal: controller.signal }).then(
      () => {
        if (this.armed?.controller !== controller) return;
        this.armed = undefined;
        // Synchronously after the wake-up (a microtask), before the driver can move the clock again.
        this.draining = this.driver.busy(() => this.drain()).finally(() => {
          this.draining = undefined;
          this.arm();
        });
      },
      () => undefined, // disarmed
    );
  }

  private disarm(): void {
    this.armed?.controller.abort();
    this.armed = undefined;
  }

  /** Runs every entry that is due, in time order; entries added meanwhile that are due run too. */
  private async drain(): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const due: AgendaEntry[] = [];
      while (this.heap.length && this.heap[0].at <= now) due.push(this.pop()!);
      if (due.length === 0 || this.stopped) return;
      await mapLimit(due, this.options.concurrency, async (entry) => {
        try {
          await entry.run();
        } catch (error) {
          this.errors.push(error);
          this.options.onError?.(error, entry);
        }
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.disarm();
    await this.draining;
  }

  // ---------------------------------------------------------------- binary heap on (at, seq)

  private less(a: { at: number; seq: number }, b: { at: number; seq: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(item: AgendaEntry & { seq: number }): void {
    const h = this.heap;
    h.push(item);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!this.less(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  private pop(): (AgendaEntry & { seq: number }) | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
