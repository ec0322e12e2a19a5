/**
 * One group of figures, run in its own process so that timings and peak
 * memory belong to that group alone. Prints one JSON line: `{ ...figures }`.
 *
 *   node --import tsx bench/child.ts day [--quick]
 *   node --import tsx bench/child.ts day-msw [--quick]
 *   node --import tsx bench/child.ts large [--quick]
 *   node --single-threaded --import tsx bench/child.ts growth <records>   (--quick changes nothing here)
 *   node --import tsx bench/child.ts overhead [--quick]
 *   node --import tsx bench/child.ts fuzz <seconds> <seed>
 */
import { closeAllWorlds } from '../src/sim/world.ts';
import { Rng } from '../src/sim/rng.ts';
import { DAY_RECORDS, editsInCycle, GROWTH_EDITS, GROWTH_REPS, GROWTH_WARMUP, growthSummary, LARGE_RECORDS } from './figures.ts';
import { BusyCycles, edit, linkedWorld, timedCycle, type BusyRep } from './sync-world.ts';

const [group, ...rest] = process.argv.slice(2);
const quick = rest.includes('--quick');

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
  return {
    records: LARGE_RECORDS,
    seedMs: l.seedMs,
    backfillMs: l.backfill.ms,
    backfillSfCalls: r.sfCalls,
    backfillMktoCalls: r.mktoCalls,
    peopleCreated: r.peopleCreated,
    drainCycles: l.drainCycles,
    sfLeads: l.w.org.count('Lead'),
    marketoPeople: l.w.instance.peopleCount,
    // Peak resident set of this process, in bytes (resourceUsage reports kilobytes).
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

/**
 * The growth figure (3) at one size: `records` leads linked by a backfill, then busy cycles of GROWTH_EDITS edits per
 * side. The same procedure at every size (same world options, warm-up, reps; main.ts gives both sizes the same node
 * flags), each size in a process of its own. Started by main.ts with an IPC channel, it builds and warms its world,
 * says `ready`, then runs one timed rep per `rep` message, so that main.ts can alternate the reps of the two sizes
 * (bench/interleave.ts); run by hand, it runs GROWTH_REPS reps and prints their summary.
 */
async function growth(records: number): Promise<Record<string, unknown> | undefined> {
  if (!Number.isInteger(records) || records < 1) throw new Error(`records must be a positive integer, got '${rest[0]}'`);
  // No timeline, as at 100k (whose memory cannot afford one): both sizes keep the same things.
  const l = await linkedWorld(records, 1, 'in-process', { timeline: false });
  const busy = new BusyCycles(l, GROWTH_EDITS);
  await busy.warm(GROWTH_WARMUP);
  const facts = () => ({ records, singleThreaded: process.execArgv.includes('--single-threaded'), heapUsedMb: process.memoryUsage().heapUsed / 2 ** 20 });
  const send = process.send?.bind(process);
  if (!send) {
    const reps: BusyRep[] = [];
    for (let i = 0; i < GROWTH_REPS; i++) reps.push(await busy.rep());
    return { ...facts(), ...growthSummary(reps, await busy.gc()) };
  }
  await new Promise<void>((resolve, reject) => {
    // One message at a time: main.ts waits for each answer before it sends the next.
    process.on('message', (m: { type?: string }) => {
      if (m?.type === 'rep') busy.rep().then((r) => send({ type: 'rep', ...r }), reject);
      else if (m?.type === 'done') busy.gc().then((gc) => send({ type: 'done', ...facts(), gc }, () => resolve()), reject);
    });
    send({ type: 'ready', ...facts() });
  });
  process.disconnect();
  return undefined;
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
  else if (group === 'growth') {
    const summary = await growth(Number(rest[0]));
    closeAllWorlds();
    if (summary) process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  else if (group === 'overhead') out = await (await import('./overhead.ts')).overhead(quick);
  else if (group === 'fuzz') out = await (await import('./fuzz-worker.ts')).fuzzWorker(Number(rest[0] ?? 10), Number(rest[1] ?? 1));
  else throw new Error(`unknown group '${group}' (day, day-msw, large, growth, overhead, fuzz)`);
  closeAllWorlds();
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

await main().catch((err: unknown) => {
  // A bad argument or a failed cycle: one line naming the group, not a stack trace; main.ts reports the exit code.
  process.stderr.write(`bench/child.ts ${group ?? ''}: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
  if (process.connected) process.disconnect();
});
