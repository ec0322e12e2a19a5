/**
 * One group of figures, run in its own process so that timings and peak
 * memory belong to that group alone. Prints one JSON line: `{ ...figures }`.
 *
 *   node --import tsx bench/child.ts day [--quick]
 *   node --import tsx bench/child.ts day-msw [--quick]
 *   node --import tsx bench/child.ts large [--quick]
 *   node --import tsx bench/child.ts overhead [--quick]
 *   node --import tsx bench/child.ts fuzz <seconds> <seed>
 */
import { closeAllWorlds } from '../src/sim/world.ts';
import { Rng } from '../src/sim/rng.ts';
import { editsInCycle, median } from './figures.ts';
import { busyCycles, edit, linkedWorld, timedCycle } from './sync-world.ts';

const [group, ...rest] = process.argv.slice(2);
const quick = rest.includes('--quick');

/** Records of the day and growth figures, and edits per busy cycle of the growth figure (per side). */
export const DAY_RECORDS = 10_000;
export const LARGE_RECORDS = 100_000;
export const GROWTH_EDITS = 50;
const GROWTH_REPS = quick ? 9 : 11;
const GROWTH_WARMUP = 10;

async function day(): Promise<Record<string, unknown>> {
  const l = await linkedWorld(DAY_RECORDS);
  // Idle cycles: nothing changed anywhere.
  const idle: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await timedCycle(l.w);
    idle.push(c.report.sfCalls + c.report.mktoCalls);
  }
  const idleDetail = await timedCycle(l.w);
  // The day: 1% of the records edited per hour on each side, 12 cycles an hour.
  const cycles = quick ? 48 : 288;
  const perHour = Math.round(DAY_RECORDS / 100);
  const rng = new Rng(7);
  let busyCalls = 0;
  let busyN = 0;
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let c = 0; c < cycles; c++) {
    edit(l, rng, editsInCycle(perHour, 12, c));
    const r = await timedCycle(l.w);
    busyCalls += r.report.sfCalls + r.report.mktoCalls;
    busyN++;
  }
  const dayMs = performance.now() - t;
  const dayCpuMs = cpuMsSince(cpu);
  const growth = await busyCycles(l, GROWTH_EDITS, GROWTH_REPS);
  return {
    records: DAY_RECORDS,
    cycles,
    dayMs,
    dayScaledMs: (dayMs * 288) / cycles,
    // CPU time of this process over the same cycles, scaled alike: what the day costs when the machine is shared.
    dayCpuScaledMs: (dayCpuMs * 288) / cycles,
    idleCalls: Math.max(...idle),
    idleSf: idleDetail.report.sfCalls,
    idleMkto: idleDetail.report.mktoCalls,
    busyCalls: busyCalls / busyN,
    growthMs: median(growth.ms),
    growthCpuMs: median(growth.cpuMs),
    growthCalls: median(growth.calls),
    seedMs: l.seedMs,
    backfillMs: l.backfill.ms,
  };
}

/**
 * The simulated day's baseline (figure 1): the same world and edit workload
 * with the engine's requests through msw's setupServer (node http
 * interception) instead of the in-process transport, for `cycles` cycles of
 * the day, scaled to 288.
 */
async function dayViaServer(): Promise<Record<string, unknown>> {
  const l = await linkedWorld(DAY_RECORDS, 1, 'msw-server');
  for (let i = 0; i < 4; i++) await timedCycle(l.w);
  const cycles = quick ? 12 : 36;
  const rng = new Rng(7);
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let c = 0; c < cycles; c++) {
    edit(l, rng, editsInCycle(Math.round(DAY_RECORDS / 100), 12, c));
    await timedCycle(l.w);
  }
  const ms = performance.now() - t;
  return { records: DAY_RECORDS, cycles, ms, dayScaledMs: (ms * 288) / cycles, dayCpuScaledMs: (cpuMsSince(cpu) * 288) / cycles };
}

async function large(): Promise<Record<string, unknown>> {
  // No timeline in this world: the memory figure counts the records on each side, not 100k trace events.
  const l = await linkedWorld(LARGE_RECORDS, 1, 'in-process', { timeline: false });
  const r = l.backfill.report;
  // Warm first: the 10k figure is taken after a simulated day, this one right after a backfill.
  const growth = await busyCycles(l, GROWTH_EDITS, GROWTH_REPS, 11, GROWTH_WARMUP);
  return {
    records: LARGE_RECORDS,
    seedMs: l.seedMs,
    backfillMs: l.backfill.ms,
    backfillSfCalls: r.sfCalls,
    backfillMktoCalls: r.mktoCalls,
    peopleCreated: r.peopleCreated,
    drainCycles: l.drainCycles,
    growthMs: median(growth.ms),
    growthCpuMs: median(growth.cpuMs),
    growthCalls: median(growth.calls),
    sfLeads: l.w.org.count('Lead'),
    marketoPeople: l.w.instance.peopleCount,
    // Peak resident set of this process, in bytes (resourceUsage reports kilobytes).
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  let out: Record<string, unknown>;
  if (group === 'day') out = await day();
  else if (group === 'large') out = await large();
  else if (group === 'day-msw') out = await dayViaServer();
  else if (group === 'overhead') out = await (await import('./overhead.ts')).overhead(quick);
  else if (group === 'fuzz') out = await (await import('./fuzz-worker.ts')).fuzzWorker(Number(rest[0] ?? 10), Number(rest[1] ?? 1));
  else throw new Error(`bench/child.ts: unknown group '${group}' (day, day-msw, large, overhead, fuzz)`);
  closeAllWorlds();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main();
