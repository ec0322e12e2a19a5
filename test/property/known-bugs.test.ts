/**
 * Engine bugs the property suite found and the engine has not fixed yet
 * (KNOWN_ENGINE_BUGS). Each counterexample file replays to its violation;
 * the conformance suites tolerate exactly these tags to stay green. When the
 * engine is fixed, the "still fails" test below fails: delete the tag and
 * this file's entry.
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
    it(`${tag}: the file replays to that violation, with the trace hash in its header`, async () => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const r = await replayScenario(text, file);
      expect(r.checked).toBe(true);
      expect(r.violations.map((v) => v.tag)).toContain(tag);
      expect(text).toContain(`trace hash: ${r.hash}`);
    });

    // Passes while the bug is there; fails (on purpose) once the engine is fixed.
    it.fails(`${tag}: still fails on the reference engine (remove the tag once fixed)`, async () => {
      const r = await replayScenario(readFileSync(join(DIR, file), 'utf8'), file);
      expect(r.violations).toEqual([]);
    });
  }
});
