/**
 * `sync-sim fuzz`: a campaign of random worlds (issue 6 §3). Each failure is
 * shrunk, confirmed deterministic by a second run, and written to --out as a
 * scenario file that `sync-sim replay FILE` reruns exactly (same violations,
 * same trace hash); a coverage table closes the run; exit 1 on any violation.
 * `--replay FILE` is the same replay, printing the violations in full.
 *
 * Wall time is read only to report progress and to stop a `--time` campaign
 * (process.hrtime, never inside a simulated world).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandModule } from './command.ts';
import { parseDuration } from '../sim/clock.ts';
import { hash32 } from '../sim/rng.ts';
import { campaign, failing } from '../sim/campaign.ts';
import { counterexampleText, replayScenario } from '../sim/counterexample.ts';
import { addCoverage, coverageTable, emptyCoverage, missingCoverage } from '../sim/coverage.ts';
import { MUTANTS, mutantByName } from '../sim/mutants.ts';
import { formatViolation, KNOWN_ENGINE_BUGS } from '../sim/oracle.ts';
import { closeAllWorlds } from '../sim/world.ts';

interface FuzzOptions {
  runs?: string;
  time?: string;
  seed?: string;
  shard?: string;
  out: string;
  mutant?: string;
  races?: boolean;
  strict?: boolean;
  replay?: string;
  timeline?: boolean;
}

/** Campaigns of at least this many runs fail when an interesting event never happened. */
export const COVERAGE_MIN_RUNS = 200;

function wallMs(): number {
  return Number(process.hrtime.bigint() / 1_000_000n);
}

