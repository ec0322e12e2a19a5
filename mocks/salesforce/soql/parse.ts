import { parseQuery } from '@jetstreamapp/soql-parser-js';
import type { Query } from '@jetstreamapp/soql-parser-js';
import { positioned, type QueryError } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';

export interface Parsed {
  soql: string;
  query: Query;
  tokens: Token[];
}

/**
 * Parsed queries by their text with datetime literals blanked: an engine sends the same few queries cycle after
 * cycle, and a poll's watermark literal changes every time.
 */
const parsedByShape = new Map<string, Known>();
const PARSED_KEPT = 500;

// A SOQL datetime literal (reference §6.5), not part of a longer word; blanking its digits keeps every offset.
const DATETIME_LITERAL = /(?<![\w.:'-])\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:\d{2})(?![\w.:'])/g;

/**
 * Parses SOQL; bad syntax becomes MALFORMED_QUERY pointing at the offending
 * token, never a crash. A query parsed before, or one that differs from it
 * only in datetime literals, is answered from memory (its parse is frozen, so
 * nothing downstream can change it for the next caller).
 */
export function parseSoql(soql: string): Parsed {
  const literals = soql.match(DATETIME_LITERAL) ?? [];
  const shape = literals.length ? soql.replace(DATETIME_LITERAL, (m) => m.replace(/\d/g, '0')) : soql;
  const known = parsedByShape.get(shape);
  if (known) {
    if (sameLiterals(known.literals, literals)) return known.parsed;
    const swapped = withLiterals(known, soql, literals);
    if (swapped) return swapped;
  }
  const parsed = deepFreeze(parseFresh(soql));
  if (parsedByShape.size >= PARSED_KEPT) parsedByShape.clear();
  parsedByShape.set(shape, { parsed, literals });
  return parsed;
}

function sameLiterals(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The known parse with its datetime literals swapped for `literals` (same places, same lengths), sharing every
 * untouched node. Undefined when the swap is not certain (a literal repeated, or one the parse does not hold as a
 * value, such as one inside a string literal): then the query is parsed afresh.
 */
function withLiterals(known: Known, soql: string, literals: string[]): Parsed | undefined {
  const swap = new Map<string, string>();
  known.literals.forEach((old, i) => swap.set(old, literals[i]!));
  if (swap.size !== known.literals.length) return undefined;
  const sites = (known.sites ??= literalSites(known.parsed, swap));
  const used = new Set<string>();
  const replace = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const to = swap.get(v);
      if (to === undefined) return v;
      used.add(v);
      return to;
    }
    // Only the nodes on the way to a literal are walked and copied; every other node is shared as it is.
    if (!v || typeof v !== 'object' || !sites.nodes.has(v)) return v;
    if (Array.isArray(v)) {
      const out = v.map(replace);
      return out.some((x, i) => x !== v[i]) ? out : v;
    }
    let out: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const y = replace(x);
      if (y !== x) (out ??= { ...(v as Record<string, unknown>) })[k] = y;
    }
    return out ?? v;
  };
  const query = replace(known.parsed.query) as Query;
  if (used.size !== swap.size) return undefined;
  const tokens = known.parsed.tokens.slice();
  for (const i of sites.tokens) tokens[i] = { ...tokens[i]!, image: swap.get(tokens[i]!.image)! };
  return deepFreeze({ soql, query, tokens });
}

interface Known {
  parsed: Parsed;
  literals: string[];
  /** Where the literals sit in `parsed`, found on the first swap. */
  sites?: { nodes: Set<object>; tokens: number[] };
}

/** The objects and arrays of a parse that hold one of the literals (at any depth), and the tokens that are one. */
function literalSites(parsed: Parsed, literals: ReadonlyMap<string, string>): { nodes: Set<object>; tokens: number[] } {
  const nodes = new Set<object>();
  const holds = (v: unknown): boolean => {
    if (typeof v === 'string') return literals.has(v);
    if (!v || typeof v !== 'object') return false;
    let found = false;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (holds(x)) found = true;
    if (found) nodes.add(v);
    return found;
  };
  holds(parsed.query);
  const tokens: number[] = [];
  parsed.tokens.forEach((t, i) => {
    if (literals.has(t.image)) tokens.push(i);
  });
  return { nodes, tokens };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Parses without the cache (the tests' reference, and the cache's own miss). */
export function parseFresh(soql: string): Parsed {
  const tokens = tokenize(soql);
  let query: Query;
  try {
    query = parseQuery(soql);
  } catch (e) {
    throw syntaxError(soql, tokens, e instanceof Error ? e.message : String(e));
  }
  return { soql, query, tokens };
}

function syntaxError(soql: string, tokens: Token[], parserMessage: string): QueryError {
  // Lexer errors: "unexpected character: ->'<- at offset: 33, ..." — Salesforce's own lexer
  // reports these ANTLR-style ("line 1:34 no viable alternative at character '$'").
  const lexing = /at offset: (\d+)/.exec(parserMessage);
  if (lexing) {
    const offset = Number(lexing[1]);
    const ch = soql[offset] ?? '';
    const lineStart = soql.lastIndexOf('\n', offset - 1) + 1;
    const row = soql.slice(0, offset).split('\n').length;
    return positioned('MALFORMED_QUERY', soql, offset,
      `line ${row}:${offset - lineStart} no viable alternative at character '${ch}'`);
  }
  const image = foundImage(parserMessage);
  if (image === '') {
    // Ran out of input: point just past the last character.
    return positioned('MALFORMED_QUERY', soql, soql.trimEnd().length, 'unexpected token: <EOF>');
  }
  return positioned('MALFORMED_QUERY', soql, offendingOffset(soql, tokens, image), `unexpected token: '${image}'`);
}

/**
 * Which occurrence of `image` the parser choked on: the first one such that the
 * query cut just after it still fails on that same token (earlier, valid
 * occurrences fail at end of input instead, or parse).
 */
function offendingOffset(soql: string, tokens: Token[], image: string): number {
  const lower = image.toLowerCase();
  const candidates = tokens.filter((t) => t.image.toLowerCase() === lower || t.image.toLowerCase().startsWith(lower));
  for (const t of candidates) {
    try {
      parseQuery(soql.slice(0, t.start + image.length));
    } catch (e) {
      if (foundImage(e instanceof Error ? e.message : '') === image) return t.start;
    }
  }
  return candidates[0]?.start ?? 0;
}

/** The token text a chevrotain error message says it found ('' at end of input). */
function foundImage(message: string): string {
  const m =
    /but found --> '(.*)' <--/s.exec(message) ??
    /Redundant input, expecting EOF but found: (.*)$/s.exec(message) ??
    /but found: '(.*)'\s*$/s.exec(message);
  return m?.[1] ?? '';
}
