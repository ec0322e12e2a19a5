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

  it('failure keys ignore field order but not code, message or operation', () => {
    const base = { operation: 'update' as const, errorCode: 'X', message: 'm', fields: ['A', 'B'] };
    expect(failureKey(base)).toBe(failureKey({ ...base, fields: ['B', 'A'] }));
    expect(failureKey(base)).not.toBe(failureKey({ ...base, message: 'other' }));
    expect(failureKey(base)).not.toBe(failureKey({ ...base, operation: 'create' }));
  });
});
