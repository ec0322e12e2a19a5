/**
 * Fuzz throughput (figure 4), one worker: property runs of the simulator's
 * campaign runner (`runCase`: a fresh world, the commands, settle, every
 * DESIGN §5 property checked) for 30-command worlds of 20 records (12 that
 * start in Salesforce, 8 in Marketo), with faults drawn as the campaign does,
 * for `seconds` of wall time. main.ts runs one worker per core.
 */
import fc from 'fast-check';
import { runCase } from '../src/sim/campaign.ts';
import { commandArbitrary, FAULT_CHOICES } from '../src/sim/model.ts';

export const FUZZ_COMMANDS = 30;
export const FUZZ_SHAPE = { salesforce: 12, marketo: 8, ruleOn: false, spare: 3 } as const;

export async function fuzzWorker(seconds: number, seed: number): Promise<Record<string, unknown>> {
  const input = fc.tuple(
    fc.integer({ min: 1, max: 0x7fff_ffff }),
    fc.boolean(),
    fc.subarray([...FAULT_CHOICES], { minLength: 0, maxLength: 3 }),
    fc.array(commandArbitrary(), { minLength: FUZZ_COMMANDS, maxLength: FUZZ_COMMANDS }),
  );
  let runs = 0;
  let violations = 0;
  let commands = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  const deadline = start + seconds * 1000;
  let batch: Array<(typeof input extends fc.Arbitrary<infer T> ? T : never)> = [];
  let chunk = 0;
  // The first half of the window apart: how much of the figure is V8 warming up (compiling the engine's, the
  // emulators' and the oracle's functions) rather than runs.
  const halfway = start + (seconds * 1000) / 2;
  let half: { runs: number; elapsedMs: number; cpuMs: number } | undefined;
  while (performance.now() < deadline) {
    if (!half && performance.now() >= halfway) {
      const u = process.cpuUsage(cpu);
      half = { runs, elapsedMs: performance.now() - start, cpuMs: (u.user + u.system) / 1000 };
    }
    if (batch.length === 0) batch = fc.sample(input, { seed: seed * 1000 + chunk++, numRuns: 20 });
    const [caseSeed, ruleOn, faults, cmds] = batch.shift()!;
    const result = await runCase({ seed: caseSeed, shape: { ...FUZZ_SHAPE, ruleOn }, faults }, cmds);
    runs++;
    commands += cmds.length;
    if (result.violations.length) violations++;
  }
  const elapsedMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  // CPU time too: on a shared machine a worker gets less than its core, and wall time says little.
  half ??= { runs, elapsedMs, cpuMs: (used.user + used.system) / 1000 };
  return {
    runs,
    elapsedMs,
    cpuMs: (used.user + used.system) / 1000,
    violations,
    commands,
    halfRuns: half.runs,
    halfElapsedMs: half.elapsedMs,
    halfCpuMs: half.cpuMs,
  };
}
