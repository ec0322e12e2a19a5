import type { Command } from 'commander';

/** A subcommand module: adds its command to the program; sets `exit.code` for the process exit status. */
export interface CommandModule {
  register(program: Command, exit: { code: number }): void;
}
