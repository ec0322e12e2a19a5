/**
 * Compiled queries kept by their shape (shape.ts), so a query that differs from one run before only in its
 * literal values (a poll's watermark, the ids read back) skips the parse and the compile: its literals are typed
 * and bound to the plan, as the compile would have typed them.
 *
 * A plan is made only when the compile's WHERE values line up one for one, in text order, with the literals the
 * shape scan found (so a literal the scan saw is certainly the value the plan binds it to), and it is used only
 * where the context's view of every object the compile looked at resolves names exactly as it did: same fields,
 * in the same order, with the same name, type, relationship and filter/sort flags (a view's signature). So a
 * field hidden or added since is seen, and the users and the worlds of a fuzz campaign that see one schema share
 * one plan.
 */
import type { ObjectDef, QueryContext } from '../types.ts';
import type { FieldPath } from './fields.ts';
import { flatRowShaper, type FlatRowShaper } from './flat-rows.ts';
import type { SortKey } from './order.ts';
import type { LiteralClass, Shape } from './shape.ts';
import { kindOf, type Kind } from './values.ts';
import { conditionValues, finishWhere, leafTest, literal, type CompiledWhere, type Lit, type Node } from './where.ts';

/** A query compiled against one user's view of the org, ready to run. */
export interface Compiled {
  root: ObjectDef;
  select: FieldPath[] | 'count';
  where?: CompiledWhere;
  keys: SortKey[];
  offset?: number;
  limit?: number;
  /** The fields the query names, canonical spelling (the request log's fieldsRead). */
  read: string[];
  /** What the compile asked the context for: object name as asked → the view it got. */
  objects: ReadonlyMap<string, ObjectDef | undefined>;
  /** Shapes a row when the SELECT list names no parent field (plans make one; a one-off compile does without). */
  flat?: FlatRowShaper;
}

/** One value of a condition: written in the shape's text, or the shape's literal number `slot`. */
type ValuePlan =
  | { fixed: string; type: string; n: number | undefined }
  | { slot: number; type: string; /** 'LAST_N_DAYS:' before a date literal's n */ prefix?: string };

interface CondPlan {
  path: FieldPath;
  op: string;
  kind: Kind;
  /** The values in order, or a whole IN / INCLUDES list that is the shape's literal number `list`. */
  values: ValuePlan[] | { list: number; type: string };
}

interface Plan {
  /** Everything but the WHERE, which is bound anew each time. */
  compiled: Omit<Compiled, 'where'>;
  /** The WHERE tree of the compile (its leaves are rebuilt, in order, from `conds`). */
  tree?: Node;
  conds: CondPlan[];
  /** A relative date literal (TODAY, LAST_N_DAYS:n) is in the WHERE: a bound tree holds for one instant only. */
  timed: boolean;
  /** The last tree bound, and for which shape (the same text repeated, as an idle poll is, reuses it). */
  last?: { shape: Shape; tree: Node };
  /** Object name as the compile asked for it → the signature of the view it got (undefined: no such object). */
  objects: Array<[string, string | undefined]>;
}

/** The parser's literalType for each class of literal the scan finds. */
const TYPE_OF: Record<LiteralClass, string> = {
  S: 'STRING', T: 'DATETIME', A: 'DATE', E: 'DECIMAL', D: 'DECIMAL', J: 'INTEGER', I: 'INTEGER', N: 'DATE_N_LITERAL',
};
/** Literal types always written as a literal the scan finds (the others are words: NULL, TRUE, TODAY, USD5.00). */
const SCANNED_TYPES = new Set(['STRING', 'DATETIME', 'DATE', 'DECIMAL', 'INTEGER']);

/** Shapes kept, and plans per shape (one per view of the org: users, schema versions, worlds). */
const PLANS_KEPT = 500;
const VARIANTS_KEPT = 4;
const plans = new Map<string, Plan[]>();
const stats = { hits: 0, learned: 0 };

