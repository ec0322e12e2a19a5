/**
 * Loads a scenario's setup (fields, permissions, rules, records, people) into
 * the served emulators, from YAML text or a file path: the scenario language's
 * own loader and `applySetup`, so served mode and the simulator read a file
 * the same way. Steps are not run: driving them is the client's job.
 */
import { applySetup, SetupError } from '../../src/scenario/setup.ts';
import { formatErrors, loadScenario, parseScenario, type Scenario } from '../../src/scenario/index.ts';
import type { ServedEmulators } from './emulators.ts';
import { ControlError } from './respond.ts';

export type SetupSource = { yaml: string; fileName?: string } | { path: string };

export interface SetupSummary {
  name: string;
  file: string;
  refs: Record<string, { salesforce?: { object: string; id: string }; personId?: number }>;
  /** The scenario's engine settings, for a client engine to adopt. */
  sync: Scenario['sync'];
  steps: number;
}

export function loadSetup(emulators: ServedEmulators, source: SetupSource, opts: { reset: boolean }): SetupSummary {
  const loaded = 'path' in source ? loadScenario(source.path) : parseScenario(source.yaml, source.fileName ?? 'scenario.yaml');
  if (!loaded.ok) {
    throw new ControlError(400, 'INVALID_SCENARIO', formatErrors(loaded.errors).trim(), {
      errors: loaded.errors.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message })),
    });
  }
  const scenario = loaded.scenario;
  const apply = (org: ServedEmulators['sf']['org'], instance: ServedEmulators['mkto']['instance']) => {
    try {
      return applySetup({ org, instance }, scenario);
    } catch (e) {
      if (e instanceof SetupError) throw new ControlError(422, 'SETUP_REFUSED', e.message);
      throw e;
    }
  };
  // With a reset the setup goes into fresh emulators, swapped in only if all of it applies.
  if (opts.reset) emulators.replace(({ sf, mkto }) => apply(sf.org, mkto.instance));
  else emulators.refs = apply(emulators.sf.org, emulators.mkto.instance);
  emulators.scenario = { name: scenario.name, file: scenario.file, sync: scenario.sync };
  const refs: SetupSummary['refs'] = {};
  for (const ref of emulators.refs.names()) {
    const sf = emulators.refs.salesforce(ref);
    const person = emulators.refs.person(ref);
    refs[ref] = { ...(sf ? { salesforce: sf } : {}), ...(person ? { personId: person.id } : {}) };
  }
  return { name: scenario.name, file: scenario.file, refs, sync: scenario.sync, steps: scenario.steps.length };
}
