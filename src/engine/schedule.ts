/**
 * The rhythm of the sync (DESIGN §1.1): run a cycle, then wait the interval
 * after the cycle *ends* (not a fixed tick), as Marketo's sync does
 * (reference A1). Everything on the injected clock.
 *
 * On a VirtualClock nothing waits by itself: the world moves the clock and
 * asks `runDue()` to run every cycle whose time has come, in order. On a real
 * clock `start()` loops with `clock.sleep`.
 */
import type { Clock } from '../sim/clock.ts';

export const DEFAULT_INTERVAL_MS = 5 * 60_000;

export class Schedule<T = unknown> {
  /** When the next cycle is due (ms on the clock). */
  nextAt: number;
  private running = false;
  private stopped = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly cycle: () => Promise<T>,
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`sync interval must be positive, got ${intervalMs} ms`);
    this.nextAt = clock.now();
  }

  /** Runs one cycle now and schedules the next one an interval after it ends. */
  async runNow(): Promise<T> {
    if (this.running) throw new Error('a sync cycle is already running');
    this.running = true;
    try {
      return await this.cycle();
    } finally {
      this.running = false;
      this.nextAt = this.clock.now() + this.intervalMs;
    }
  }

  /**
   * Runs every cycle due now. A cycle's own backoff may move a virtual clock;
   * the next one is still due an interval after it ended.
   */
  async runDue(): Promise<T[]> {
    const out: T[] = [];
    while (this.nextAt <= this.clock.now()) out.push(await this.runNow());
    return out;
  }

  /**
   * Loop for a real clock: cycle, sleep the interval on the clock, repeat
   * until stop(). On a VirtualClock use runDue() from the driver instead
   * (its sleep jumps time, so this loop would never wait).
   */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = (async () => {
      while (!this.stopped) {
        const wait = this.nextAt - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait);
        if (this.stopped) break;
        try {
          await this.runNow();
        } catch {
          // The cycle reports its own failure through the trace; the rhythm goes on.
        }
      }
    })();
  }

  /** Stops the loop after the current cycle (if any) finishes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.loop = undefined;
  }

  get isRunning(): boolean {
    return this.running;
  }
}
