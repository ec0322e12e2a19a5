/**
 * The one source of time for the engine and the emulators (DESIGN §3).
 *
 * Logic never reads the wall clock: it asks a Clock. The simulator hands
 * everyone the same VirtualClock, so a day of syncing runs in milliseconds
 * and the same seed gives the same timestamps. Served mode and real runs use
 * RealClock. This module and rng.ts are the only places allowed to touch
 * Date.now / setTimeout (test/guards/determinism.test.ts enforces it).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves once `ms` milliseconds have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

/** 2026-01-05T09:00:00Z, a Monday morning: the default start of a simulated world. */
export const DEFAULT_EPOCH = Date.UTC(2026, 0, 5, 9, 0, 0);

/**
 * Simulated time. Time moves only when told to: `advanceTo`/`advanceBy` by
 * the driver (the world), or `sleep` by the single actor that is running
 * (the engine backing off jumps the clock forward, as in a discrete-event
 * simulation where nothing else is runnable). Sleeping never waits for wall
 * time.
 */
export class VirtualClock implements Clock {
  private current: number;
  private readonly listeners = new Set<(now: number) => void>();

  constructor(start: number = DEFAULT_EPOCH) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.advanceBy(ms);
    // Yield once so a sleeping caller still gives other promises a turn.
    await Promise.resolve();
  }

  advanceBy(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    this.advanceTo(this.current + ms);
  }

  /** Moves time forward to `t`; moving backwards is ignored (time never runs back). */
  advanceTo(t: number): void {
    if (t <= this.current) return;
    this.current = t;
    for (const listener of this.listeners) listener(t);
  }

  /** Called after every move of the clock; returns an unsubscribe function. */
  onAdvance(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * Wall-clock time, for served mode and for running the engine against a real
 * org. `offset` lets a served clock be pushed forward (the control API's
 * "advance") and `hold` freezes it.
 */
export class RealClock implements Clock {
  private offset = 0;
  private heldAt: number | undefined;

  now(): number {
    return this.heldAt ?? Date.now() + this.offset;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
  }

  advanceBy(ms: number): void {
    if (this.heldAt !== undefined) this.heldAt += ms;
    else this.offset += ms;
  }

  hold(): void {
    this.heldAt ??= this.now();
  }

  release(): void {
    if (this.heldAt === undefined) return;
    this.offset = this.heldAt - Date.now();
    this.heldAt = undefined;
  }

  get held(): boolean {
    return this.heldAt !== undefined;
  }
}

/**
 * Lets the event loop turn once. A fuzz campaign is all microtasks, so without
 * this between runs no stdout write drains and no stray timer ever fires.
 * Never part of a run's logic: it reads no time and changes no order.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Salesforce- and Marketo-style UTC timestamp: 2026-01-05T09:00:00.000Z. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses `300ms`, `30s`, `5m`, `2h`, `1d` or a combination like `1h30m`; throws on anything else. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(trimmed)) !== null) {
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    matched = re.lastIndex;
  }
  if (trimmed === '' || matched !== trimmed.length) {
    throw new SyntaxError(`bad duration "${text}": write a number and a unit, like 30s, 5m, 2h or 1d`);
  }
  return total;
}
