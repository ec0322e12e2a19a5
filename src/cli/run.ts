/**
 * `sync-sim run [files or folders…]`: runs scenarios, one line each
 * (pass/fail and time); a failure prints its explanation and timeline; a
 * file that does not load is reported with its line-accurate errors and the
 * others still run. Exit 0 when every scenario passed, 1 otherwise.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { formatErrors } from '../scenario/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { explainFailure, formatDurationMs } from '../scenario/report.ts';
import { runScenario, type ScenarioResult } from '../scenario/runner.ts';
import type { Scenario } from '../scenario/schema.ts';
import { closeAllWorlds } from '../sim/world.ts';
import type { CommandModule } from './command.ts';
import { junitXml, type JunitCase } from './junit.ts';
import { err, exitQuietlyOnClosedPipe, out, paint, parseSeed, UsageError, useColour } from './output.ts';

interface RunFlags {
  junit?: string;
  trace?: string;
  seed?: string;
  grep?: string;
  timeline?: boolean;
}

const EXAMPLES = `
Examples:
  $ sync-sim run                                  run every scenario in scenarios/
  $ sync-sim run scenarios/lead-conflict-same-field-marketo-wins.yaml
  $ sync-sim run scenarios/ --grep conflict       only scenarios whose file or name matches
  $ sync-sim run --junit reports/scenarios.xml    JUnit XML for the CI server
  $ sync-sim run --trace reports/traces           each scenario's timeline as a text file
  $ sync-sim run --seed 42                        override every scenario's seed

Exit status: 0 when every scenario passed, 1 when one failed or a file did not load.
Colour only on a terminal; set NO_COLOR=1 to turn it off.
`;

/** Every .yaml/.yml file a path names: itself, or the folder's files (sub-folders too) in name order. */
export function scenarioFiles(path: string): string[] {
  const st = statSync(path); // throws ENOENT for a missing path: the caller reports it
  if (!st.isDirectory()) return [path];
  const outFiles: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    if (statSync(full).isDirectory()) outFiles.push(...scenarioFiles(full));
    else if (/\.ya?ml$/i.test(name)) outFiles.push(full);
  }
  return outFiles;
}

function grepMatcher(pattern: string | undefined): (text: string) => boolean {
  if (pattern === undefined) return () => true;
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'i');
  } catch {
    const lower = pattern.toLowerCase();
    return (text) => text.toLowerCase().includes(lower);
  }
  return (text) => re.test(text);
}

