import type { WhereClause } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, QueryContext, SfRecord } from '../types.ts';
import { positioned, type QueryError } from './errors.ts';
import { PathError, readPath, resolvePath, type FieldPath } from './fields.ts';
import { clauseStart, findWord, type Token } from './lexer.ts';
import type { Parsed } from './parse.ts';
import {
  apiDateTime, compareValues, dateLiteralRange, decodeString, isValidDate, kindOf, likeRegex, normalize,
  parseDateTimeText, soapTypeWord, type Kind,
} from './values.ts';

type Norm = string | number | boolean;
/** A literal: a point (`hi` undefined) or a half-open range [lo, hi) for date literals; null is NULL. */
export type Lit = { lo: Norm; hi?: Norm; raw: string } | null;

/** The rebuilt boolean tree. */
export type Node =
  | { kind: 'and' | 'or'; children: Node[] }
  | { kind: 'not'; child: Node }
  | { kind: 'cond'; c: Record<string, unknown>; leaf?: Leaf };

export interface Leaf {
  path: FieldPath;
  op: string;
  lits: Lit[];
  test(v: unknown): boolean;
}

export interface CompiledWhere {
  tree: Node;
  test(record: SfRecord): boolean;
  /** A top-level `SystemModstamp > X` / `>= X` in an AND chain: the index can answer it. */
  modstamp?: { op: '>' | '>='; value: string };
}

type Tok =
  | { t: '(' | ')' }
  | { t: 'AND' | 'OR' | 'NOT'; at: number }
  | { t: 'cond'; c: Record<string, unknown> };

/** Everything the compiler needs from the query around it. */
export interface WhereScope {
  parsed: Parsed;
  ctx: QueryContext;
  root: ObjectDef;
  alias?: string;
  /** Records each field as it is named (canonical, or as written when unknown). */
  named(name: string): void;
}

/**
 * Step 1, syntax: rebuild the grouping (MALFORMED_QUERY comes before any
 * field check, as in Salesforce, which parses before it resolves names).
 */
export function whereTree(where: WhereClause, parsed: Parsed): Node {
  const whereAt = clauseStart(parsed.tokens, 'WHERE') ?? 0;
  const endAt = Math.min(
    ...['ORDER', 'GROUP', 'LIMIT', 'OFFSET', 'WITH', 'FOR'].map((k) => clauseStart(parsed.tokens, k) ?? Infinity),
  );
  const toks = flatten(where, logicalTokens(parsed.tokens, whereAt, endAt));
  return new TreeParser(toks, parsed.soql).parse();
}

/** Step 2, names and types: resolve every condition's field and literals, in text order. */
export function compileWhere(tree: Node, scope: WhereScope): CompiledWhere {
  let searchFrom = clauseStart(scope.parsed.tokens, 'WHERE') ?? 0;
  const bind = (n: Node): void => {
    if (n.kind === 'cond') {
      const { leaf, at } = compileLeaf(n.c, scope, searchFrom);
      n.leaf = leaf;
      searchFrom = at + 1; // conditions appear in text order: the next one starts after this field
    } else if (n.kind === 'not') bind(n.child);
    else n.children.forEach(bind);
  };
  bind(tree);
  return finishWhere(tree, scope.ctx);
}

/** A tree whose every condition has its leaf, made ready to run. */
export function finishWhere(tree: Node, ctx: QueryContext): CompiledWhere {
  return {
    tree,
    test: (record) => evaluate(tree, record, ctx),
    modstamp: modstampBound(tree),
  };
}

function logicalTokens(tokens: Token[], from: number, to: number): number[] {
  const out: number[] = [];
  tokens.forEach((t, i) => {
    if (t.start <= from || t.start >= to || t.kind !== 'word') return;
    const w = t.image.toUpperCase();
    if (w === 'AND' || w === 'OR') out.push(t.start);
    else if (w === 'NOT' && tokens[i + 1]?.image.toUpperCase() !== 'IN') out.push(t.start);
  });
  return out;
}

