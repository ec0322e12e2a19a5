/**
 * Marketo's API limits on the instance's clock (reference B2):
 *   - 100 calls per 20 seconds, a sliding window shared by all services → 606;
 *   - 10 calls in flight → 615;
 *   - a daily quota (default 50,000) that resets at 12:00 AM CST → 607.
 *
 * A call is counted when it is admitted and uncounted when it ends with a
 * code the reference marks as not counting (601, 602, 604, 605, 608, 611).
 * A call refused here (606/607/615) never reached the API and is not
 * counted either. [UNCONFIRMED] whether Marketo counts refused calls: not
 * counting them lets a backing-off client recover once the window slides.
 */
import type { Clock } from '../../src/sim/clock.ts';

export const RATE_LIMIT_CALLS = 100;
export const RATE_WINDOW_MS = 20_000;
export const MAX_CONCURRENT = 10;
export const DEFAULT_DAILY_QUOTA = 50_000;

/** Codes whose calls count against neither the quota nor the rate window (reference B3). */
export const UNCOUNTED_CODES: ReadonlySet<string> = new Set(['601', '602', '604', '605', '608', '611']);

const DAY_MS = 86_400_000;
/** CST is UTC-6; the quota day starts at 06:00 UTC. */
const CST_OFFSET_MS = 6 * 3_600_000;

export type Admission =
  | { ok: true; ticket: Ticket }
  | { ok: false; code: '606' | '607' | '615'; message: string };

export interface Ticket {
  at: number;
  day: number;
  done: boolean;
}

export class Limits {
  private readonly window: Ticket[] = [];
  private inFlightCount = 0;
  private day = -1;
  private usedToday = 0;

  constructor(
    private readonly clock: Clock,
    readonly dailyQuota: number = DEFAULT_DAILY_QUOTA,
  ) {}

  private dayOf(ms: number): number {
    return Math.floor((ms - CST_OFFSET_MS) / DAY_MS);
  }

  private prune(now: number): void {
    while (this.window.length > 0 && this.window[0]!.at <= now - RATE_WINDOW_MS) this.window.shift();
    const today = this.dayOf(now);
    if (today !== this.day) {
      this.day = today;
      this.usedToday = 0;
    }
  }

  admit(): Admission {
    const now = this.clock.now();
    this.prune(now);
    if (this.inFlightCount >= MAX_CONCURRENT) return { ok: false, code: '615', message: 'Concurrent access limit reached' };
    if (this.window.length >= RATE_LIMIT_CALLS) {
      return { ok: false, code: '606', message: `Max rate limit '${RATE_LIMIT_CALLS}' exceeded with in '${RATE_WINDOW_MS / 1000}' secs` };
    }
    if (this.usedToday >= this.dailyQuota) return { ok: false, code: '607', message: 'Daily quota reached' };
    const ticket: Ticket = { at: now, day: this.day, done: false };
    this.window.push(ticket);
    this.usedToday++;
    this.inFlightCount++;
    return { ok: true, ticket };
  }

  /** Ends an admitted call; `counted: false` gives back its place in the window and the quota. */
  finish(ticket: Ticket, counted: boolean): void {
    if (ticket.done) return;
    ticket.done = true;
    this.inFlightCount--;
    if (counted) return;
    const i = this.window.indexOf(ticket);
    if (i >= 0) this.window.splice(i, 1);
    if (ticket.day === this.day) this.usedToday--;
  }

  get inFlight(): number {
    return this.inFlightCount;
  }

  usage(): { today: number; dailyQuota: number; inWindow: number; inFlight: number } {
    this.prune(this.clock.now());
    return { today: this.usedToday, dailyQuota: this.dailyQuota, inWindow: this.window.length, inFlight: this.inFlightCount };
  }
}
