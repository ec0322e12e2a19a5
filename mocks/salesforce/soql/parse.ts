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
 * Parsed queries by their text (frozen, so nothing downstream can change one for the next caller). Few queries get
 * here more than once: a query of a shape seen before is answered by its plan (plan.ts) without a parse.
 */
const parsedByText = new Map<string, Parsed>();
const PARSED_KEPT = 500;

/** Parses SOQL; bad syntax becomes MALFORMED_QUERY pointing at the offending token, never a crash. */
export function parseSoql(soql: string): Parsed {
  const known = parsedByText.get(soql);
  if (known) return known;
  const parsed = deepFreeze(parseFresh(soql));
  if (parsedByText.size >= PARSED_KEPT) parsedByText.clear();
  parsedByText.set(soql, parsed);
  return parsed;
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
