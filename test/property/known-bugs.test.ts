/**
 * Counterexamples the property suite found, replayed.
 *
 * - test/property/counterexamples/TAG.yaml: an engine bug not fixed yet, one per KNOWN_ENGINE_BUGS tag. The conformance
 *   suites tolerate exactly these tags; the replay may show that bug and nothing else.
 * - test/property/regressions/*.yaml: bugs fixed since (or oracle mistakes corrected). Each must replay with no
 *   violation at all, tagged or not, so a fix that comes undone fails here.
 *
 * Once a bug is fixed: delete its tag (and the code that sets it) and move its file from counterexamples/ to
 * regressions/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { replayScenario } from '../../src/sim/counterexample.ts';
import { KNOWN_ENGINE_BUGS } from '../../src/sim/oracle.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

const KNOWN = 'test/property/counterexamples';
const REGRESSIONS = 'test/property/regressions';
const yamlIn = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort() : []);
const known = yamlIn(KNOWN);
const regressions = yamlIn(REGRESSIONS);

describe('known engine bugs, each with its shrunk counterexample', () => {
  it('every known bug has a counterexample file named for it, and every such file a known bug', () => {
    expect(known.map((f) => f.replace(/\.yaml$/, ''))).toEqual(Object.keys(KNOWN_ENGINE_BUGS).sort());
  });

  it('a fixed bug is no longer known: no regression is named for a tag still in KNOWN_ENGINE_BUGS', () => {
    expect(regressions.map((f) => f.replace(/\.yaml$/, '')).filter((t) => t in KNOWN_ENGINE_BUGS)).toEqual([]);
  });

  for (const file of known) {
    const tag = file.replace(/\.yaml$/, '');
    it(`${tag}: replays to that bug and nothing else`, async () => {
      const r = await replayScenario(readFileSync(join(KNOWN, file), 'utf8'), file);
      expect(r.checked).toBe(true);
      expect(r.violations.filter((v) => v.tag !== tag).map((v) => `${v.property}: ${v.message}`)).toEqual([]);
    });
  }
});

describe('fixed bugs: each counterexample replays clean', () => {
  it('there are regressions to replay', () => {
    expect(regressions.length).toBeGreaterThan(0);
  });

  for (const file of regressions) {
    it(`${file.replace(/\.yaml$/, '')}: no violation`, async () => {
      const r = await replayScenario(readFileSync(join(REGRESSIONS, file), 'utf8'), file);
      expect(r.checked).toBe(true);
      expect(r.violations.map((v) => `${v.property}${v.tag ? ` [${v.tag}]` : ''}: ${v.message}`)).toEqual([]);
    });
  }
});
