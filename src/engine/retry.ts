/**
 * Transient faults and the engine's own retry policy (DESIGN §4 "Transient
 * faults"). Backoff sleeps on the injected clock, never on wall time; jsforce's
 * built-in retries are switched off (salesforce.ts) so this is the only one.
 */
import type { Clock } from '../sim/clock.ts';

/** An API failure, classified. `transient` ones are worth retrying. */
export class ApiError extends Error {
  constructor(
    readonly system: 'salesforce' | 'marketo',
    readonly code: string,
    message: string,
    readonly transient: boolean,
    readonly status?: number,
    readonly fields: string[] = [],
  ) {
    super(message);
    this.name = `${system} ${code}`;
  }
}

/** Marketo's daily quota (607): nothing more today. */
export class QuotaExhausted extends ApiError {
  constructor(
    system: 'salesforce' | 'marketo',
    code: string,
    message: string,
    readonly until: number,
  ) {
    super(system, code, message, false);
  }
}

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** Capped exponential backoff: base, 2·base, 4·base … up to max. Deterministic (no jitter: one client per world). */
export function backoffDelay(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** Only classified API errors are retried: the clients wrap network failures; anything else is a bug. */
export function isTransient(err: unknown): boolean {
  return err instanceof ApiError && err.transient;
}

/**
 * Runs `fn`, retrying transient failures with backoff on `clock`. Errors that
 * are not transient, and the last transient one, are thrown.
 */
export async function withRetry<T>(
  clock: Clock,
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  onRetry?: (attempt: number, delayMs: number, err: unknown) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!isTransient(err) || attempt >= policy.maxAttempts) throw err;
      const delay = retryAfter(err) ?? backoffDelay(policy, attempt);
      onRetry?.(attempt, delay, err);
      await clock.sleep(delay);
    }
  }
}

function retryAfter(err: unknown): number | undefined {
  return err instanceof RetryAfter ? err.delayMs : undefined;
}

/** A transient error that says how long to wait (Marketo's 606 sliding window). */
export class RetryAfter extends ApiError {
  constructor(
    system: 'salesforce' | 'marketo',
    code: string,
    message: string,
    readonly delayMs: number,
  ) {
    super(system, code, message, true);
  }
}
