/**
 * MemoryStateStore's check of unreported changes compares each link with its
 * saved JSON by a walk, not by serializing it: it must still refuse exactly the
 * saves where some unreported link's JSON differs from what was saved, and
 * accept every save where none does (an edit JSON cannot see is no change).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { emptyState, MemoryStateStore, type EngineState, type LinkState } from '../../../src/engine/state-store.ts';

const link = (n: number): LinkState => ({
  personId: n,
  object: 'Lead',
  sfId: `00Q${n}`,
  ancestor: { Title: 'CEO', Phone: null, NumberOfEmployees: 10, DoNotCall: false },
  logged: ['a'],
});

type Edit = (l: Record<string, unknown>) => void;

/** Edits to one link, each with whether its JSON changes. */
const EDITS: Array<[string, Edit, boolean]> = [
  ['same value written again', (l) => ((l.ancestor as Record<string, unknown>).Title = 'CEO'), false],
  ['a string changed', (l) => ((l.ancestor as Record<string, unknown>).Title = 'CFO'), true],
  ['null to a string', (l) => ((l.ancestor as Record<string, unknown>).Phone = '555'), true],
  ['a number changed', (l) => ((l.ancestor as Record<string, unknown>).NumberOfEmployees = 11), true],
  ['a number to its string', (l) => ((l.ancestor as Record<string, unknown>).NumberOfEmployees = '10'), true],
  ['false to 0', (l) => ((l.ancestor as Record<string, unknown>).DoNotCall = 0), true],
  ['a key added with undefined', (l) => (l.retry = undefined), false],
  ['a key added with a function', (l) => (l.retry = () => 1), false],
  ['a key added', (l) => (l.retry = true), true],
  ['a key deleted', (l) => delete (l.ancestor as Record<string, unknown>).Phone, true],
  ['keys reordered', (l) => {
    const a = l.ancestor as Record<string, unknown>;
    const title = a.Title;
    delete a.Title;
    a.Title = title;
  }, true],
  ['the last key renamed, same value', (l) => {
    const a = l.ancestor as Record<string, unknown>;
    delete a.DoNotCall;
    a.HasOptedOutOfEmail = false;
  }, true],
  ['an array element pushed', (l) => (l.logged as unknown[]).push('b'), true],
  ['an array element changed', (l) => ((l.logged as unknown[])[0] = 'z'), true],
  ['an array replaced by an equal one', (l) => (l.logged = ['a']), false],
  ['an object replaced by an equal one', (l) => (l.ancestor = { Title: 'CEO', Phone: null, NumberOfEmployees: 10, DoNotCall: false }), false],
  ['an array element set to undefined (JSON null)', (l) => ((l.logged as unknown[])[0] = undefined), true],
  ['a number to NaN (JSON null)', (l) => ((l.ancestor as Record<string, unknown>).NumberOfEmployees = Number.NaN), true],
  ['null to NaN (both JSON null)', (l) => ((l.ancestor as Record<string, unknown>).Phone = Number.NaN), false],
  ['an object to an array', (l) => (l.ancestor = []), true],
  ['a Date whose JSON is the saved string', (l) => ((l.ancestor as Record<string, unknown>).Title = new Date(0)), true],
  // The walk reads keys with for-in: keys lent by a prototype are not the object's own (JSON leaves them out).
  ['an object whose keys are all inherited', (l) => (l.ancestor = Object.create({ Title: 'CEO', Phone: null, NumberOfEmployees: 10, DoNotCall: false }) as object), true],
  ['a nested object added', (l) => (l.failure = { operation: 'update', errorCode: 'X', message: 'm', fields: [], since: 1 }), true],
];

async function savedWith(n: number): Promise<{ store: MemoryStateStore; state: EngineState }> {
  const store = new MemoryStateStore();
  const state = emptyState();
  for (let i = 1; i <= n; i++) state.links[String(i)] = link(i);
  await store.save(state, { links: [] });
  await store.save(state, { links: [] }); // past the first (full) save: the next one checks
  return { store, state };
}

