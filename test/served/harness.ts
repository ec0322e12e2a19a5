/**
 * Starts `sync-sim serve` as a child process, the way a team outside our
 * process runs it, and talks to it over real HTTP. The port is picked by the
 * server (`--port 0`) and read from its start-up text. Every wait is bounded.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Generous: the command compiles its TypeScript through tsx at start, slow on a loaded CI machine.
const START_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 10_000;

export interface ServedChild {
  origin: string;
  port: number;
  child: ChildProcessWithoutNullStreams;
  /** Everything the child printed so far. */
  output(): { stdout: string; stderr: string };
  /** Sends the signal and resolves with the exit code (kills hard after a bound). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs `sync-sim serve --port 0 ...args` and resolves once it prints its port. */
export function startServe(args: string[] = [], env: Record<string, string> = {}): Promise<ServedChild> {
  const child = spawn(process.execPath, ['bin/sync-sim.js', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop('SIGKILL');
      reject(new Error(`sync-sim serve printed no port within ${START_TIMEOUT_MS} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, START_TIMEOUT_MS);
    const look = () => {
      const m = /listening on (\S+) port (\d+)/.exec(stdout);
      if (!m) return;
      clearTimeout(timer);
      child.stdout.off('data', look);
      const port = Number(m[2]);
      const host = m[1] === '0.0.0.0' || m[1] === '::' ? '127.0.0.1' : m[1]!.includes(':') ? `[${m[1]}]` : m[1]!;
      resolve({ origin: `http://${host}:${port}`, port, child, output: () => ({ stdout, stderr }), stop });
    };
    child.stdout.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sync-sim serve exited (${code}) before printing a port\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
}

/** Runs `sync-sim ...args` to completion (for commands that should fail fast). */
export function runCli(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/sync-sim.js', ...args], { cwd: ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A JSON call to the control API. */
export async function control<T = Record<string, unknown>>(origin: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${origin}/__syncsim${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export const SYNC_USER = { username: 'sync@example.com', password: 'sync-password' };
export const CLIENT = { clientId: 'syncsim', clientSecret: 'syncsim-secret' };
export const VERSION = '60.0';
export { ROOT };
