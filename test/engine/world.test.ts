/** The World (issue 4 §3): one msw server per process, no leaks between worlds, determinism, restarts. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';
import { mustPersonOf } from './helpers.ts';

afterAll(() => closeAllWorlds());

async function scripted(seed: number) {
  const w = createWorld({ seed });
  const id = w.salesforceUser.create('Lead', { LastName: 'Det', Company: 'Acme', Email: 'd@acme.test' });
  await w.advance('5m');
  const p = mustPersonOf(w, id);
  w.marketoUser.update(p.id, { title: 'CEO' });
  w.salesforceUser.update('Lead', id, { Phone: '+1 555 0100' });
  await w.advance('10m');
  return w;
}

describe('World', () => {
  it('is deterministic: the same script gives the same trace, byte for byte', async () => {
    const a = (await scripted(7)).trace;
    const b = (await scripted(7)).trace;
    expect(a.events.length).toBeGreaterThan(10);
    expect(b.toText()).toBe(a.toText());
    expect(b.hash()).toBe(a.hash());
  });

  it('a new world replaces the old one: its handlers and data do not leak, the old one refuses to run', async () => {
    const first = createWorld();
    first.salesforceUser.create('Lead', { LastName: 'Old', Company: 'Acme' });
    await first.advance('5m');
    expect(first.instance.listPeople()).toHaveLength(1);
    const second = createWorld();
    expect(first.isClosed).toBe(true);
    await expect(first.advance('5m')).rejects.toThrow(/closed/);
    const firstLog = first.org.requestLog.length;
    await second.advance('5m');
    expect(second.instance.listPeople()).toHaveLength(0);
    expect(second.org.requestLog.filter((e) => e.user === second.org.syncUser.id).length).toBeGreaterThan(0);
    expect(first.org.requestLog.length).toBe(firstLog); // nothing reached the old world's org
  });

  it('advance runs every due cycle in order; a restarted engine carries on from the store', async () => {
    const w = createWorld({ interval: '10m' });
    const reports = await w.advance('35m');
    expect(reports.map((r) => r.cycle)).toEqual([1, 2, 3, 4]);
    const id = w.salesforceUser.create('Lead', { LastName: 'R', Company: 'Acme' });
    await w.advance('10m');
    const p = mustPersonOf(w, id);
    const old = w.engine;
    w.restartEngine();
    expect(w.engine).not.toBe(old);
    w.marketoUser.update(p.id, { title: 'After restart' });
    await w.advance('10m');
    expect(w.org.get('Lead', id)?.Title).toBe('After restart');
    expect(w.instance.listPeople()).toHaveLength(1);
  });

  it('logs the engine in with client credentials when asked', async () => {
    const w = createWorld({ clientCredentials: true });
    const id = w.salesforceUser.create('Lead', { LastName: 'CC', Company: 'Acme' });
    const [r] = await w.advance('1m');
    expect(r!.ok).toBe(true);
    expect(mustPersonOf(w, id).lastName).toBe('CC');
  });
});
