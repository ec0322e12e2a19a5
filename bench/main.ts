/**
 * `npm run bench`: every figure of issue 8 with its target, in one table.
 *
 *   npm run bench                 the full run (exit 1 if a target is missed)
 *   npm run bench -- --quick      CI's reduced run: enforces what noise cannot move
 *                                 (API call counts, memory, the growth ratio with a
 *                                 margin); timings are printed, not enforced
 *   npm run bench -- --json       the same figures as [{name, value, unit, target, met}]
 *
 * Each group of figures runs in its own child process (bench/child.ts), so
 * that its timings and its peak memory are its own; a figure and its
 * baseline are always measured in the same process and run.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DAY_RECORDS, formatTable, GROWTH_REPS, judge, LARGE_RECORDS, minimumBackfillCalls, type Measured } from './figures.ts';
import { interleavedGrowth, type SizeResult } from './interleave.ts';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const json = args.includes('--json');
const unknown = args.filter((a) => a !== '--quick' && a !== '--json');
if (unknown.length) {
  process.stderr.write(`bench: unknown argument(s) ${unknown.join(' ')}; use --quick and/or --json\n`);
  process.exit(2);
}

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));
/**
 * V8 old-space cap of the 100k group (--max-old-space-size, MB). A backfill of 100k completes under 512, but a cap
 * that close to the live data makes every busy cycle at 100k pay for major GCs and moves the growth figure (same
 * session, CPU per busy cycle: 640 → 95–153 ms, 896 → 69–78 ms, uncapped 76–85 ms); 896 keeps peak RSS ~730 MB.
 */
const LARGE_HEAP_MB = 896;
/**
 * Node flags of both growth processes (10k and 100k alike).
 * --single-threaded: V8 marks, scavenges and compiles on the main thread, so the process's CPU time is the cycles' own
 *   work, GC included, and not also the concurrent threads' (which added 15–40 ms per busy cycle, more at 100k).
 * A young generation of one fixed size (16 MB semi-spaces, V8's own maximum here) and no memory reducer: V8 sizes the
 *   young generation from what the process did before (a 100k backfill grows it to the maximum; a 10k process left
 *   idle while the 100k one builds its world shrinks it, and then scavenged 22 times in 21 cycles against 5), which is
 *   history, not org size.
 */
const GROWTH_NODE_FLAGS = ['--single-threaded', `--max-old-space-size=${LARGE_HEAP_MB}`, '--min-semi-space-size=16', '--max-semi-space-size=16', '--no-memory-reducer'];
/**
 * Node flags of the fuzz workers: one worker per core already keeps every core busy, so V8's concurrent marking and
 * compiling threads only take turns with the other worker (a worker alone used ~1.4 cores). Measured in turns, two
 * workers of 12 s each, three rounds: 520/550/545 runs/min by default, 565/565/590 with --single-threaded.
 */
const FUZZ_NODE_FLAGS = ['--single-threaded'];

function log(line: string): void {
  // Progress goes to stderr so that --json output stays clean.
  process.stderr.write(`${line}\n`);
}

/** A group that failed: its figures read NaN (and so miss their targets) instead of stopping the other groups. */
async function group(name: string, extra: string[] = [], nodeFlags: string[] = []): Promise<Record<string, number>> {
  const started = performance.now();
  try {
    return await child(name, extra, nodeFlags);
  } catch (err) {
    log(`bench: ${err instanceof Error ? err.message : String(err)}`);
    return new Proxy({}, { get: () => NaN });
  } finally {
    log(`bench: group '${[name, ...extra].join(' ')}' took ${secondsSince(started)} s`);
  }
}

function secondsSince(started: number): string {
  return ((performance.now() - started) / 1000).toFixed(1);
}

/** Runs one group in a child process; resolves to the JSON object it printed last. */
function child(group: string, extra: string[] = [], nodeFlags: string[] = []): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', CHILD, group, ...extra, ...(quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`bench group '${group}' exited with ${code}`));
      try {
        resolve(JSON.parse(last) as Record<string, number>);
      } catch {
        reject(new Error(`bench group '${group}' printed no result: ${last.slice(0, 200)}`));
      }
    });
  });
}

