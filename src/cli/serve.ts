/**
 * `sync-sim serve`: both emulators on a real HTTP port with the control API
 * (DESIGN §8, mocks/server.ts). Runs until SIGINT or SIGTERM.
 */
import { webcrypto } from 'node:crypto';
import { Option, type Command } from 'commander';
import type { ServedMode } from '../../mocks/server.ts';
import { isLoopbackHost } from '../../mocks/control/access.ts';
import { RealClock } from '../sim/clock.ts';
import type { CommandModule } from './command.ts';

interface ServeFlags {
  port: string;
  host: string;
  scenario?: string;
  clock: 'real' | 'held';
  token?: string;
}

/**
 * The control API token for clients beyond loopback. A secret must not be
 * predictable, so it comes from the OS's CSPRNG, not the seeded Rng; it never
 * touches what the emulators do, so determinism (DESIGN §3) is not at stake.
 */
function newToken(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(24))).toString('base64url');
}

function parsePort(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new Error(`--port: expected a port number 0-65535 (0 picks a free one), got "${text}"`);
  return n;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignalled(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

// Kept in step with mocks/server.ts; the emulators load only when `serve` runs, so other commands start fast.
const DEFAULT_PORT = 4010;
const DEFAULT_HOST = '127.0.0.1';

async function run(flags: ServeFlags): Promise<number> {
  const port = parsePort(flags.port);
  const { banner, serve } = await import('../../mocks/server.ts');
  const { loadSetup } = await import('../../mocks/control/setup.ts');
  const { ControlError } = await import('../../mocks/control/respond.ts');
  const { servedProperties } = await import('./served-properties.ts');
  const opened = !isLoopbackHost(flags.host);
  const token = opened ? (flags.token ?? process.env['SYNCSIM_TOKEN'] ?? newToken()) : undefined;
  const clock = new RealClock();
  if (flags.clock === 'held') clock.hold();

  let served: ServedMode;
  try {
    served = await serve({
      port,
      host: flags.host,
      clock,
      checkProperties: servedProperties,
      ...(token ? { token } : {}),
      prepare: (emulators) => {
        if (flags.scenario) {
          const summary = loadSetup(emulators, { path: flags.scenario }, { reset: false });
          process.stdout.write(`loaded the setup of "${summary.name}" (${flags.scenario}): refs ${Object.keys(summary.refs).join(', ') || '(none)'}\n`);
        }
      },
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof ControlError) process.stderr.write(`sync-sim serve: --scenario ${flags.scenario}:\n${err.message}\n`);
    else if (err.code === 'EADDRINUSE') process.stderr.write(`sync-sim serve: port ${port} on ${flags.host} is in use (pick another with --port, or --port 0 for a free one)\n`);
    else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') process.stderr.write(`sync-sim serve: cannot listen on --host ${flags.host}: ${err.message}\n`);
    else process.stderr.write(`sync-sim serve: ${err.message}\n`);
    return 1;
  }

  const loopbackOrigin = opened && (served.host === '0.0.0.0' || served.host === '::') ? `http://127.0.0.1:${served.port}` : served.origin;
  process.stdout.write(`${banner(served, loopbackOrigin)}\n\nPress Ctrl-C to stop.\n`);
  const signal = await untilSignalled();
  await served.close();
  process.stdout.write(`sync-sim serve: stopped (${signal})\n`);
  return 0;
}

const serveCommand: CommandModule = {
  register(program: Command, exit: { code: number }): void {
    program
      .command('serve')
      .description('serve the Salesforce and Marketo emulators over HTTP, with a control API under /__syncsim/')
      .option('--port <port>', 'port to listen on (0 picks a free one and prints it)', String(DEFAULT_PORT))
      .option('--host <host>', 'interface to bind; anything but loopback opens the control API to token holders', DEFAULT_HOST)
      .option('--scenario <file>', "load this scenario's setup (fields, permissions, rules, records, people) before the first request")
      .addOption(new Option('--clock <mode>', 'real: time runs; held: time moves only by the control API').choices(['real', 'held']).default('real'))
      .option('--token <token>', 'control API token for non-loopback clients (default: $SYNCSIM_TOKEN, else a random one, printed)')
      .action(async (flags: ServeFlags) => {
        try {
          exit.code = await run(flags);
        } catch (e) {
          process.stderr.write(`sync-sim serve: ${(e as Error).message}\n`);
          exit.code = 1;
        }
      });
  },
};

export default serveCommand;
