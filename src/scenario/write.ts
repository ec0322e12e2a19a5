/**
 * A loaded scenario (or a list of steps) back to YAML in the form people
 * write (DESIGN §7): one `- kind: { … }` per step, flow maps for records.
 * The fuzzer writes shrunk counterexamples with it; `parseScenario` of the
 * output gives the same scenario back (source locations aside).
 */
import { Document, YAMLMap, YAMLSeq, type Node } from 'yaml';
import {
  DEFAULT_INTERVAL_MS,
  DEFAULT_SEED,
  DEFAULT_WINNER,
  type Expectation,
  type Scenario,
  type Step,
} from './schema.ts';

/** A value with its source positions (`loc`, step `number`, `file`) made optional: what a generator produces. */
export type Unlocated<T> = T extends readonly (infer U)[]
  ? Unlocated<U>[]
  : T extends object
    ? { [K in keyof T as K extends 'loc' | 'number' | 'file' ? never : K]: Unlocated<T[K]> } & {
        loc?: unknown;
        number?: number;
        file?: string;
      }
    : T;

export type WritableScenario = Unlocated<Scenario>;
export type WritableStep = Unlocated<Step>;
type WritableExpectation = Unlocated<Expectation>;

const UNITS: Array<[string, number]> = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]];

/** 300000 → `5m`, 5400000 → `1h30m`, 0 → `0s`: the shortest text parseDuration reads back to the same value. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`cannot write a duration of ${ms} ms`);
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}

export interface WriteOptions {
  /** A comment at the top of the file (e.g. the seed and the property a fuzzer run broke). */
  comment?: string;
}

/** The whole scenario as a YAML file's text. */
export function writeScenario(scenario: WritableScenario, options: WriteOptions = {}): string {
  const doc = new Document();
  const root = new YAMLMap();
  root.set('name', scenario.name);
  if (scenario.description !== undefined) root.set('description', scenario.description);
  if (scenario.seed !== DEFAULT_SEED) root.set('seed', scenario.seed);

  const sf = new YAMLMap();
  const { fields, permissions, rules, records } = scenario.salesforce;
  if (fields.length) sf.set('fields', seq(fields.map((f) => flow(doc, strip(f)))));
  if (permissions.length) {
    const map = new YAMLMap();
    for (const p of permissions) map.set(`${p.object}.${p.field}`, p.access);
    sf.set('permissions', map);
  }
  if (rules.length) sf.set('rules', seq(rules.map((r) => doc.createNode(strip(r)) as Node)));
  if (records.length) {
    sf.set('records', seq(records.map((r) => flow(doc, { ref: r.ref, object: r.object, ...r.fields }))));
  }
  if (sf.items.length) root.set('salesforce', sf);

  const mk = new YAMLMap();
  if (scenario.marketo.fields.length) mk.set('fields', seq(scenario.marketo.fields.map((f) => flow(doc, strip(f)))));
  if (scenario.marketo.people.length) {
    mk.set('people', seq(scenario.marketo.people.map((p) => flow(doc, { ref: p.ref, ...p.fields }))));
  }
  if (mk.items.length) root.set('marketo', mk);

  const sync = new YAMLMap();
  const { intervalMs, winner, fieldWinners } = scenario.sync;
  if (intervalMs !== DEFAULT_INTERVAL_MS) sync.set('interval', formatDuration(intervalMs));
  const winners: Record<string, string> = {};
  if (winner.Lead !== DEFAULT_WINNER.Lead) winners.Lead = winner.Lead;
  if (winner.Contact !== DEFAULT_WINNER.Contact) winners.Contact = winner.Contact;
  Object.assign(winners, fieldWinners);
  if (Object.keys(winners).length) sync.set('winner', flow(doc, winners));
  if (scenario.sync.mutant !== undefined) sync.set('mutant', scenario.sync.mutant);
  if (sync.items.length) root.set('sync', sync);

  root.set('steps', stepsNode(doc, scenario.steps));
  doc.contents = root;
  if (options.comment) doc.commentBefore = ` ${options.comment.replace(/\n/g, '\n ')}`;
  return doc.toString({ lineWidth: 0 });
}

