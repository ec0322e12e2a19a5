/**
 * The bench's figures and targets: what is measured, what it must reach, and
 * how the table reads. Pure (no I/O), so it is tested on its own
 * (test/bench/figures.test.ts).
 */

/** Records of the simulated day and of the backfill / memory world; the growth figure compares the two sizes. */
export const DAY_RECORDS = 10_000;
export const LARGE_RECORDS = 100_000;

/**
 * The growth figure's procedure, the same at both sizes and in --quick: edits per side per busy cycle, untimed busy
 * cycles first (V8 compiles some of the cycle's functions only after ~30 cycles) and timed reps (median).
 */
export const GROWTH_EDITS = 50;
export const GROWTH_WARMUP = 30;
export const GROWTH_REPS = 21;

export interface Target {
  /** `<=` : at most `value`; `>=` : at least. */
  op: '<=' | '>=';
  value: number;
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** The target as text ("≤ 5", "≥ 1500"), or "" for a figure shown for information. */
  target: string;
  /** True when the target is met, or when the figure has no target. */
  met: boolean;
}

/** How a figure is judged in --quick mode (CI): timings are shown but not enforced. */
export type Enforcement = 'always' | 'full-only';

export interface Measured {
  name: string;
  value: number;
  unit: string;
  target?: Target;
  enforce?: Enforcement;
  /** In --quick mode a looser target replaces `target` (the growth ratio's margin for noise). */
  quickTarget?: Target;
}

export function targetText(t: Target | undefined): string {
  if (!t) return '';
  return `${t.op === '<=' ? '≤' : '≥'} ${formatNumber(t.value)}`;
}

export function meets(value: number, t: Target | undefined): boolean {
  if (!t) return true;
  if (!Number.isFinite(value)) return false;
  return t.op === '<=' ? value <= t.value : value >= t.value;
}

/**
 * Judges every measured figure. In quick mode only the figures marked
 * `always` are enforced (counts, ratios, memory); the others show their
 * target with `met` computed but are not counted as failures.
 */
export function judge(measured: readonly Measured[], quick: boolean): { figures: Figure[]; failed: Figure[] } {
  const figures: Figure[] = [];
  const failed: Figure[] = [];
  for (const m of measured) {
    const target = quick && m.quickTarget ? m.quickTarget : m.target;
    const met = meets(m.value, target);
    const f: Figure = { name: m.name, value: m.value, unit: m.unit, target: targetText(target), met };
    figures.push(f);
    const enforced = !quick || (m.enforce ?? 'always') === 'always';
    if (!met && enforced && target) failed.push(f);
  }
  return { figures, failed };
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return v.toLocaleString('en-US', { minimumFractionDigits: 0, maximumFractionDigits: digits });
}

/** One plain-text table: figure, value, unit, target, met. `notEnforced` names figures quick mode only shows. */
export function formatTable(figures: readonly Figure[], notEnforced: ReadonlySet<string> = new Set()): string {
  const rows = figures.map((f) => [
    f.name,
    formatNumber(f.value),
    f.unit,
    f.target || '—',
    !f.target ? '' : f.met ? 'met' : notEnforced.has(f.name) ? 'missed (not enforced in --quick)' : 'MISSED',
  ]);
  const head = ['figure', 'value', 'unit', 'target', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 1 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The fewest calls a backfill of `n` records can make: query pages of 2,000 and Marketo writes of 300. */
export function minimumBackfillCalls(n: number): { queryPages: number; marketoWrites: number; total: number } {
  const queryPages = Math.max(1, Math.ceil(n / 2000));
  const marketoWrites = Math.ceil(n / 300);
  return { queryPages, marketoWrites, total: queryPages + marketoWrites };
}

/** Edits per cycle so that `perHour` edits spread evenly over cycles of `cyclesPerHour` (cycle `c`, from 0). */
export function editsInCycle(perHour: number, cyclesPerHour: number, c: number): number {
  return Math.round((perHour * (c + 1)) / cyclesPerHour) - Math.round((perHour * c) / cyclesPerHour);
}

/** What the growth figure reports of one size's timed reps (ms; `gc` is the GC pauses inside them). */
export function growthSummary(reps: ReadonlyArray<{ ms: number; cpuMs: number; calls: number }>, gc: { ms: number; minor: number; major: number }): {
  reps: number;
  growthMs: number;
  growthCpuMs: number;
  growthCpuMeanMs: number;
  growthCalls: number;
  gcShare: number;
  gcMinor: number;
  gcMajor: number;
} {
  const wall = reps.reduce((a, r) => a + r.ms, 0);
  return {
    reps: reps.length,
    growthMs: median(reps.map((r) => r.ms)),
    growthCpuMs: median(reps.map((r) => r.cpuMs)),
    growthCpuMeanMs: reps.reduce((a, r) => a + r.cpuMs, 0) / reps.length,
    growthCalls: median(reps.map((r) => r.calls)),
    gcShare: wall > 0 ? gc.ms / wall : NaN,
    gcMinor: gc.minor,
    gcMajor: gc.major,
  };
}

/** The median of a non-empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