/** How often a query was answered from a plan, and how many plans were made (for tests and benches). */
export function planStats(): { hits: number; learned: number; shapes: number } {
  return { ...stats, shapes: plans.size };
}

/** The compiled query for `shape` bound to its literals, when a plan fits this context and every literal binds. */
export function boundPlan(shape: Shape, ctx: QueryContext): Compiled | undefined {
  const variants = plans.get(shape.key);
  if (!variants) return undefined;
  for (const plan of variants) {
    if (!plan.objects.every(([name, sig]) => signature(ctx.object(name)) === sig)) continue;
    const bound = bind(plan, shape, ctx);
    if (bound) stats.hits++;
    return bound;
  }
  return undefined;
}

/** Keeps a plan of `compiled` for its shape, if its WHERE values line up with the shape's literals. */
export function learnPlan(shape: Shape, compiled: Compiled): void {
  const plan = planOf(shape, compiled);
  if (!plan) return;
  stats.learned++;
  const same = (p: Plan): boolean =>
    p.objects.length === plan.objects.length && p.objects.every(([name, def], i) => plan.objects[i]![0] === name && plan.objects[i]![1] === def);
  const variants = (plans.get(shape.key) ?? []).filter((p) => !same(p));
  variants.unshift(plan);
  if (variants.length > VARIANTS_KEPT) variants.length = VARIANTS_KEPT;
  if (!plans.has(shape.key) && plans.size >= PLANS_KEPT) plans.clear();
  plans.set(shape.key, variants);
}

/** Forgets every plan (tests). */
export function clearPlans(): void {
  plans.clear();
}

function planOf(shape: Shape, compiled: Compiled): Plan | undefined {
  const { where, ...rest } = compiled;
  const conds: CondPlan[] = [];
  let k = 0;
  const image = (i: number): string | undefined => {
    const v = shape.literals[i];
    return typeof v === 'string' ? v : undefined;
  };
  const lineUp = (node: Node): boolean => {
    if (node.kind === 'not') return lineUp(node.child);
    if (node.kind !== 'cond') return node.children.every(lineUp);
    const { c, leaf } = node;
    if (!leaf) return false;
    const { values, types, vars } = conditionValues(c);
    const base = { path: leaf.path, op: leaf.op, kind: kindOf(leaf.path.leaf.type) };
    const list = shape.literals[k];
    if (Array.isArray(list)) {
      const type = TYPE_OF[shape.classes[k]!];
      if (!Array.isArray(c.value) || list.length !== values.length) return false;
      if (!values.every((v, i) => v === list[i] && (types[i] ?? types[0]) === type)) return false;
      conds.push({ ...base, values: { list: k++, type } });
      return true;
    }
    const planned: ValuePlan[] = [];
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      const type = types[i] ?? types[0]!;
      if (SCANNED_TYPES.has(type)) {
        if (image(k) !== value || TYPE_OF[shape.classes[k]!] !== type) return false;
        planned.push({ slot: k++, type });
      } else if (type === 'DATE_N_LITERAL' && !value.endsWith(':0')) {
        const colon = value.indexOf(':');
        const n = image(k);
        if (shape.classes[k] !== 'N' || n === undefined || value.slice(colon + 1) !== n || vars[i] !== Number(n)) return false;
        planned.push({ slot: k++, type, prefix: value.slice(0, colon + 1) });
      } else {
        planned.push({ fixed: value, type, n: vars[i] });
      }
    }
    conds.push({ ...base, values: planned });
    return true;
  };
  if (where && !lineUp(where.tree)) return undefined;
  if (k !== shape.literals.length) return undefined;
  const { select, root } = rest;
  const flat = select !== 'count' && select.every((p) => p.hops.length === 0) ? flatRowShaper(root.name, select.map((p) => p.leaf.name)) : undefined;
  const objects = [...compiled.objects].map(([name, def]): [string, string | undefined] => [name, signature(def)]);
  const timed = conds.some((c) => Array.isArray(c.values) && c.values.some((v) => v.type === 'DATE_LITERAL' || v.type === 'DATE_N_LITERAL'));
  return { compiled: { ...rest, ...(flat ? { flat } : {}) }, tree: where?.tree, conds, timed, objects };
}