describe('MemoryStateStore: unreported changes', () => {
  it.each(EDITS)('%s: refused unreported only if the JSON changes; saved when reported', async (_name, edit, changes) => {
    const { store, state } = await savedWith(3);
    const before = JSON.stringify(state.links['2']);
    edit(state.links['2'] as unknown as Record<string, unknown>);
    expect(JSON.stringify(state.links['2']) !== before).toBe(changes); // the table itself is right
    const unreported = store.save(state, { links: ['1'] });
    if (changes) await expect(unreported).rejects.toThrow(/link\(s\) 2 changed without being reported/);
    else await expect(unreported).resolves.toBeUndefined();
    await store.save(state, { links: ['2'] });
    expect(JSON.stringify(store.snapshot()!.links['2'])).toBe(JSON.stringify(state.links['2']));
  });

  it('a link added or deleted unreported is refused; reported, both are saved', async () => {
    const { store, state } = await savedWith(3);
    state.links['9'] = link(9);
    await expect(store.save(state, { links: [] })).rejects.toThrow(/link\(s\) 9 changed/);
    delete state.links['9'];
    delete state.links['3'];
    await expect(store.save(state, { links: [] })).rejects.toThrow(/link\(s\) 3 changed/);
    state.links['9'] = link(9);
    await store.save(state, { links: ['3', '9'] });
    expect(Object.keys(store.snapshot()!.links)).toEqual(['1', '2', '9']);
  });

  it('a refused save leaves the last snapshot as it was', async () => {
    const { store, state } = await savedWith(3);
    state.links['1']!.ancestor.Title = 'reported';
    state.links['2']!.ancestor.Title = 'unreported';
    await expect(store.save(state, { links: ['1'] })).rejects.toThrow(/link\(s\) 2 changed/);
    expect(store.snapshot()!.links['1']!.ancestor.Title).toBe('CEO');
  });

  it('any sequence of edits: a save is refused exactly when an unreported link serializes differently', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ target: fc.integer({ min: 1, max: 4 }), edit: fc.integer({ min: 0, max: EDITS.length - 1 }), report: fc.boolean() }), { maxLength: 12 }),
        async (steps) => {
          const { store, state } = await savedWith(4);
          let saved = new Map(Object.entries(state.links).map(([k, v]) => [k, JSON.stringify(v)]));
          for (const { target, edit, report } of steps) {
            const key = String(target);
            EDITS[edit]![1](state.links[key] as unknown as Record<string, unknown>);
            const differs = [...saved].some(([k, json]) => !(report && k === key) && JSON.stringify(state.links[k]) !== json);
            const result = store.save(state, { links: report ? [key] : [] });
            if (differs) {
              await expect(result).rejects.toThrow(/changed without being reported/);
              await store.save(state); // no changes given: written in full, the next save checks against it
            } else await result;
            saved = new Map(Object.entries(state.links).map(([k, v]) => [k, JSON.stringify(v)]));
            expect(JSON.stringify(store.snapshot()!.links)).toBe(JSON.stringify(JSON.parse(JSON.stringify(state.links))));
          }
        },
      ),
      { numRuns: 200, seed: 8 },
    );
  });
});

describe('MemoryStateStore: write-ahead intents kept apart from the rest of the snapshot', () => {
  const intent = (n: number) => ({ personId: n, sfId: `00Q${n}`, field: 'Title', to: 'salesforce' as const, value: `T${n}` });

  it('any sequence of saves and intent writes loads as the whole state written then (keys in the same order)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant('save' as const), intents: fc.integer({ min: 0, max: 2 }), before: fc.boolean(), token: fc.integer({ min: 0, max: 9 }) }),
            fc.record({ op: fc.constant('intents' as const), count: fc.integer({ min: 0, max: 3 }) }),
          ),
          { minLength: 1, maxLength: 10 },
        ),
        async (ops) => {
          const store = new MemoryStateStore();
          // The reference: the whole snapshot as one JSON text, intents replaced in place (or added last, or dropped).
          let reference: string | undefined;
          let state = emptyState();
          for (const o of ops) {
            if (o.op === 'save') {
              // A state with or without intents, the key before or after the others (the engine sets it last).
              const base: Record<string, unknown> = o.before && o.intents > 0 ? { intents: [] } : {};
              state = Object.assign(base, emptyState(), { marketoToken: `T${o.token}` }) as EngineState;
              if (o.intents > 0) state.intents = Array.from({ length: o.intents }, (_, i) => intent(i));
              state.links['1'] = link(1);
              await store.save(state);
              reference = JSON.stringify(state);
            } else {
              const intents = Array.from({ length: o.count }, (_, i) => intent(10 + i));
              await store.saveIntents(intents);
              if (reference === undefined && intents.length === 0) continue;
              const whole = (reference === undefined ? { ...emptyState() } : JSON.parse(reference)) as Record<string, unknown>;
              if (intents.length > 0) whole.intents = intents;
              else delete whole.intents;
              reference = JSON.stringify(whole);
            }
            expect(JSON.stringify(await store.load())).toBe(reference);
          }
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});