/** The parser's right-leaning chain, with its paren counters, back into a token stream. */
function flatten(where: WhereClause, logical: number[]): Tok[] {
  const out: Tok[] = [];
  let k = 0;
  const at = (): number => logical[k++] ?? 0;
  let node: WhereClause | undefined = where;
  while (node) {
    const n = node as { left: Record<string, unknown> | null; operator?: string; right?: WhereClause };
    const left = n.left;
    const isCondition = left !== null && ('field' in left || 'fn' in left);
    if (n.operator === 'NOT' && !isCondition) {
      for (let i = 0; i < Number(left?.openParen ?? 0); i++) out.push({ t: '(' });
      out.push({ t: 'NOT', at: at() });
    } else if (left) {
      for (let i = 0; i < Number(left.openParen ?? 0); i++) out.push({ t: '(' });
      out.push({ t: 'cond', c: left });
      for (let i = 0; i < Number(left.closeParen ?? 0); i++) out.push({ t: ')' });
      if (n.operator === 'AND' || n.operator === 'OR') out.push({ t: n.operator, at: at() });
    }
    node = n.right;
  }
  return out;
}

/**
 * AND and OR at one level without parentheses are ambiguous; Salesforce
 * rejects them as MALFORMED_QUERY (reference §6.4 marks this UNCONFIRMED; we
 * reject too, pointing at the operator that switches). NOT binds to the
 * condition or parenthesised group right after it.
 */
class TreeParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly soql: string,
  ) {}

  parse(): Node {
    return this.expr();
  }

  private expr(): Node {
    const items = [this.unary()];
    let op: 'AND' | 'OR' | undefined;
    for (let tok = this.toks[this.i]; tok && (tok.t === 'AND' || tok.t === 'OR'); tok = this.toks[this.i]) {
      this.i++;
      if (op && tok.t !== op) throw positioned('MALFORMED_QUERY', this.soql, tok.at, `unexpected token: '${tok.t}'`);
      op = tok.t;
      items.push(this.unary());
    }
    return op ? { kind: op === 'AND' ? 'and' : 'or', children: items } : items[0]!;
  }

  private unary(): Node {
    const tok = this.toks[this.i++];
    if (!tok) throw positioned('MALFORMED_QUERY', this.soql, this.soql.trimEnd().length, 'unexpected token: <EOF>');
    if (tok.t === 'NOT') return { kind: 'not', child: this.unary() };
    if (tok.t === '(') {
      const inner = this.expr();
      this.i++; // the matching ')': the parser has already checked the balance
      return inner;
    }
    if (tok.t === 'cond') return { kind: 'cond', c: tok.c };
    const at = 'at' in tok ? tok.at : 0;
    throw positioned('MALFORMED_QUERY', this.soql, at, `unexpected token: '${tok.t}'`);
  }
}

function evaluate(node: Node, record: SfRecord, ctx: QueryContext): boolean {
  switch (node.kind) {
    case 'and':
      return node.children.every((c) => evaluate(c, record, ctx));
    case 'or':
      return node.children.some((c) => evaluate(c, record, ctx));
    case 'not':
      return !evaluate(node.child, record, ctx);
    case 'cond':
      return node.leaf!.test(readPath(ctx, record, node.leaf!.path));
  }
}

/** Bounds by tree: a compiled tree never changes, and a plan hands the same one out for a repeated text. */
const bounds = new WeakMap<Node, { bound: CompiledWhere['modstamp'] }>();

function modstampBound(tree: Node): CompiledWhere['modstamp'] {
  let known = bounds.get(tree);
  if (!known) bounds.set(tree, (known = { bound: findModstampBound(tree) }));
  return known.bound;
}