function parseShard(text: string | undefined): { index: number; count: number } {
  if (!text) return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`--shard ${text}: write i/n with 1 ≤ i ≤ n, like 2/4`);
  return { index, count };
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} ${text}: expected a whole number`);
  return n;
}

async function replay(file: string, opts: FuzzOptions, exit: { code: number }): Promise<void> {
  const text = readFileSync(file, 'utf8');
  const r = await replayScenario(text, file, opts.mutant ? { mutant: opts.mutant } : {});
  if (opts.timeline) process.stdout.write(`${r.timeline}\n`);
  for (const v of r.violations) process.stdout.write(`${formatViolation(v)}\n`);
  if (r.failure) process.stdout.write(`FAIL ${r.failure}\n`);
  process.stdout.write(`${r.violations.length} violation(s); trace hash ${r.hash}\n`);
  if (!r.ok) exit.code = 1;
}

async function fuzz(opts: FuzzOptions, exit: { code: number }): Promise<void> {
  if (opts.mutant && !mutantByName(opts.mutant)) {
    throw new Error(`--mutant ${opts.mutant}: unknown; \`sync-sim fuzz --mutant list\` prints the names`);
  }
  if (opts.runs && opts.time) throw new Error('give --runs or --time, not both');
  const shard = parseShard(opts.shard);
  const totalRuns = opts.runs ? positiveInt(opts.runs, '--runs') : opts.time ? Infinity : 100;
  const runs = totalRuns === Infinity ? Infinity : Math.ceil(totalRuns / shard.count);
  const deadline = opts.time ? wallMs() + parseDuration(opts.time) : Infinity;
  const baseSeed = opts.seed !== undefined ? positiveInt(opts.seed, '--seed') : Number(process.hrtime.bigint() % 1_000_000_007n);
  const tolerate = opts.strict ? [] : Object.keys(KNOWN_ENGINE_BUGS);
  const tty = process.stderr.isTTY === true;
  const started = wallMs();
  mkdirSync(opts.out, { recursive: true });
  process.stderr.write(
    `sync-sim fuzz: seed ${baseSeed}${shard.count > 1 ? `, shard ${shard.index}/${shard.count}` : ''}, ${runs === Infinity ? `for ${opts.time}` : `${runs} runs`}` +
      `${opts.mutant ? `, mutant ${opts.mutant}` : ''}${opts.races ? ', with race edits' : ''}\n`,
  );

  const coverage = emptyCoverage();
  const knownSeen = new Map<string, number>();
  let done = 0;
  let violations = 0;
  let lastPlain = started;
  const progress = (final = false) => {
    const secs = Math.max(0.001, (wallMs() - started) / 1000);
    const line = `runs ${done}${runs !== Infinity ? `/${runs}` : ''}  ${(done / secs).toFixed(1)} runs/s  violations ${violations}`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else if (final || wallMs() - lastPlain >= 10_000) {
      process.stderr.write(`${line}\n`);
      lastPlain = wallMs();
    }
  };

  // One fast-check campaign per failure found: after a failure is shrunk and written, the next seed carries on.
  for (let round = 0; done < runs && wallMs() < deadline; round++) {
    const seed = hash32(`${baseSeed}/${shard.index}/${round}`) >>> 1;
    const report = await campaign({
      runs: runs === Infinity ? 1_000_000 : runs - done,
      seed,
      tolerate,
      ...(opts.mutant ? { mutant: opts.mutant } : {}),
      ...(opts.races ? { races: true } : {}),
      ...(deadline !== Infinity ? { timeLimitMs: Math.max(1, deadline - wallMs()) } : {}),
      onRun: (r) => {
        done++;
        for (const v of r.violations) if (v.tag && tolerate.includes(v.tag)) knownSeen.set(v.tag, (knownSeen.get(v.tag) ?? 0) + 1);
        if (failing(r, tolerate).length) violations++;
        progress();
      },
    });
    addCoverage(coverage, report.coverage);
    if (!report.failure) break;
    const f = report.failure;
    const name = `${[...new Set(failing(f.result, tolerate).map((v) => v.property))].join('+') || 'violation'}-seed${f.result.config.seed}.yaml`;
    const file = join(opts.out, name);
    writeFileSync(file, counterexampleText(f.result, { fcSeed: f.fcSeed, fcPath: f.fcPath }, file));
    if (tty) process.stderr.write('\n');
    process.stdout.write(`\nFAILED (run ${done}): ${failing(f.result, tolerate).map((v) => v.property).join(', ')}\n`);
    for (const v of failing(f.result, tolerate)) process.stdout.write(`${formatViolation(v)}\n`);
    if (f.deterministic.length) process.stdout.write(`NOT DETERMINISTIC: ${f.deterministic[0]!.message}\n`);
    process.stdout.write(`shrunk to ${f.result.scenario.steps.length} steps, written to ${file}\n`);
    process.stdout.write(`replay: sync-sim replay ${file}   (same violations, trace hash ${f.result.hash.slice(0, 16)}…)\n`);
    exit.code = 1;
    if (opts.mutant) break; // a mutant is caught once; more of the same says nothing new
  }
  progress(true);
  process.stdout.write(`\ncoverage over ${done} runs:\n${coverageTable(coverage)}\n`);
  for (const [tag, n] of knownSeen) process.stdout.write(`known engine bug seen in ${n} run(s), not counted: ${tag}: ${KNOWN_ENGINE_BUGS[tag]}\n`);
  const missing = missingCoverage(coverage);
  if (done >= COVERAGE_MIN_RUNS && missing.length) {
    process.stdout.write(`coverage: never happened in ${done} runs: ${missing.join(', ')}\n`);
    exit.code = 1;
  }
  if (violations === 0 && exit.code === 0) process.stdout.write(`no violations in ${done} runs\n`);
}

const command: CommandModule = {
  register(program: Command, exit: { code: number }): void {
    program
      .command('fuzz')
      .description('run random worlds against the engine, shrink each failure to a scenario file, print coverage')
      .option('--runs <n>', 'number of runs (default 100)')
      .option('--time <duration>', 'run for this long instead, like 10m')
      .option('--seed <s>', 'campaign seed (default: from the clock, printed)')
      .option('--shard <i/n>', 'run shard i of n: each shard gets its own seeds and runs/n runs')
      .option('--out <dir>', 'where counterexample files go', 'fuzz-out')
      .option('--mutant <name>', 'run a deliberately broken engine; `list` prints the names')
      .option('--races', 'let people edit while the engine\'s requests are in flight')
      .option('--strict', 'count the known engine bugs as violations too')
      .option('--replay <file>', 'replay a counterexample file through the scenario runner and print its violations (as `sync-sim replay`)')
      .option('--timeline', 'with --replay: print the trace')
      .action(async (opts: FuzzOptions) => {
        try {
          if (opts.mutant === 'list') {
            for (const m of MUTANTS) process.stdout.write(`${m.name}\n`);
            return;
          }
          if (opts.replay) await replay(opts.replay, opts, exit);
          else await fuzz(opts, exit);
        } catch (err) {
          process.stderr.write(`sync-sim fuzz: ${err instanceof Error ? err.message : String(err)}\n`);
          exit.code = 2;
        } finally {
          closeAllWorlds();
        }
      });
  },
};

export default command;
