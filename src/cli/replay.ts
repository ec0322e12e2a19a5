/**
 * `sync-sim replay FILE`: runs one scenario and prints its whole timeline
 * (every user action, API request, engine decision and fault, with virtual
 * timestamps); `--html FILE` writes the timeline as one self-contained page
 * with a lane per system and one for the engine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { formatErrors } from '../scenario/errors.ts';
import { loadScenario } from '../scenario/load.ts';
import { explainFailure } from '../scenario/report.ts';
import { runScenario } from '../scenario/runner.ts';
import { renderTimelineHtml } from '../sim/timeline-html.ts';
import { closeAllWorlds } from '../sim/world.ts';
import type { CommandModule } from './command.ts';
import { err, exitQuietlyOnClosedPipe, out, paint, parseSeed, UsageError, useColour } from './output.ts';

interface ReplayFlags {
  html?: string;
  seed?: string;
}

const EXAMPLES = `
Examples:
  $ sync-sim replay scenarios/converted-lead-relinks-person-to-contact.yaml
  $ sync-sim replay scenarios/lead-conflict-same-field-marketo-wins.yaml --html timeline.html
  $ sync-sim replay fuzz-out/no-lost-update-seed123.yaml   a fuzz counterexample: same violations, same trace hash
  $ sync-sim replay counterexample.yaml --seed 1234        another seed for the same steps

The same file and seed always give the same timeline (its hash is printed).
Exit status: 0 when the scenario passed, 1 when it failed or did not load.
`;

export async function replayCommand(file: string, flags: ReplayFlags): Promise<number> {
  const p = paint(useColour());
  const seed = parseSeed(flags.seed);
  const loaded = loadScenario(file);
  if (!loaded.ok) {
    err(formatErrors(loaded.errors));
    return 1;
  }
  const scenario = loaded.scenario;
  let result;
  try {
    result = await runScenario(scenario, seed !== undefined ? { seed } : {});
  } finally {
    closeAllWorlds();
  }
  out(`${p.bold(scenario.name)}\n${p.dim(`file ${file} · seed ${result.seed} · trace ${result.traceHash} · ${result.trace.events.length} events`)}\n\n`);
  out(`${result.trace.toText()}\n\n`);
  out(result.ok ? `${p.green('PASS')} all ${scenario.steps.length} steps\n` : `${p.red('FAIL')} ${explainFailure(result)}\n`);
  if (flags.html) {
    const failSeq = result.trace.events.filter((e) => e.kind === 'fail').map((e) => e.seq);
    const html = renderTimelineHtml({
      title: scenario.name,
      facts: [
        ['file', file],
        ['seed', String(result.seed)],
        ['verdict', result.ok ? 'pass' : `FAIL at step ${result.failure!.step?.number ?? 'setup'} (line ${result.failure!.line}): ${result.failure!.message}`],
        ['trace hash', result.traceHash],
      ],
      events: result.trace.events,
      highlight: new Set(failSeq),
    });
    if (dirname(flags.html) !== '.') mkdirSync(dirname(flags.html), { recursive: true });
    writeFileSync(flags.html, html);
    out(`timeline page: ${flags.html}\n`);
  }
  return result.ok ? 0 : 1;
}

const replayModule: CommandModule = {
  register(program: Command, exit: { code: number }): void {
    exitQuietlyOnClosedPipe();
    program
      .command('replay')
      .description('run one scenario and print its whole timeline with virtual timestamps')
      .argument('<file>', 'the scenario file')
      .option('--html <file>', 'also write the timeline as a self-contained HTML page (one lane per system and one for the engine)')
      .option('--seed <n>', "use this seed instead of the scenario's own")
      .addHelpText('after', EXAMPLES)
      .action(async (file: string, flags: ReplayFlags) => {
        try {
          exit.code = await replayCommand(file, flags);
        } catch (e) {
          if (!(e instanceof UsageError) && !(e instanceof Error && e.message.startsWith('--'))) throw e;
          err(`sync-sim replay: ${e.message}\n`);
          exit.code = 1;
        }
      });
  },
};

export default replayModule;