/** A file name for a scenario's trace: the scenario file's name with .trace.txt. */
function traceFileName(file: string, used: Set<string>): string {
  const base = basename(file).replace(/\.ya?ml$/i, '');
  let name = `${base}.trace.txt`;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}.trace.txt`;
  used.add(name);
  return name;
}

export async function runCommand(paths: string[], flags: RunFlags): Promise<number> {
  const p = paint(useColour());
  const seed = parseSeed(flags.seed);
  const matches = grepMatcher(flags.grep);
  const targets = paths.length > 0 ? paths : ['scenarios/'];

  const files: string[] = [];
  for (const t of targets) {
    try {
      files.push(...scenarioFiles(t));
    } catch {
      throw new UsageError(`no such file or folder: ${t}`);
    }
  }
  if (files.length === 0) throw new UsageError(`no scenario files (.yaml, .yml) in ${targets.join(', ')}`);

  const cases: JunitCase[] = [];
  const usedTraceNames = new Set<string>();
  let passed = 0;
  let failed = 0;
  let broken = 0;
  let totalMs = 0;
  if (flags.trace) mkdirSync(flags.trace, { recursive: true });

  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    const loaded = loadScenario(file);
    if (!loaded.ok) {
      if (!matches(file)) continue;
      broken++;
      out(`${p.red('✗ ERROR')} ${shown}  ${p.dim('(does not load)')}\n${indentBlock(formatErrors(loaded.errors))}\n`);
      cases.push({
        name: `${basename(file)} (does not load)`,
        file: shown,
        seconds: 0,
        error: { message: loaded.errors[0]?.message ?? 'does not load', body: formatErrors(loaded.errors) },
      });
      continue;
    }
    const scenario: Scenario = loaded.scenario;
    if (!matches(file) && !matches(scenario.name)) continue;
    let result: ScenarioResult;
    try {
      result = await runScenario(scenario, seed !== undefined ? { seed } : {});
    } finally {
      closeAllWorlds();
    }
    totalMs += result.durationMs;
    const time = p.dim(`(${formatDurationMs(result.durationMs)})`);
    if (result.ok) {
      passed++;
      out(`${p.green('✓ PASS ')} ${shown}  ${scenario.name}  ${time}\n`);
    } else {
      failed++;
      out(`${p.red('✗ FAIL ')} ${shown}  ${scenario.name}  ${time}\n`);
      out(`${indentBlock(explainFailure(result))}\n`);
      if (flags.timeline !== false) out(`${indentBlock(`timeline (seed ${result.seed}):\n${result.trace.toText()}`)}\n\n`);
    }
    if (flags.trace) {
      const header = `# ${scenario.name}\n# file: ${shown}\n# seed: ${result.seed}\n# trace hash: ${result.traceHash}\n# verdict: ${result.ok ? 'pass' : 'FAIL'}\n`;
      writeFileSync(join(flags.trace, traceFileName(file, usedTraceNames)), `${header}${result.ok ? '' : `${explainFailure(result).replace(/^/gm, '# ')}\n`}\n${result.trace.toText()}\n`);
    }
    cases.push({
      name: `${basename(file)}: ${scenario.name}`,
      file: shown,
      seconds: result.durationMs / 1000,
      ...(result.ok ? {} : { failure: { message: result.failure!.message, body: `${explainFailure(result)}\n\ntimeline:\n${result.trace.toText()}` } }),
    });
  }

  if (flags.junit) {
    mkdirSync(dirname(flags.junit), { recursive: true });
    writeFileSync(flags.junit, junitXml('sync-sim scenarios', cases));
  }
  const total = passed + failed + broken;
  if (total === 0) {
    err(`sync-sim run: no scenario matches --grep ${JSON.stringify(flags.grep)}\n`);
    return 1;
  }
  const parts = [p.green(`${passed} passed`)];
  if (failed > 0) parts.push(p.red(`${failed} failed`));
  if (broken > 0) parts.push(p.red(`${broken} did not load`));
  out(`\n${parts.join(', ')} of ${total} scenario${total === 1 ? '' : 's'} (${formatDurationMs(totalMs)})${flags.junit ? `; JUnit report: ${flags.junit}` : ''}${flags.trace ? `; traces in ${flags.trace}/` : ''}\n`);
  return failed + broken === 0 ? 0 : 1;
}

function indentBlock(text: string): string {
  return text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : `    ${l}`))
    .join('\n');
}

const runModule: CommandModule = {
  register(program: Command, exit: { code: number }): void {
    exitQuietlyOnClosedPipe();
    program
      .command('run')
      .description('run scenario files and report pass/fail for each (default: every file in scenarios/)')
      .argument('[paths...]', 'scenario files or folders (folders are searched for .yaml/.yml files)')
      .option('--junit <file>', 'write a JUnit XML report to this file')
      .option('--trace <dir>', "write each scenario's timeline to <dir>/<file>.trace.txt")
      .option('--seed <n>', "run every scenario with this seed instead of its own")
      .option('--grep <pattern>', 'run only scenarios whose file name or name matches (a regular expression, case-insensitive)')
      .option('--no-timeline', "don't print the timeline of a failed scenario (the explanation still prints)")
      .addHelpText('after', EXAMPLES)
      .action(async (paths: string[], flags: RunFlags) => {
        try {
          exit.code = await runCommand(paths, flags);
        } catch (e) {
          if (!(e instanceof UsageError) && !(e instanceof Error && e.message.startsWith('--'))) throw e;
          err(`sync-sim run: ${e.message}\n`);
          exit.code = 1;
        }
      });
  },
};

export default runModule;