function findModstampBound(tree: Node): CompiledWhere['modstamp'] {
  const leaves = tree.kind === 'and' ? tree.children : [tree];
  let best: CompiledWhere['modstamp'];
  for (const n of leaves) {
    if (n.kind !== 'cond' || !n.leaf) continue;
    const { path, op, lits } = n.leaf;
    if (path.hops.length || path.leaf.name !== 'SystemModstamp' || (op !== '>' && op !== '>=')) continue;
    const lit = lits[0];
    if (!lit || lit.hi !== undefined || typeof lit.lo !== 'number') continue;
    const value = apiDateTime(lit.lo);
    if (!best || value > best.value || (value === best.value && op === '>')) best = { op, value };
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// One condition: resolve the field, type-check the literals, build the test.

const ID_RE = /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/;

const ACCEPTS: Record<Kind, string[]> = {
  string: ['STRING'],
  id: ['STRING'],
  number: ['INTEGER', 'DECIMAL'],
  boolean: ['BOOLEAN'],
  date: ['DATE', 'DATE_LITERAL', 'DATE_N_LITERAL'],
  datetime: ['DATETIME', 'DATE_LITERAL', 'DATE_N_LITERAL'],
};

function compileLeaf(c: Record<string, unknown>, scope: WhereScope, whereAt: number): { leaf: Leaf; at: number } {
  const { parsed, ctx, root, alias } = scope;
  const { soql, tokens } = parsed;
  if (!('field' in c) || c.literalType === 'SUBQUERY' || 'valueQuery' in c) {
    const at = typeof c.field === 'string' ? (findWord(tokens, c.field, whereAt) ?? whereAt) : whereAt;
    throw positioned('MALFORMED_QUERY', soql, at,
      'functions and semi-join subqueries in WHERE are not supported by this emulator');
  }
  const raw = String(c.field);
  const fieldAt = findWord(tokens, raw, whereAt) ?? whereAt;
  const path = resolvePath(ctx, root, raw, alias);
  if (path instanceof PathError) {
    scope.named(raw);
    throw positioned('INVALID_FIELD', soql, fieldAt, path.text);
  }
  scope.named(path.canonical);
  const f = path.leaf;
  if (!f.filterable) {
    throw positioned('INVALID_FIELD', soql, fieldAt, `field '${f.name}' can not be filtered in query call`);
  }
  const kind = kindOf(f.type);
  const op = String(c.operator);
  const badOp = (): QueryError =>
    // UNCONFIRMED wording; the code is the one Salesforce uses for operators a field type does not allow.
    positioned('INVALID_QUERY_FILTER_OPERATOR', soql, fieldAt, `invalid operator on field '${f.name}'`);
  if (op === 'LIKE' && kind !== 'string') throw badOp();
  if (['<', '<=', '>', '>='].includes(op) && kind === 'boolean') throw badOp();
  if ((op === 'INCLUDES' || op === 'EXCLUDES') && f.type !== 'multipicklist') throw badOp();

  const { values, types, vars } = conditionValues(c);
  const lits: Lit[] = values.map((value, i) => {
    const type = types[i] ?? types[0]!;
    const at = findWord(tokens, value, fieldAt) ?? fieldAt;
    if (type === 'NULL') return null;
    if (!ACCEPTS[kind].includes(type)) {
      const quoted = kind === 'string' || kind === 'id';
      throw positioned('INVALID_FIELD', soql, at,
        `value of filter criterion for field '${f.name}' must be of type ${soapTypeWord(f)} and should ${quoted ? '' : 'not '}be enclosed in quotes`);
    }
    return literal(kind, type, value, vars[i], op, { soql, at, ctx, field: f.name });
  });

  const test = leafTest(kind, op, lits);
  if (!test) throw badOp();
  return { leaf: { path, op, lits, test }, at: fieldAt };
}

/** A condition's values, literal types and date-literal variables, one per value (as the compile reads them). */
export function conditionValues(c: Record<string, unknown>): { values: string[]; types: string[]; vars: Array<number | undefined> } {
  const values = Array.isArray(c.value) ? (c.value as string[]) : [String(c.value)];
  const types = Array.isArray(c.literalType) ? (c.literalType as string[]) : values.map(() => String(c.literalType));
  const vars = Array.isArray(c.dateLiteralVariable) ? (c.dateLiteralVariable as number[]) : values.map(() => c.dateLiteralVariable as number | undefined);
  return { values, types, vars };
}

/**
 * A condition's test of a stored value, from its field's kind, operator and typed literals; undefined for an
 * operator this emulator does not know.
 */
export function leafTest(kind: Kind, op: string, lits: Lit[]): ((v: unknown) => boolean) | undefined {
  const point = (v: Norm, l: NonNullable<Lit>): number => compareValues(kind, v, l.lo);
  const matches = (v: Norm, l: NonNullable<Lit>): boolean =>
    l.hi === undefined ? point(v, l) === 0 : point(v, l) >= 0 && compareValues(kind, v, l.hi) < 0;
  const inList = (v: Norm | null): boolean => lits.some((l) => (l === null ? v === null : v !== null && matches(v, l)));
  const lit = lits[0] ?? null;

  let test: (v: Norm | null) => boolean;
  switch (op) {
    case '=':
      test = (v) => (lit === null ? v === null : v !== null && matches(v, lit));
      break;
    case '!=':
    case '<>':
      // Unlike SQL, SOQL's != matches rows whose value is null.
      test = (v) => (lit === null ? v !== null : v === null || !matches(v, lit));
      break;
    case '<':
      test = (v) => v !== null && lit !== null && point(v, lit) < 0;
      break;
    case '<=':
      test = (v) => v !== null && lit !== null && (lit.hi === undefined ? point(v, lit) <= 0 : compareValues(kind, v, lit.hi) < 0);
      break;
    case '>':
      test = (v) => v !== null && lit !== null && (lit.hi === undefined ? point(v, lit) > 0 : compareValues(kind, v, lit.hi) >= 0);
      break;
    case '>=':
      test = (v) => v !== null && lit !== null && point(v, lit) >= 0;
      break;
    case 'LIKE': {
      const re = lit === null ? undefined : likeRegex(String(lit.lo));
      test = (v) => v !== null && re !== undefined && re.test(String(v));
      break;
    }
    case 'IN':
      test = inList;
      break;
    case 'NOT IN':
      test = (v) => !inList(v);
      break;
    case 'INCLUDES':
    case 'EXCLUDES': {
      const sets = lits.map((l) => (l === null ? [] : String(l.lo).split(';').map((s) => s.trim().toLowerCase())));
      const includes = (v: Norm | null): boolean => {
        if (v === null) return false;
        const have = new Set(String(v).split(';').map((s) => s.trim().toLowerCase()));
        return sets.some((want) => want.length > 0 && want.every((w) => have.has(w)));
      };
      test = op === 'INCLUDES' ? includes : (v) => !includes(v);
      break;
    }
    default:
      return undefined;
  }
  return (v) => test(normalize(kind, v));
}

/** One literal as a typed value (a point, a day range, or NULL's null); Salesforce's error when the text is not one. */
export function literal(
  kind: Kind, type: string, value: string, n: number | undefined, op: string,
  where: { soql: string; at: number; ctx: QueryContext; field: string },
): Lit {
  const fail = (text: string): QueryError => positioned('MALFORMED_QUERY', where.soql, where.at, text);
  switch (type) {
    case 'STRING': {
      const s = decodeString(value, op === 'LIKE');
      if (kind === 'id' && op !== 'LIKE' && !ID_RE.test(s)) {
        throw positioned('INVALID_QUERY_FILTER_OPERATOR', where.soql, where.at, `invalid ID field: ${s}`);
      }
      return { lo: s, raw: value };
    }
    case 'INTEGER':
    case 'DECIMAL':
      return { lo: Number(value), raw: value };
    case 'BOOLEAN':
      return { lo: value.toUpperCase() === 'TRUE', raw: value };
    case 'DATE':
      // UNCONFIRMED: the exact text Salesforce gives for an impossible calendar date.
      if (!isValidDate(value)) throw fail(`invalid date: ${value}`);
      return { lo: value, raw: value };
    case 'DATETIME': {
      const ms = parseDateTimeText(value);
      if (ms === undefined) throw fail(`invalid datetime: ${value}`);
      return { lo: ms, raw: value };
    }
    case 'DATE_LITERAL':
    case 'DATE_N_LITERAL': {
      const [name, count] = value.split(':') as [string, string | undefined];
      // The parser drops a variable of 0 (LAST_N_DAYS:0 comes with none): read it from the text.
      const range = dateLiteralRange(name, n ?? (count === undefined ? undefined : Number(count)), where.ctx.now());
      if (!range) throw fail(`date literal ${name} is not supported by this emulator`);
      return kind === 'datetime'
        ? { lo: range.start, hi: range.end, raw: value }
        : { lo: range.startDate, hi: range.endDate, raw: value };
    }
    default:
      throw fail(`literal ${value} is not supported by this emulator`);
  }
}

