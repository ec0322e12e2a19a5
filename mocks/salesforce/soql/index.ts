/**
 * The SOQL engine of the Salesforce emulator: SOQL text + one user's view of
 * the org → the matching rows, in the REST API's record shape. Paging is the
 * HTTP layer's job; this returns every row after ORDER BY / OFFSET / LIMIT.
 */
import type { FieldType as ParsedField, OrderByClause, Query } from '@jetstreamapp/soql-parser-js';
import type { ObjectDef, QueryContext, SfRecord } from '../types.ts';
import { plain, positioned, QueryError, unsupportedType } from './errors.ts';
import { PathError, resolvePath, type FieldPath } from './fields.ts';
import { clauseStart, findWord } from './lexer.ts';
import { sortRecords, type SortKey } from './order.ts';
import { parseFresh, parseSoql, type Parsed } from './parse.ts';
import { rowTexts } from './flat-rows.ts';
import { boundPlan, learnPlan, type Compiled } from './plan.ts';
import { queryShape } from './shape.ts';
import { compileWhere, whereTree, type CompiledWhere } from './where.ts';

export { QueryError } from './errors.ts';

export interface QueryOutput {
  totalSize: number;
  /** Every row in the REST shape (shaped on first use; the HTTP layer shapes page by page with `slice`). */
  readonly records: Array<Record<string, unknown>>;
  /** Rows `from` to `to` (exclusive) in the REST shape, with the values they had when the query ran. */
  slice(from: number, to?: number): Array<Record<string, unknown>>;
  /** `JSON.stringify(slice(from, to))`, where it can be written without shaping the rows again (flat SELECT lists). */
  sliceText?(from: number, to?: number): string;
  /** How many rows `slice` serves (0 for COUNT(), whose answer is `totalSize` alone). */
  size: number;
  /** Canonical names of every field the query names (SELECT, WHERE, ORDER BY), e.g. 'Email', 'Owner.Name'. */
  fieldsRead: string[];
  /** The queried object, canonical spelling. */
  object: string;
}

export interface QueryOptions {
  /** queryAll: include recycle-bin (IsDeleted) rows. */
  includeDeleted: boolean;
  /** e.g. '59.0', for the records' attributes.url. */
  apiVersion: string;
}

/** Salesforce caps OFFSET at 2,000 rows. */
export const MAX_OFFSET = 2000;

/**
 * Runs one SOQL query. Throws `QueryError` (a `SalesforceError`, HTTP 400) with
 * Salesforce's codes and message layout; its `fieldsRead` lists the fields the
 * query named even when it failed.
 *
 * A query of a shape compiled before for the same view of the org (plan.ts) is
 * not parsed or compiled again: its literals are bound to the plan. Anything
 * the plan cannot bind (a malformed id, an impossible date) goes the long way,
 * which gives the error.
 */
export function runQuery(soql: string, ctx: QueryContext, opts: QueryOptions): QueryOutput {
  const shape = queryShape(soql);
  const planned = shape ? boundPlan(shape, ctx) : undefined;
  if (planned) return run(planned, ctx, opts);
  const compiled = compileQuery(soql, ctx, parseSoql);
  if (shape) learnPlan(shape, compiled);
  return run(compiled, ctx, opts);
}

/**
 * The same answer the long way, without any cache: parsed afresh and compiled. The reference the caches are
 * tested against; not for production use (it is several times slower).
 */
export function runQueryAfresh(soql: string, ctx: QueryContext, opts: QueryOptions): QueryOutput {
  return run(compileQuery(soql, ctx, (text) => parseFresh(text)), ctx, opts);
}

/** Parses and compiles `soql` against one user's view of the org; every failure is a positioned `QueryError`. */
function compileQuery(soql: string, ctx: QueryContext, parse: (soql: string) => Parsed): Compiled {
  const read: string[] = [];
  const seen = new Set<string>();
  const named = (name: string): void => {
    const key = name.toLowerCase();
    if (seen.has(key)) return;
    seen.add(key);
    read.push(name);
  };
  // The objects the compile looked at, so a plan made from it is reused only while they stay the same.
  const objects = new Map<string, ObjectDef | undefined>();
  const watched: QueryContext = {
    object: (name) => {
      const def = ctx.object(name);
      objects.set(name, def);
      return def;
    },
    access: (object, field) => ctx.access(object, field),
    scan: (object, o) => ctx.scan(object, o),
    get: (id) => ctx.get(id),
    now: () => ctx.now(),
  };
  let parsed: Parsed | undefined;
  try {
    parsed = parse(soql);
    return compile(parsed, watched, named, read, objects);
  } catch (e) {
    if (e instanceof QueryError) {
      if (parsed) for (const raw of rawFieldNames(parsed.query)) named(raw);
      if (parsed && parsed.query.sObject) e.object = parsed.query.sObject;
      e.fieldsRead = [...read];
    }
    throw e;
  }
}

