/**
 * Terminal output shared by the CLI commands: colour only when writing to a
 * terminal and NO_COLOR is not set (https://no-color.org), plain text when
 * piped or captured, so logs and CI output carry no escape codes.
 */
export interface Paint {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function useColour(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  return stream.isTTY === true && env['TERM'] !== 'dumb';
}

export function paint(colour: boolean): Paint {
  const wrap = (open: number, close: number) => (text: string) => (colour ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { green: wrap(32, 39), red: wrap(31, 39), yellow: wrap(33, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}

export function out(text: string): void {
  process.stdout.write(text);
}

export function err(text: string): void {
  process.stderr.write(text);
}

/** `--seed N`: a whole number ≥ 0, or a clear error naming the flag. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--seed: expected a whole number (like 7), got "${text}"`);
  return Number(text);
}

/** A failure of the command's own input (bad flag value, missing file): printed as one line, exit 1, no stack. */
export class UsageError extends Error {}

let pipeGuarded = false;

/** `sync-sim run | head`: when the reader goes away, stop quietly instead of crashing on EPIPE. */
export function exitQuietlyOnClosedPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}
