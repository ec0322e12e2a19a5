/**
 * `sync-sim`: the command line. Each subcommand lives in its own module and
 * registers itself on the program; this file only wires them together.
 */
import { Command } from 'commander';
import type { CommandModule } from './command.ts';

const modules: CommandModule[] = [
  // one import per subcommand module, e.g. (await import('./run.ts')).default,
  (await import('./fuzz.ts')).default,
  (await import('./serve.ts')).default,
  (await import('./run.ts')).default,
  (await import('./replay.ts')).default,
];

export async function main(argv: string[]): Promise<number> {
  const program = new Command('sync-sim')
    .description('Marketo ⇄ Salesforce sync simulator: emulators, reference engine and conformance scenarios')
    .showHelpAfterError()
    .exitOverride();
  const exit = { code: 0 };
  for (const m of modules) m.register(program, exit);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    const e = err as { code?: string; exitCode?: number };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    if (typeof e.exitCode === 'number') return e.exitCode;
    throw err;
  }
  return exit.code;
}
