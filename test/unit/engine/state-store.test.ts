import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyState, failureKey, FileStateStore, MemoryStateStore } from '../../../src/engine/state-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'syncsim-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('state stores', () => {
  it('memory: a fresh store has nothing; a saved snapshot comes back as a copy, not the live object', async () => {
    const store = new MemoryStateStore();
    expect(await store.load()).toBeUndefined();
    const s = emptyState();
    s.sfWatermark.Lead = '2026-01-05T09:00:00.000+0000';
    await store.save(s);
    s.sfWatermark.Lead = 'changed after the save';
    expect((await store.load())?.sfWatermark.Lead).toBe('2026-01-05T09:00:00.000+0000');
  });

  it('file: survives a new store instance (a restart), replaces the file atomically, leaves no temp file', async () => {
    const path = join(dir, 'a', 'state.json');
    const a = new FileStateStore(path);
    expect(await a.load()).toBeUndefined();
    const s = emptyState();
    s.links['7'] = { personId: 7, object: 'Lead', sfId: '00Q000000000001AAA', ancestor: { Title: 'CEO' }, logged: [] };
    await a.save(s);
    s.marketoToken = 'T2';
    await a.save(s);
    const b = new FileStateStore(path);
    const loaded = await b.load();
    expect(loaded?.links['7']?.ancestor).toEqual({ Title: 'CEO' });
    expect(loaded?.marketoToken).toBe('T2');
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(JSON.parse(readFileSync(path, 'utf8')).version).toBe(1);
  });

  it('file: a corrupt or foreign file is refused with a clear message', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    await expect(new FileStateStore(bad).load()).rejects.toThrow(/not valid JSON/);
    const other = join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ version: 9 }));
    await expect(new FileStateStore(other).load()).rejects.toThrow(/unknown layout/);
  });

  const intent = { personId: 7, sfId: '00Q000000000001AAA', field: 'Rating', to: 'marketo' as const, value: 'Hot' };

  it('memory: saveIntents keeps the last saved snapshot, not the unsaved state; the next save clears them', async () => {
    const store = new MemoryStateStore();
    const s = emptyState();
    s.links['7'] = { personId: 7, object: 'Lead', sfId: '00Q000000000001AAA', ancestor: { Rating: null }, logged: [] };
    s.sfRetry = { '00Q000000000002AAA': 'Lead' };
    await store.save(s);
    // Mid-cycle: unfinished changes in memory must not reach the store with the intents.
    s.sfRetry = {};
    s.links['7']!.ancestor.Rating = 'Cold';
    await store.saveIntents([intent]);
    const loaded = await store.load();
    expect(loaded?.intents).toEqual([intent]);
    expect(loaded?.sfRetry).toEqual({ '00Q000000000002AAA': 'Lead' });
    expect(loaded?.links['7']?.ancestor.Rating).toBeNull();
    await store.save(s);
    expect((await store.load())?.intents).toBeUndefined();
  });

  it('memory: a state saved again after a loaded copy was saved still has its link edits noticed', async () => {
    const store = new MemoryStateStore();
    const s = emptyState();
    s.links['7'] = { personId: 7, object: 'Lead', sfId: '00Q000000000001AAA', ancestor: { Title: 'CEO' }, logged: [] };
    for (let i = 0; i < 4; i++) await store.save(s); // the link is watched through a Proxy by now
    await store.save((await store.load())!); // what the engine's intent fallback does for a store without saveIntents
    for (let i = 0; i < 4; i++) await store.save(s);
    s.links['7']!.ancestor.Title = 'CFO';
    await store.save(s);
    expect((await store.load())?.links['7']?.ancestor.Title).toBe('CFO');
  });

  it('file: saveIntents rewrites the last saved snapshot atomically, readable by a new instance; save clears them', async () => {
    const path = join(dir, 'intents', 'state.json');
    const a = new FileStateStore(path);
    const s = emptyState();
    s.marketoToken = 'T1';
    await a.save(s);
    s.marketoToken = 'T2 (unsaved)';
    await a.saveIntents([intent]);
    const loaded = await new FileStateStore(path).load();
    expect(loaded?.intents).toEqual([intent]);
    expect(loaded?.marketoToken).toBe('T1');
    expect(existsSync(`${path}.tmp`)).toBe(false);
    // A new instance (a restart) writes its intents onto the snapshot it finds on disk.
    const b = new FileStateStore(path);
    await b.saveIntents([]);
    expect((await b.load())?.intents).toBeUndefined();
    expect((await b.load())?.marketoToken).toBe('T1');
    await a.saveIntents([intent]);
    await a.save(s);
    expect((await b.load())?.intents).toBeUndefined();
  });

  it('failure keys ignore field order but not code, message or operation', () => {
    const base = { operation: 'update' as const, errorCode: 'X', message: 'm', fields: ['A', 'B'] };
    expect(failureKey(base)).toBe(failureKey({ ...base, fields: ['B', 'A'] }));
    expect(failureKey(base)).not.toBe(failureKey({ ...base, message: 'other' }));
    expect(failureKey(base)).not.toBe(failureKey({ ...base, operation: 'create' }));
  });
});