/**
 * Everything a compile reads from a view of an object, in the order it reads it. The org makes a new view when
 * the schema or the user's field permissions change and never changes one it handed out, so a view's signature
 * is worked out once.
 */
const signatures = new WeakMap<ObjectDef, string>();
function signature(def: ObjectDef | undefined): string | undefined {
  if (!def) return undefined;
  let sig = signatures.get(def);
  if (sig === undefined) {
    sig = def.name;
    for (const [key, f] of def.fields) {
      sig += `\n${key}\t${f.name}\t${f.type}\t${f.filterable}\t${f.sortable}\t${f.relationshipName}\t${f.referenceTo.join(',')}`;
    }
    signatures.set(def, sig);
  }
  return sig;
}

/** The plan with this shape's literals typed and bound; undefined when one does not bind (the compile gives the error). */
function bind(plan: Plan, shape: Shape, ctx: QueryContext): Compiled | undefined {
  if (!plan.tree) return { ...plan.compiled };
  // A bound tree reads nothing from the context (its leaves test values), so the same shape object (the same
  // text: shapes are kept by text) binds to the same tree, unless a literal is relative to now.
  if (plan.last?.shape === shape && !plan.timed) return { ...plan.compiled, where: finishWhere(plan.last.tree, ctx) };
  let tree: Node;
  try {
    tree = rebuild(plan.tree, { plan, shape, ctx, next: 0 });
  } catch {
    return undefined;
  }
  plan.last = { shape, tree };
  return { ...plan.compiled, where: finishWhere(tree, ctx) };
}

interface Binding {
  plan: Plan;
  shape: Shape;
  ctx: QueryContext;
  /** The next condition of `plan.conds` (conditions are met in the order the plan was made in). */
  next: number;
}

// Plain functions rather than closures: this runs for every query of a known shape.
function rebuild(node: Node, b: Binding): Node {
  switch (node.kind) {
    case 'and':
    case 'or':
      return { kind: node.kind, children: node.children.map((child) => rebuild(child, b)) };
    case 'not':
      return { kind: 'not', child: rebuild(node.child, b) };
    case 'cond': {
      const cond = b.plan.conds[b.next++]!;
      const lits = literals(cond, b.shape, b.ctx);
      const test = leafTest(cond.kind, cond.op, lits)!;
      return { kind: 'cond', c: node.c, leaf: { path: cond.path, op: cond.op, lits, test } };
    }
  }
}

function literals(cond: CondPlan, shape: Shape, ctx: QueryContext): Lit[] {
  const where = { soql: '', at: 0, ctx, field: cond.path.leaf.name };
  const out: Lit[] = [];
  if (!Array.isArray(cond.values)) {
    const { list, type } = cond.values;
    for (const value of shape.literals[list] as string[]) out.push(typed(cond, where, type, value, undefined));
    return out;
  }
  for (const v of cond.values) {
    if ('fixed' in v) out.push(typed(cond, where, v.type, v.fixed, v.n));
    else {
      const image = shape.literals[v.slot] as string;
      out.push(v.prefix === undefined ? typed(cond, where, v.type, image, undefined) : typed(cond, where, v.type, v.prefix + image, Number(image)));
    }
  }
  return out;
}

/** As the compile types a literal: NULL is null, the rest by the field's kind (throws what the compile throws). */
function typed(cond: CondPlan, where: Parameters<typeof literal>[5], type: string, value: string, n: number | undefined): Lit {
  return type === 'NULL' ? null : literal(cond.kind, type, value, n, cond.op, where);
}
