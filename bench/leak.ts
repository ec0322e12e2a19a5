/**
 * Memory retained per fuzz run (issue 6's leak hunt). Runs `runCase` N times in
 * one process, forces gc every `every` runs and prints heapUsed; optional heap
 * snapshots after chosen run counts. Needs `node --expose-gc --import tsx`.
 *
 *   node --expose-gc --import tsx bench/leak.ts [runs=300] [every=50] [snapshotAt=50,200] [mode=runCase|campaign]
 */
import fc from 'fast-check';
import { writeHeapSnapshot } from 'node:v8';
import { campaign, caseArbitrary, runCase } from '../src/sim/campaign.ts';

const runs = Number(process.argv[2] ?? 300);
const every = Number(process.argv[3] ?? 50);
const snapshots = new Set((process.argv[4] ?? '').split(',').filter(Boolean).map(Number));
const mode = process.argv[5] ?? 'runCase';
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function measure(done: number, base: { heap: number } | undefined): { heap: number } {
  gc!();
  gc!();
  const heap = process.memoryUsage().heapUsed;
  const perRun = base ? ((heap - base.heap) / (done - every)) / 1024 : NaN;
  // Pending timers and immediates: a run answered in-process never turns the event loop, so any real timer it starts waits (and holds what it closes over) until the campaign ends.
  const pending = process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
  process.stdout.write(
    `runs ${done}  heapUsed ${(heap / 2 ** 20).toFixed(1)} MB  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB  pending timers ${pending}` +
      `${base ? `  ${perRun.toFixed(1)} KB/run since run ${every}` : ''}\n`,
  );
  if (snapshots.has(done)) process.stdout.write(`  snapshot ${writeHeapSnapshot(`/tmp/leak/heap-${done}.heapsnapshot`)}\n`);
  return { heap };
}

let base: { heap: number } | undefined;
const tick = (done: number) => {
  if (done % every !== 0) return;
  const m = measure(done, base);
  if (done === every) base = m;
};

if (mode === 'campaign') {
  await campaign({ runs, seed: 1, onRun: (_r, i) => tick(i) });
} else {
  const inputs = fc.sample(caseArbitrary(), { seed: 1, numRuns: runs });
  for (let i = 0; i < runs; i++) {
    const [config, commands] = inputs[i]!;
    inputs[i] = undefined as never;
    await runCase(config, commands);
    tick(i + 1);
  }
}