describe('memory store: saves given the changed links', () => {
  const lead = (n: number) => `00Q00000000000${String(n).padStart(2, '0')}AAA`;
  const withLinks = (n: number) => {
    const s = emptyState();
    for (let i = 1; i <= n; i++) s.links[String(i)] = { personId: i, object: 'Lead', sfId: lead(i), ancestor: { Title: `T${i}` }, logged: [] };
    return s;
  };

  it('writes only the links named, and the rest of the state in full', async () => {
    const store = new MemoryStateStore();
    const s = withLinks(3);
    await store.save(s, { links: [] });
    expect(store.fullSaves).toBe(1); // the first save of a state writes every link
    s.links['2']!.ancestor.Title = 'CFO';
    delete s.links['3'];
    s.links['4'] = { personId: 4, object: 'Lead', sfId: lead(4), ancestor: {}, logged: [] };
    s.marketoToken = 'T9';
    await store.save(s, { links: ['2', '3', '4'] });
    expect(store.fullSaves).toBe(1);
    const loaded = (await store.load())!;
    expect(Object.keys(loaded.links)).toEqual(['1', '2', '4']);
    expect(loaded.links['2']?.ancestor.Title).toBe('CFO');
    expect(loaded.marketoToken).toBe('T9');
  });

  it('writes every link for a state it did not save last (a reload), whatever the changes say', async () => {
    const store = new MemoryStateStore();
    await store.save(withLinks(2), { links: [] });
    const reloaded = (await store.load())!;
    reloaded.links['1']!.ancestor.Title = 'changed';
    await expect(store.save(reloaded, { links: [] })).resolves.toBeUndefined();
    expect(store.fullSaves).toBe(2);
    expect((await store.load())?.links['1']?.ancestor.Title).toBe('changed');
  });

  it('refuses a save whose changes leave out a changed link (small states are checked in full)', async () => {
    const store = new MemoryStateStore();
    const s = withLinks(2);
    await store.save(s, { links: [] });
    s.links['1']!.ancestor.Title = 'unreported';
    await expect(store.save(s, { links: ['2'] })).rejects.toThrow(/link\(s\) 1 changed without being reported/);
  });

  it('a large state with one change costs one link, not a serialization of all of them', async () => {
    const store = new MemoryStateStore();
    const s = withLinks(5_000);
    await store.save(s, { links: [] });
    const stringify = JSON.stringify;
    let calls = 0;
    JSON.stringify = ((...args: Parameters<typeof stringify>) => {
      calls++;
      return stringify(...args);
    }) as typeof JSON.stringify;
    try {
      s.links['77']!.ancestor.Title = 'CTO';
      await store.save(s, { links: ['77'] });
    } finally {
      JSON.stringify = stringify;
    }
    expect(calls).toBe(2); // the link and the rest of the state
    expect((await store.load())?.links['77']?.ancestor.Title).toBe('CTO');
  });
});
