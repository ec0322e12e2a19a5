/**
 * Engine bugs the property suite found (KNOWN_ENGINE_BUGS), each with its
 * shrunk counterexample file. The conformance suites tolerate exactly these
 * tags to stay green. `sync-sim fuzz --replay FILE` shows whether one still
 * reproduces; once the engine is fixed, delete its tag.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayScenario } from '../../src/sim/counterexample.ts';
import { KNOWN_ENGINE_BUGS } from '../../src/sim/oracle.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

const DIR = 'test/property/counterexamples';
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));

describe('known engine bugs, each with its shrunk counterexample', () => {
  it('every known bug has a counterexample file named for it', () => {
    expect(files.map((f) => f.replace(/\.yaml$/, '')).sort()).toEqual(Object.keys(KNOWN_ENGINE_BUGS).sort());
  });

  for (const file of files) {
    const tag = file.replace(/\.yaml$/, '');
    // While the bug is there the replay shows it; once the engine is fixed the file is a regression test that must
    // replay clean. Either way nothing else may break. (Delete the tag from KNOWN_ENGINE_BUGS once fixed.)
    it(`${tag}: replays to that bug or, once fixed, to nothing else`, async () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const r = await replayScenario(text, file);
      expect(r.checked).toBe(true);
      expect(r.violations.filter((v) => v.tag !== tag).map((v) => `${v.property}: ${v.message}`)).toEqual([]);
    });
  }
});

