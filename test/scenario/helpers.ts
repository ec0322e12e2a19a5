import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parseScenario } from '../../src/scenario/load.ts';
import type { ScenarioError } from '../../src/scenario/errors.ts';
import type { Scenario } from '../../src/scenario/schema.ts';

/** DESIGN §7's example, verbatim. */
export const DESIGN_EXAMPLE = readFileSync(fileURLToPath(new URL('./design-example.yaml', import.meta.url)), 'utf8');

export function loadOk(text: string, file = 'test.yaml'): Scenario {
  const result = parseScenario(text, file);
  if (!result.ok) throw new Error(`expected the scenario to load, got:\n${result.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join('\n')}`);
  return result.scenario;
}

export function loadErrors(text: string, file = 'bad.yaml'): ScenarioError[] {
  const result = parseScenario(text, file);
  expect(result.ok, 'expected the scenario to be rejected').toBe(false);
  return result.ok ? [] : result.errors;
}

/** The scenario with every source position removed, to compare what it means. */
export function withoutLocations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutLocations);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'loc' || k === 'file' || k === 'number') continue;
      out[k] = withoutLocations(v);
    }
    return out;
  }
  return value;
}

/** A minimal valid file around some steps (alice is a Lead, bob a Marketo person). */
export function withSteps(steps: string, setup = ''): string {
  return `name: test
salesforce:
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme }
marketo:
  people:
    - { ref: bob, email: bob@globex.test }
${setup}steps:
${steps}`;
}
