/**
 * Worlds for the engine figures: `n` Salesforce leads seeded straight into the
 * org model, linked by the engine's first cycle (the backfill), and an edit
 * workload that changes records on both sides between cycles.
 */
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { Rng } from '../src/sim/rng.ts';
import { createWorld, type World, type WorldTransport } from '../src/sim/world.ts';
import type { CycleReport } from '../src/engine/engine.ts';
import { EDIT_CITIES, EDIT_TITLES, seedLeads } from './seed.ts';

export interface Linked {
  w: World;
  ids: string[];
  /** Salesforce lead id → person id. */
  personOf: Map<string, number>;
  seedMs: number;
  backfill: { ms: number; report: CycleReport };
  /** Cycles after the backfill until one wrote nothing and read no backlog. */
  drainCycles: number;
}

export async function linkedWorld(n: number, seed = 1, transport: WorldTransport = 'in-process', opts: { timeline?: boolean } = {}): Promise<Linked> {
  const w = createWorld({ seed, transport });
  if (opts.timeline === false) forgetTimeline(w);
  let t = performance.now();
  const ids = seedLeads(w, n, seed);
  const seedMs = performance.now() - t;
  t = performance.now();
  const report = await w.runCycle();
  const backfillMs = performance.now() - t;
  if (!report.ok) throw new Error(`backfill cycle failed: ${report.error}`);
  // The next cycles read back Marketo's New Lead activities (the engine's own creates) and settle echoes.
  let drainCycles = 0;
  for (let i = 0; i < 5; i++) {
    const [r] = await w.advance('5m');
    drainCycles++;
    if (r && r.ok && r.sfUpdated + r.mktoUpdated + r.peopleCreated === 0 && r.mktoCalls <= 1) break;
  }
  const personOf = new Map<string, number>();
  for (const p of w.instance.listPeople()) if (typeof p.sfdcLeadId === 'string') personOf.set(p.sfdcLeadId, p.id);
  if (personOf.size !== n) throw new Error(`expected ${n} linked people, found ${personOf.size}`);
  return { w, ids, personOf, seedMs, backfill: { ms: backfillMs, report }, drainCycles };
}

/**
 * Makes the world keep no timeline: its trace and engine-event lists take
 * nothing in. For the memory figure only: a backfill of 100k records writes
 * 100k `link` events (~50 MB of live heap, plus the GC slack that grows with
 * it) that no figure reads, and a real engine keeps no such timeline. Trace
 * seq numbers then stay at 1, so such a world's trace hash means nothing.
 */
function forgetTimeline(w: World): void {
  for (const list of [w.trace.events, w.engineEvents] as unknown[][]) {
    Object.defineProperty(list, 'push', { value: () => list.length });
  }
}

/** `k` Salesforce user edits and `k` Marketo user edits, on records drawn at random. */
export function edit(l: Linked, rng: Rng, k: number): void {
  for (let i = 0; i < k; i++) {
    const id = l.ids[rng.int(0, l.ids.length - 1)]!;
    l.w.salesforceUser.update('Lead', id, { Title: `${rng.pick(EDIT_TITLES)} ${rng.int(1, 999)}` });
    const person = l.personOf.get(l.ids[rng.int(0, l.ids.length - 1)]!)!;
    l.w.marketoUser.update(person, { city: `${rng.pick(EDIT_CITIES)} ${rng.int(1, 999)}` });
  }
}

/** Runs the next due cycle and times it. */
export async function timedCycle(w: World): Promise<{ ms: number; report: CycleReport }> {
  const t = performance.now();
  const [report] = await w.advance(Math.max(0, w.engine.schedule.nextAt - w.clock.now()));
  const ms = performance.now() - t;
  if (!report) throw new Error('no cycle was due');
  if (!report.ok) throw new Error(`cycle ${report.cycle} failed: ${report.error}`);
  return { ms, report };
}

/** One timed busy cycle of the growth figure. */
export interface BusyRep {
  ms: number;
  cpuMs: number;
  calls: number;
}

/**
 * Busy cycles for the growth figure: `k` edits per side drawn from `seed`, then the next cycle, timed. `warm` runs
 * untimed busy cycles first, so that every function the cycle runs is compiled by V8's optimizing tier before any
 * timing (some compile only after ~30 cycles, and one compile of the engine's largest function costs ~200 ms of CPU).
 * Reps are run one at a time so that two processes can take turns (bench/interleave.ts).
 */
export class BusyCycles {
  private readonly rng: Rng;
  private readonly gcWindows: Array<[number, number]> = [];
  private readonly gcEntries: Array<{ start: number; duration: number; kind: number }> = [];
  private readonly gcObserver: PerformanceObserver;

  constructor(
    private readonly l: Linked,
    private readonly k: number,
    private readonly seed = 11,
  ) {
    this.rng = new Rng(seed);
    // Entries arrive when the event loop turns, which an in-process cycle (all microtasks) may never do: rep windows
    // are noted as they pass and matched against the entries at the end.
    this.gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcEntries.push({ start: e.startTime, duration: e.duration, kind: (e as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1 });
      }
    });
    this.gcObserver.observe({ entryTypes: ['gc'] });
  }

  /** One untimed cycle (both sizes start from the same settled state), then `warmup` untimed busy cycles. */
  async warm(warmup: number): Promise<void> {
    await timedCycle(this.l.w);
    for (let i = 0; i < warmup; i++) {
      edit(this.l, new Rng(this.seed + 1000 + i), this.k);
      await timedCycle(this.l.w);
    }
  }

  async rep(): Promise<BusyRep> {
    edit(this.l, this.rng, this.k);
    const cpu = process.cpuUsage();
    const from = performance.now();
    const c = await timedCycle(this.l.w);
    const used = process.cpuUsage(cpu);
    this.gcWindows.push([from, performance.now()]);
    return { ms: c.ms, cpuMs: (used.user + used.system) / 1000, calls: c.report.sfCalls + c.report.mktoCalls };
  }

  /** GC pauses that fell inside the timed reps: wall ms (all of GC, on the main thread, under --single-threaded). */
  async gc(): Promise<{ ms: number; minor: number; major: number }> {
    // Two turns of the loop deliver what is still buffered.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    this.gcObserver.disconnect();
    const out = { ms: 0, minor: 0, major: 0 };
    for (const e of this.gcEntries) {
      if (!this.gcWindows.some(([a, b]) => e.start >= a && e.start < b)) continue;
      out.ms += e.duration;
      if (e.kind === constants.NODE_PERFORMANCE_GC_MINOR) out.minor++;
      else if (e.kind === constants.NODE_PERFORMANCE_GC_MAJOR) out.major++;
    }
    return out;
  }
}