function compile(
  parsed: Parsed, ctx: QueryContext, named: (name: string) => void, read: string[],
  objects: ReadonlyMap<string, ObjectDef | undefined>,
): Compiled {
  const { query: q, soql, tokens } = parsed;
  rejectUnsupported(parsed);
  const tree = q.where ? whereTree(q.where, parsed) : undefined;

  const fromAt = clauseStart(tokens, 'FROM') ?? 0;
  const root = ctx.object(q.sObject ?? '');
  if (!root) throw positioned('INVALID_TYPE', soql, findWord(tokens, q.sObject ?? '', fromAt) ?? fromAt, unsupportedType(q.sObject ?? ''));
  const alias = q.sObjectAlias;

  const select = selectList(parsed, ctx, root, named);
  const where: CompiledWhere | undefined = tree ? compileWhere(tree, { parsed, ctx, root, alias, named }) : undefined;
  const keys = orderKeys(parsed, ctx, root, named);
  if (q.offset !== undefined && q.offset > MAX_OFFSET) {
    throw plain('NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
  }
  return { root, select, where, keys, offset: q.offset, limit: q.limit, read, objects };
}

/** Runs a compiled query: scan, filter, order, page, and shape rows on demand. */
function run(compiled: Compiled, ctx: QueryContext, opts: QueryOptions): QueryOutput {
  const { root, select, where, keys, offset, limit, read } = compiled;
  const rows: SfRecord[] = [];
  const scan = ctx.scan(root.name, { includeDeleted: opts.includeDeleted, ...(where?.modstamp ? { modstamp: where.modstamp } : {}) });
  for (const record of scan) {
    // A plain query never shows the recycle bin, whatever the WHERE says.
    if (!opts.includeDeleted && record.IsDeleted === true) continue;
    if (where && !where.test(record)) continue;
    rows.push(record);
  }
  const sorted = rows.length > 1 ? sortRecords(rows, keys, ctx) : rows;
  const start = offset ?? 0;
  const page = start === 0 && limit === undefined ? sorted : sorted.slice(start, limit === undefined ? undefined : start + limit);

  if (select === 'count') return { totalSize: page.length, records: [], slice: () => [], size: 0, fieldsRead: [...read], object: root.name };
  // A page is shaped when it is asked for, so an open cursor holds references to stored rows, not a shaped copy of
  // every row (100,000 rows: ~150 MB). Stored rows are frozen and a save replaces them, so a row shaped later still
  // shows the values it had when the query ran; parent fields are read from other rows, so those are shaped now.
  let slice: (from: number, to?: number) => Array<Record<string, unknown>>;
  let sliceText: ((from: number, to?: number) => string) | undefined;
  const { flat } = compiled;
  if (flat) {
    const url = `/services/data/v${opts.apiVersion}/sobjects/${root.name}/`;
    slice = (from, to) => page.slice(from, to).map((r) => flat(r, url + String(r.Id)));
    // A stored row's text is written once (flat-rows.ts rowTexts); an array's JSON is its items' joined by commas.
    sliceText = (from, to) => `[${page.slice(from, to).map(rowTexts(flat, url)).join(',')}]`;
  } else {
    const shape = new RecordShaper(ctx, opts.apiVersion);
    const eager = select.some((p) => p.hops.length > 0) ? page.map((r) => shape.record(root.name, r, select)) : undefined;
    slice = (from, to) => eager?.slice(from, to) ?? page.slice(from, to).map((r) => shape.record(root.name, r, select));
  }
  let all: Array<Record<string, unknown>> | undefined;
  return {
    totalSize: page.length,
    get records() {
      return (all ??= slice(0));
    },
    slice,
    ...(sliceText ? { sliceText } : {}),
    size: page.length,
    fieldsRead: [...read],
    object: root.name,
  };
}

function rejectUnsupported({ query: q, soql, tokens }: Parsed): void {
  const unsupported = (what: string, keyword: string): QueryError =>
    positioned('MALFORMED_QUERY', soql, clauseStart(tokens, keyword) ?? 0, `${what} is not supported by this emulator`);
  if (q.groupBy) throw unsupported('GROUP BY', 'GROUP');
  if (q.having) throw unsupported('HAVING', 'HAVING');
  if (q.usingScope) throw unsupported('USING SCOPE', 'USING');
  if (q.withDataCategory) throw unsupported('WITH DATA CATEGORY', 'WITH');
  if (q.for || q.update) throw unsupported('FOR VIEW / FOR REFERENCE / FOR UPDATE / UPDATE TRACKING', q.for ? 'FOR' : 'UPDATE');
}

function selectList(
  parsed: Parsed, ctx: QueryContext, root: ObjectDef, named: (name: string) => void,
): FieldPath[] | 'count' {
  const { query: q, soql, tokens } = parsed;
  const fields = q.fields ?? [];
  let from = clauseStart(tokens, 'SELECT') ?? 0;
  const isCount = (f: ParsedField): boolean =>
    f.type === 'FieldFunctionExpression' && f.functionName.toUpperCase() === 'COUNT' && f.parameters.length === 0;
  if (fields.some(isCount)) {
    if (fields.length > 1) {
      // UNCONFIRMED text; Salesforce refuses COUNT() next to other fields.
      throw positioned('MALFORMED_QUERY', soql, findWord(tokens, 'COUNT', from) ?? from,
        'COUNT() must be the only element in the SELECT list');
    }
    return 'count';
  }
  const out: FieldPath[] = [];
  for (const f of fields) {
    let raw: string;
    if (f.type === 'Field') raw = 'rawValue' in f && typeof f.rawValue === 'string' ? f.rawValue : f.field;
    else if (f.type === 'FieldRelationship') raw = f.rawValue ?? [...f.relationships, f.field].join('.');
    else {
      const what = f.type === 'FieldFunctionExpression' ? `${f.functionName}()` : f.type === 'FieldSubquery' ? 'a child subquery' : 'TYPEOF';
      throw positioned('MALFORMED_QUERY', soql, from, `${what} in SELECT is not supported by this emulator`);
    }
    const at = findWord(tokens, raw, from) ?? from;
    const path = resolvePath(ctx, root, raw, q.sObjectAlias);
    if (path instanceof PathError) {
      named(raw);
      throw positioned('INVALID_FIELD', soql, at, path.text);
    }
    if (out.some((p) => p.canonical.toLowerCase() === path.canonical.toLowerCase())) {
      named(path.canonical);
      throw plain('INVALID_FIELD', `duplicate field selected: ${path.canonical}`);
    }
    named(path.canonical);
    out.push(path);
    from = at + 1;
  }
  return out;
}

function orderKeys(parsed: Parsed, ctx: QueryContext, root: ObjectDef, named: (name: string) => void): SortKey[] {
  const { query: q, soql, tokens } = parsed;
  if (!q.orderBy) return [];
  const clauses: OrderByClause[] = Array.isArray(q.orderBy) ? q.orderBy : [q.orderBy];
  let from = clauseStart(tokens, 'ORDER') ?? 0;
  return clauses.map((c) => {
    if (!('field' in c)) throw positioned('MALFORMED_QUERY', soql, from, 'ORDER BY a function is not supported by this emulator');
    const at = findWord(tokens, c.field, from) ?? from;
    const path = resolvePath(ctx, root, c.field, q.sObjectAlias);
    if (path instanceof PathError) {
      named(c.field);
      throw positioned('INVALID_FIELD', soql, at, path.text);
    }
    named(path.canonical);
    if (!path.leaf.sortable) {
      throw positioned('INVALID_FIELD', soql, at, `field '${path.leaf.name}' can not be sorted in a query call`);
    }
    from = at + 1;
    const desc = c.order === 'DESC';
    return { path, desc, nullsFirst: c.nulls ? c.nulls === 'FIRST' : !desc };
  });
}

/** Field names as written anywhere in the query (for the request log when the query fails). */
function rawFieldNames(q: Query): string[] {
  const out: string[] = [];
  for (const f of q.fields ?? []) {
    if (f.type === 'Field') out.push(f.field);
    else if (f.type === 'FieldRelationship') out.push(f.rawValue ?? [...f.relationships, f.field].join('.'));
  }
  const walk = (w: unknown): void => {
    if (!w || typeof w !== 'object') return;
    const node = w as { left?: { field?: unknown } | null; right?: unknown };
    if (typeof node.left?.field === 'string') out.push(node.left.field);
    walk(node.right);
  };
  walk(q.where);
  const order = q.orderBy ? (Array.isArray(q.orderBy) ? q.orderBy : [q.orderBy]) : [];
  for (const c of order) if ('field' in c) out.push(c.field);
  const alias = q.sObjectAlias?.toLowerCase();
  return out.map((n) => (alias && n.toLowerCase().startsWith(`${alias}.`) ? n.slice(alias.length + 1) : n));
}

/** Builds records in the REST shape: attributes first, then fields in SELECT order, parents nested. */
class RecordShaper {
  private readonly source = new WeakMap<object, SfRecord>();
  constructor(
    private readonly ctx: QueryContext,
    private readonly apiVersion: string,
  ) {}

  private attributes(type: string, id: unknown): { type: string; url: string } {
    return { type, url: `/services/data/v${this.apiVersion}/sobjects/${type}/${String(id)}` };
  }

  record(type: string, record: SfRecord, select: FieldPath[]): Record<string, unknown> {
    const out: Record<string, unknown> = { attributes: this.attributes(type, record.Id) };
    for (const path of select) this.put(out, record, path, 0);
    return out;
  }

  private put(out: Record<string, unknown>, record: SfRecord, path: FieldPath, depth: number): void {
    if (depth === path.hops.length) {
      out[path.leaf.name] = record[path.leaf.name] ?? null;
      return;
    }
    const hop = path.hops[depth]!;
    const key = hop.relationshipName!;
    if (!(key in out)) {
      const id = record[hop.name];
      const parent = typeof id === 'string' ? this.ctx.get(id) : undefined;
      if (!parent) {
        out[key] = null;
        return;
      }
      const nested: Record<string, unknown> = { attributes: this.attributes(parent.object, parent.record.Id) };
      this.source.set(nested, parent.record);
      out[key] = nested;
    }
    const nested = out[key] as Record<string, unknown> | null;
    if (nested === null) return;
    this.put(nested, this.source.get(nested)!, path, depth + 1);
  }
}
