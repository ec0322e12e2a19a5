/**
 * The trace of a simulated run: every user action, API request, engine
 * decision, fault and cycle boundary, stamped with virtual time. It is what
 * `sync-sim replay` prints and what the determinism check hashes: same seed,
 * same scenario ⇒ the same lines ⇒ the same hash.
 */
import { createHash } from 'node:crypto';
import { iso } from './clock.ts';

/** Which lane of the timeline an event belongs to. */
export type Lane = 'user' | 'salesforce' | 'marketo' | 'engine' | 'fault' | 'world';

export interface TraceEvent {
  seq: number;
  /** Virtual time, ms since the epoch. */
  at: number;
  lane: Lane;
  /** Short machine name: `request`, `cycle.start`, `decision`, `edit`, `fault`, `expect`… */
  kind: string;
  /** One human line. */
  text: string;
  /** Structured details (kept JSON-safe: they are hashed). */
  data?: Record<string, unknown>;
}

/** Reading a list of events: its timeline text and its hash. */
export class TraceView {
  constructor(readonly events: TraceEvent[] = []) {}

  /** One event a line: `2026-01-05T09:05:00.000Z  engine     decision  Lead 00Q… Title: marketo wins (both changed)`. */
  toText(from = 0): string {
    return this.events
      .slice(from)
      .map((e) => formatLine(e))
      .join('\n');
  }

  /** SHA-256 of the canonical text of every event, data included. */
  hash(): string {
    const h = createHash('sha256');
    for (const e of this.events) h.update(`${e.seq}|${e.at}|${e.lane}|${e.kind}|${e.text}|${stableJson(e.data)}\n`);
    return h.digest('hex');
  }
}

export class Trace extends TraceView {
  constructor(private readonly now: () => number) {
    super();
  }

  record(lane: Lane, kind: string, text: string, data?: Record<string, unknown>): TraceEvent {
    const event: TraceEvent = { seq: this.events.length + 1, at: this.now(), lane, kind, text };
    if (data !== undefined) event.data = data;
    this.events.push(event);
    return event;
  }
}

export function formatLine(e: TraceEvent): string {
  return `${iso(e.at)}  ${e.lane.padEnd(10)} ${e.kind.padEnd(14)} ${e.text}`;
}

/** JSON with object keys sorted, so the hash does not depend on insertion order. */
export function stableJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}
