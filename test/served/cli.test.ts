// `sync-sim serve` as a command: what it prints, --scenario, --clock, stopping on signals, refusing
// bad flags, and the control API's gate when --host opens the server beyond loopback.
import { networkInterfaces } from 'node:os';
import { describe, expect, it } from 'vitest';
import { controlAccess, isLoopback } from '../../mocks/control/access.ts';
import { control, runCli, startServe } from './harness.ts';

/** A non-loopback IPv4 address of this machine, if it has one. */
function externalAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

describe('sync-sim serve', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints the URLs and the default credentials, and stops cleanly on %s', async (signal) => {
    const served = await startServe();
    const out = served.output().stdout;
    expect(out).toContain(`http://127.0.0.1:${served.port}`);
    for (const s of ['sync@example.com', 'sync-password', 'syncsim-secret', '/identity/oauth/token', '/__syncsim', 'loopback clients only']) expect(out).toContain(s);
    const res = await fetch(`${served.origin}/services/data`);
    expect(res.status).toBe(200);
    const code = await served.stop(signal);
    expect(code).toBe(0);
    expect(served.output().stdout).toContain(`stopped (${signal})`);
    await expect(fetch(`${served.origin}/services/data`)).rejects.toThrow();
  });

  it("--scenario loads the setup before the first request; --clock held holds time", async () => {
    const served = await startServe(['--scenario', 'scenarios/contact-created-in-salesforce-reaches-marketo.yaml', '--clock', 'held']);
    try {
      expect(served.output().stdout).toMatch(/loaded the setup of "A contact created in Salesforce/);
      const accounts = await control<{ totalSize: number }>(served.origin, 'GET', '/records/salesforce/Account');
      expect(accounts.body.totalSize).toBe(1);
      const clock = await control<{ held: boolean }>(served.origin, 'GET', '/clock');
      expect(clock.body.held).toBe(true);
    } finally {
      await served.stop();
    }
  });

  it('refuses a bad scenario and bad flags with a clear message and a failing exit code', async () => {
    const [bad, clock, port] = await Promise.all([
      runCli(['serve', '--port', '0', '--scenario', 'scenarios/no-such.yaml']),
      runCli(['serve', '--clock', 'sideways']),
      runCli(['serve', '--port', 'eighty']),
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('no-such.yaml');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    expect(clock.code).not.toBe(0);
    expect(clock.stderr).toMatch(/sideways/);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('--port');
  });

  it('refuses a port that is taken, naming it', async () => {
    const first = await startServe();
    try {
      const taken = await runCli(['serve', '--port', String(first.port)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`port ${first.port} on 127.0.0.1 is in use`);
    } finally {
      await first.stop();
    }
  });

  const external = externalAddress();
  it.skipIf(!external)('--host beyond loopback prints a token; the control API asks other clients for it, the APIs do not', async () => {
    const served = await startServe(['--host', external!], { SYNCSIM_TOKEN: 'test-token-123' });
    try {
      expect(served.output().stdout).toContain('token          test-token-123');
      const none = await fetch(`${served.origin}/__syncsim/clock`);
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('TOKEN_REQUIRED');
      const wrong = await fetch(`${served.origin}/__syncsim/clock`, { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(403);
      const bearer = await fetch(`${served.origin}/__syncsim/clock`, { headers: { Authorization: 'Bearer test-token-123' } });
      expect(bearer.status).toBe(200);
      const header = await fetch(`${served.origin}/__syncsim/reset`, { method: 'POST', headers: { 'x-syncsim-token': 'test-token-123' } });
      expect(header.status).toBe(200);
      // The emulated APIs keep their own auth; the token is only the control API's.
      const api = await fetch(`${served.origin}/services/data`);
      expect(api.status).toBe(200);
    } finally {
      await served.stop();
    }
  });
});

describe('the control API gate', () => {
  it('loopback clients pass; others are refused unless the server was opened, and then need the token', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.5')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('192.0.2.7')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);

    expect(controlAccess('127.0.0.1', {}, { opened: false })).toEqual({ ok: true });
    expect(controlAccess('10.1.2.3', { authorization: 'Bearer t' }, { opened: false })).toMatchObject({ ok: false, status: 403 });
    expect(controlAccess('10.1.2.3', {}, { opened: true, token: 't0k' })).toMatchObject({ ok: false, status: 401 });
    expect(controlAccess('10.1.2.3', { authorization: 'Bearer t0x' }, { opened: true, token: 't0k' })).toMatchObject({ ok: false, status: 403 });
    expect(controlAccess('10.1.2.3', { authorization: 'Bearer t0k' }, { opened: true, token: 't0k' })).toEqual({ ok: true });
    expect(controlAccess('10.1.2.3', { 'x-syncsim-token': 't0k' }, { opened: true, token: 't0k' })).toEqual({ ok: true });
  });
});