async function main(): Promise<number> {
  const started = performance.now();
  const measured: Measured[] = [];

  log(`bench${quick ? ' --quick' : ''}: simulated day (10,000 linked leads)…`);
  const day = await group('day');
  const daySeconds = day.dayScaledMs! / 1000;
  log('bench: the same day through msw-server (setupServer), the baseline…');
  const dayServer = await group('day-msw');
  measured.push(
    {
      name: quick ? `simulated day: wall (${day.cycles} of 288 cycles, scaled)` : 'simulated day: wall (288 cycles)',
      value: daySeconds,
      unit: 's',
      target: { op: '<=', value: 5 },
      enforce: 'full-only',
    },
    { name: 'simulated day: cycles per second', value: 288 / daySeconds, unit: 'cycles/s' },
    { name: 'simulated day: CPU time of the process (scaled alike)', value: day.dayCpuScaledMs! / 1000, unit: 's' },
    { name: `simulated day through msw-server: wall (${dayServer.cycles} of 288 cycles, scaled)`, value: dayServer.dayScaledMs! / 1000, unit: 's' },
    { name: 'simulated day through msw-server: CPU time (scaled)', value: dayServer.dayCpuScaledMs! / 1000, unit: 's' },
    { name: 'simulated day: msw-server / in-process (CPU time)', value: dayServer.dayCpuScaledMs! / day.dayCpuScaledMs!, unit: '×' },
    { name: 'idle cycle: API calls (both systems)', value: day.idleCalls!, unit: 'calls', target: { op: '<=', value: 4 } },
    { name: 'idle cycle: Salesforce calls', value: day.idleSf!, unit: 'calls' },
    { name: 'idle cycle: Marketo calls', value: day.idleMkto!, unit: 'calls' },
    { name: 'busy cycle: API calls (day average)', value: day.busyCalls!, unit: 'calls' },
  );

  log('bench: backfill and memory at 100,000 records…');
  // The 100k world runs under a heap cap. Without one, V8 lets garbage pile up as far as it likes before it collects
  // (on this loaded 2-core machine the concurrent marker falls behind), so the peak RSS measured GC slack more
  // than data: 800–1,030 MB from run to run for ~320 MB live after the backfill. Under the cap the run is the same
  // (same calls, same results) and the peak is what the process needs; if it ever needs more than the cap, the group
  // dies of heap exhaustion and every figure of the group, memory included, reads NaN and misses its target.
  const large = await group('large', [], [`--max-old-space-size=${LARGE_HEAP_MB}`]);
  const n = large.records!;
  const min = minimumBackfillCalls(n);
  const backfillCalls = large.backfillSfCalls! + large.backfillMktoCalls!;
  measured.push(
    { name: 'backfill 100k: wall', value: large.backfillMs! / 1000, unit: 's' },
    { name: 'backfill 100k: records per second', value: n / (large.backfillMs! / 1000), unit: 'records/s', target: { op: '>=', value: 5000 }, enforce: 'full-only' },
    { name: 'backfill 100k: API calls', value: backfillCalls, unit: 'calls' },
    { name: 'backfill 100k: minimum calls (pages + writes)', value: min.total, unit: 'calls' },
    { name: 'backfill 100k: calls / minimum', value: backfillCalls / min.total, unit: '×', target: { op: '<=', value: 1.05 } },
    { name: `memory: peak RSS, 100k records each side (heap capped at ${LARGE_HEAP_MB} MB)`, value: large.maxRssBytes! / 2 ** 20, unit: 'MB', target: { op: '<=', value: 1024 } },
  );

  log(`bench: growth, busy cycles at ${DAY_RECORDS.toLocaleString('en-US')} and ${LARGE_RECORDS.toLocaleString('en-US')} records, in turns (same procedure, ${GROWTH_NODE_FLAGS.join(' ')})…`);
  const growthStarted = performance.now();
  const [small, big] = await interleavedGrowth(CHILD, [DAY_RECORDS, LARGE_RECORDS], GROWTH_REPS, GROWTH_NODE_FLAGS).catch((err: unknown) => {
    log(`bench: ${err instanceof Error ? err.message : String(err)}`);
    const failed = new Proxy({}, { get: () => NaN }) as SizeResult;
    return [failed, failed];
  });
  log(`bench: growth took ${secondsSince(growthStarted)} s`);
  const pct = (v: number) => v * 100;
  measured.push(
    { name: 'growth: busy cycle at 10k (wall)', value: small.growthMs!, unit: 'ms' },
    { name: 'growth: busy cycle at 100k (wall)', value: big.growthMs!, unit: 'ms' },
    { name: 'growth: busy cycle at 10k (CPU, one thread)', value: small.growthCpuMs!, unit: 'ms' },
    { name: 'growth: busy cycle at 100k (CPU, one thread)', value: big.growthCpuMs!, unit: 'ms' },
    { name: 'growth: GC share of the busy cycles at 10k', value: pct(small.gcShare!), unit: '%' },
    { name: 'growth: GC share of the busy cycles at 100k', value: pct(big.gcShare!), unit: '%' },
    { name: 'growth: 100k / 10k, mean instead of median (CPU)', value: big.growthCpuMeanMs! / small.growthCpuMeanMs!, unit: '×' },
    {
      // Median CPU time of the process over GROWTH_REPS busy cycles after the same warm-up, each size in its own
      // process under --single-threaded (see GROWTH_NODE_FLAGS), the two sizes' cycles in turns (interleave.ts), so
      // that neither V8's helper threads nor other processes on a shared machine decide it.
      name: `growth: 100k / 10k (same changes, median CPU of ${GROWTH_REPS} cycles)`,
      value: big.growthCpuMs! / small.growthCpuMs!,
      unit: '×',
      target: { op: '<=', value: 1.5 },
      // CI enforces it too, with a margin for noise: --quick runs the same procedure (same reps), and the ratio read
      // 0.98–1.05 in turns on a loaded machine, where a poll that scanned the org would read several times that.
      quickTarget: { op: '<=', value: 1.75 },
      enforce: 'always',
    },
  );

  const cores = Math.max(1, Math.min(2, availableParallelism()));
  // A full minute per worker: the figure is runs per minute, and a campaign runs for minutes, so V8's warm-up
  // (compiling the engine's, emulators' and oracle's functions: the first 50 runs of a process cost ~1.5x the
  // later ones) weighs in it as in a campaign of a minute. The first half's rate is shown beside it.
  const seconds = quick ? 8 : 60;
  log(`bench: fuzz throughput, ${cores} worker(s) × ${seconds} s…`);
  const workers = await Promise.all(Array.from({ length: cores }, (_, i) => group('fuzz', [String(seconds), String(i + 1)], FUZZ_NODE_FLAGS)));
  const runsPerMinute = workers.reduce((sum, w) => sum + (w.runs! / w.elapsedMs!) * 60_000, 0);
  measured.push(
    { name: `fuzz: property runs per minute (${cores} cores)`, value: runsPerMinute, unit: 'runs/min', target: { op: '>=', value: 1500 }, enforce: 'full-only' },
    { name: 'fuzz: CPU time per run (workers average)', value: workers.reduce((s, w) => s + w.cpuMs!, 0) / workers.reduce((s, w) => s + w.runs!, 0), unit: 'ms' },
    {
      name: `fuzz: runs per minute if each worker had its core (${cores} × 60 s / CPU per run)`,
      value: (cores * 60_000 * workers.reduce((s, w) => s + w.runs!, 0)) / workers.reduce((s, w) => s + w.cpuMs!, 0),
      unit: 'runs/min',
    },
    {
      name: `fuzz: runs per minute in the first ${seconds / 2} s only (2 cores; warm-up weighs more)`,
      value: workers.reduce((sum, w) => sum + (w.halfRuns! / w.halfElapsedMs!) * 60_000, 0),
      unit: 'runs/min',
    },
    { name: `fuzz: CPU time per run in the first ${seconds / 2} s`, value: workers.reduce((s, w) => s + w.halfCpuMs!, 0) / workers.reduce((s, w) => s + w.halfRuns!, 0), unit: 'ms' },
    { name: 'fuzz: runs that broke a property', value: workers.reduce((s, w) => s + w.violations!, 0), unit: 'runs' },
  );

  log('bench: overhead of one call through each transport (CPU time)…');
  const o = await group('overhead');
  measured.push(
    { name: 'overhead: same update on the org model', value: o.directUs!, unit: 'µs/call' },
    { name: 'overhead: jsforce update, in-process call (default)', value: o.inProcessUs!, unit: 'µs/call' },
    { name: 'overhead: ratio in-process / model', value: o.inProcessRatio!, unit: '×' },
    { name: 'overhead: in-process, of which jsforce + fetch + dispatch', value: o.inProcessTransportUs!, unit: 'µs/call' },
    { name: 'overhead: in-process, of which emulator HTTP layer', value: o.inProcessEmulatorHttpUs!, unit: 'µs/call' },
    { name: 'overhead: jsforce update through msw-server (setupServer)', value: o.httpUs!, unit: 'µs/call' },
    { name: 'overhead: ratio msw-server / model', value: o.ratio!, unit: '×' },
    { name: 'overhead: msw-server, of which msw + jsforce + node http', value: o.mswJsforceUs!, unit: 'µs/call' },
    { name: 'overhead: msw-server, of which emulator HTTP layer', value: o.emulatorHttpUs!, unit: 'µs/call' },
    { name: 'overhead: msw-server / in-process', value: o.httpUs! / o.inProcessUs!, unit: '×' },
  );

  const { figures, failed } = judge(measured, quick);
  const notEnforced = new Set(measured.filter((m) => quick && m.enforce === 'full-only').map((m) => m.name));
  if (json) process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  else {
    process.stdout.write(`${formatTable(figures, notEnforced)}\n`);
    process.stdout.write(`bench${quick ? ' --quick' : ''}: ${figures.length} figures, ${failed.length} enforced target(s) missed, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }
  for (const f of failed) log(`bench: target missed: ${f.name} = ${f.value} ${f.unit} (target ${f.target})`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