/** Only the steps, as the YAML list that goes under `steps:`. */
export function writeSteps(steps: readonly WritableStep[]): string {
  const doc = new Document();
  doc.contents = stepsNode(doc, steps);
  return doc.toString({ lineWidth: 0 });
}

function stepsNode(doc: Document, steps: readonly WritableStep[]): YAMLSeq {
  return seq(steps.map((s) => stepNode(doc, s)));
}

function stepNode(doc: Document, step: WritableStep): Node {
  if (step.kind === 'engine.restart' && step.rejected === undefined && step.atRequest === undefined) return doc.createNode('engine.restart') as Node;
  const map = new YAMLMap();
  map.set(step.kind, stepBody(doc, step));
  if (step.rejected !== undefined) map.set('rejected', step.rejected);
  if (step.atRequest !== undefined) map.set('atRequest', step.atRequest);
  return map;
}

function stepBody(doc: Document, step: WritableStep): unknown {
  switch (step.kind) {
    case 'wait':
      return formatDuration(step.ms);
    case 'salesforce.create':
      return flow(doc, { ref: step.ref, object: step.object, ...step.fields });
    case 'salesforce.update':
    case 'marketo.create':
    case 'marketo.update':
      return flow(doc, { ref: step.ref, ...step.fields });
    case 'salesforce.delete':
    case 'salesforce.convert':
    case 'marketo.delete':
    case 'marketo.syncPersonToSfdc':
      return flow(doc, { ref: step.ref });
    case 'salesforce.merge':
      return flow(doc, { into: step.into, from: step.from });
    case 'salesforce.permission':
      return flow(doc, { field: `${step.object}.${step.field}`, access: step.access });
    case 'salesforce.rule':
      return doc.createNode(strip(step.rule));
    case 'fault':
      return flow(doc, {
        system: step.system,
        kind: step.fault,
        ...(step.forMs !== undefined ? { for: formatDuration(step.forMs) } : {}),
        ...(step.times !== undefined ? { times: step.times } : {}),
      });
    case 'engine.restart':
      return null;
    case 'expect':
      return expectNode(doc, step.checks);
  }
}

/**
 * Checks of one type share a key (YAML keys are unique): one map, or a list
 * of maps. Types keep the order of their first check, as the loader reads them.
 */
function expectNode(doc: Document, checks: readonly WritableExpectation[]): YAMLMap {
  const groups = new Map<string, WritableExpectation[]>();
  for (const check of checks) {
    const group = groups.get(check.type);
    if (group) group.push(check);
    else groups.set(check.type, [check]);
  }
  const map = new YAMLMap();
  for (const [type, group] of groups) {
    if (type === 'converged') {
      map.set('converged', true);
    } else if (type === 'count') {
      const counts: Record<string, number> = {};
      for (const c of group) if (c.type === 'count') counts[c.target] = c.expected;
      map.set('count', flow(doc, counts));
    } else {
      const items = group.map((c) => flow(doc, expectationBody(c)));
      map.set(type, items.length === 1 ? items[0] : seq(items));
    }
  }
  return map;
}

function expectationBody(check: WritableExpectation): Record<string, unknown> {
  switch (check.type) {
    case 'salesforce':
      return { ref: check.ref, ...(check.object !== undefined ? { object: check.object } : {}), ...check.fields };
    case 'marketo':
      return { ref: check.ref, ...check.fields };
    case 'activity':
      return {
        ref: check.ref,
        type: check.activityType,
        ...(check.contains !== undefined ? { contains: check.contains } : {}),
        ...(check.count !== undefined ? { count: check.count } : {}),
      };
    case 'linked':
      return { ref: check.ref, sfdcType: check.sfdcType };
    default:
      return {};
  }
}

function flow(doc: Document, value: object): Node {
  const node = doc.createNode(value) as YAMLMap;
  node.flow = true;
  return node;
}

function seq(items: unknown[]): YAMLSeq {
  const s = new YAMLSeq();
  s.items.push(...items);
  return s;
}

/** Drops `loc` and undefined members before writing. */
function strip<T extends object>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (k !== 'loc' && v !== undefined) out[k] = v;
  return out;
}
