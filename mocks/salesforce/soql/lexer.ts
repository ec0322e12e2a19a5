/**
 * A tiny SOQL tokenizer used only to find *where* things are in the query text.
 * @jetstreamapp/soql-parser-js drops token positions, but Salesforce's error
 * messages point at a row and column, so we re-scan the text ourselves.
 */

export interface Token {
  /** Text as written (strings keep their quotes). */
  image: string;
  /** 0-based offset of the first character. */
  start: number;
  /** 0-based offset just past the last character. */
  end: number;
  kind: 'word' | 'string' | 'op' | 'punct';
}

const WORD_START = /[A-Za-z0-9_$]/;
const WORD_CHAR = /[A-Za-z0-9_$.:]/;
// Numbers, dates and datetimes (2024-01-01T00:00:00.000+05:30) are one token.
const NUMERIC_CHAR = /[A-Za-z0-9_.:+\-]/;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "'") {
      i++;
      while (i < text.length && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
      i = Math.min(i + 1, text.length);
      tokens.push({ image: text.slice(start, i), start, end: i, kind: 'string' });
    } else if (WORD_START.test(c)) {
      const re = /[0-9]/.test(c) ? NUMERIC_CHAR : WORD_CHAR;
      while (i < text.length && re.test(text[i]!)) i++;
      tokens.push({ image: text.slice(start, i), start, end: i, kind: 'word' });
    } else if ('<>!='.includes(c)) {
      const two = text.slice(i, i + 2);
      i += ['!=', '<>', '<=', '>='].includes(two) ? 2 : 1;
      tokens.push({ image: text.slice(start, i), start, end: i, kind: 'op' });
    } else {
      i++;
      tokens.push({ image: c, start, end: i, kind: 'punct' });
    }
  }
  return tokens;
}

/** Row (1-based), column (1-based) and the row's text for an offset. */
export function locate(text: string, offset: number): { row: number; column: number; line: string } {
  const before = text.slice(0, offset);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  return { row, column: offset - lineStart + 1, line: text.slice(lineStart, lineEnd) };
}

/** Each token list's images lower-cased once: a query asks findWord once per field it names. */
const lowered = new WeakMap<readonly Token[], string[]>();

/** Offset of the first word token at or after `from` equal (case-insensitively) to `word`. */
export function findWord(tokens: readonly Token[], word: string, from = 0): number | undefined {
  let images = lowered.get(tokens);
  if (!images) lowered.set(tokens, (images = tokens.map((t) => t.image.toLowerCase())));
  const w = word.toLowerCase();
  // Tokens are in text order: start at the first one at or after `from`.
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tokens[mid]!.start < from) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < tokens.length; i++) if (images[i] === w) return tokens[i]!.start;
  return undefined;
}

/** Offset of the first occurrence of a clause keyword at parenthesis depth 0 (e.g. WHERE, ORDER). */
export function clauseStart(tokens: Token[], keyword: string): number | undefined {
  let depth = 0;
  const k = keyword.toLowerCase();
  for (const t of tokens) {
    if (t.image === '(') depth++;
    else if (t.image === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.image.toLowerCase() === k) return t.start;
  }
  return undefined;
}
