/**
 * The conformance suite (DESIGN §7): every file in scenarios/ is one test,
 * named by its file and its `name:`. A failure shows where and why, and the
 * scenario's whole timeline.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { formatErrors } from '../../src/scenario/errors.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { failureReport } from '../../src/scenario/report.ts';
import { runScenario } from '../../src/scenario/runner.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';

const folder = fileURLToPath(new URL('../../scenarios/', import.meta.url));
const files = readdirSync(folder).filter((f) => /\.ya?ml$/.test(f)).sort();

afterAll(() => closeAllWorlds());

describe('scenarios/', () => {
  it('holds at least 30 scenario files', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    const loaded = loadScenario(`${folder}${file}`);
    const title = loaded.ok ? `${file}: ${loaded.scenario.name}` : `${file} (does not load)`;
    it(title, async () => {
      if (!loaded.ok) expect.fail(`\n${formatErrors(loaded.errors)}`);
      const result = await runScenario(loaded.scenario);
      if (!result.ok) expect.fail(`\n${failureReport(result)}`);
      // A fault or a crash that never struck would make the scenario pass for nothing.
      const events = result.trace.events;
      for (const step of loaded.scenario.steps) {
        if (step.kind === 'fault') {
          const struck = events.some((e) => e.kind === 'fired' && e.text.startsWith(`${step.system} ${step.fault} `));
          expect(struck, `step ${step.number}: the ${step.system} ${step.fault} fault never struck a request`).toBe(true);
        }
      }
      const restarts = loaded.scenario.steps.filter((s) => s.kind === 'engine.restart').length;
      expect(events.filter((e) => e.kind === 'crash').length, 'every engine.restart killed the engine mid-cycle').toBe(restarts);
    });
  }
});
