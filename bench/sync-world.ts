/**
 * Worlds for the engine figures: `n` Salesforce leads seeded straight into the
 * org model, linked by the engine's first cycle (the backfill), and an edit
 * workload that changes records on both sides between cycles.
 */
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

/**
 * Wall and CPU time of `reps` busy cycles, each after `k` edits per side (the growth figure). `warmup` untimed busy
 * cycles go first, so that a world fresh from its backfill is measured warm, as one that has run a day is.
 */
export async function busyCycles(l: Linked, k: number, reps: number, seed = 11, warmup = 0): Promise<{ ms: number[]; cpuMs: number[]; calls: number[] }> {
  const rng = new Rng(seed);
  const ms: number[] = [];
  const cpuMs: number[] = [];
  const calls: number[] = [];
  // One untimed cycle first, so both sizes start from the same settled state.
  await timedCycle(l.w);
  for (let i = 0; i < warmup; i++) {
    edit(l, new Rng(seed + 1000 + i), k);
    await timedCycle(l.w);
  }
  for (let i = 0; i < reps; i++) {
    edit(l, rng, k);
    const cpu = process.cpuUsage();
    const c = await timedCycle(l.w);
    const used = process.cpuUsage(cpu);
    ms.push(c.ms);
    cpuMs.push((used.user + used.system) / 1000);
    calls.push(c.report.sfCalls + c.report.mktoCalls);
  }
  return { ms, cpuMs, calls };
}
