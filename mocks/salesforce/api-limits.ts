/**
 * The daily API request allowance (reference §7.5). Salesforce counts it
 * over a rolling 24-hour window, so this does too, on the org's clock:
 * requests are kept in one-minute buckets and a bucket stops counting 24
 * hours after its minute.
 */
import type { Clock } from '../../src/sim/clock.ts';

const MINUTE = 60_000;
const WINDOW_MINUTES = 24 * 60;

export class ApiLimits {
  private readonly buckets: Array<{ minute: number; count: number }> = [];
  private used = 0;

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    readonly max: number,
  ) {}

  /** Counts one request; false (and nothing counted) once the allowance is spent. */
  count(): boolean {
    this.expire();
    if (this.used >= this.max) return false;
    const minute = Math.floor(this.clock.now() / MINUTE);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.minute === minute) last.count++;
    else this.buckets.push({ minute, count: 1 });
    this.used++;
    return true;
  }

  usage(): { used: number; max: number } {
    this.expire();
    return { used: this.used, max: this.max };
  }

  private expire(): void {
    const oldest = Math.floor(this.clock.now() / MINUTE) - WINDOW_MINUTES;
    while (this.buckets.length > 0 && this.buckets[0]!.minute <= oldest) this.used -= this.buckets.shift()!.count;
  }
}
