/**
 * A query's *shape*: its text with every literal value replaced by a placeholder naming the literal's class, found
 * by one cheap scan (no parse). An engine sends the same few queries cycle after cycle with new values (a poll's
 * watermark, the ids it reads back); queries of one shape share one compiled plan (plan.ts), and the scanned
 * literals are bound to it.
 *
 * The scan is conservative, because a plan is reused on the strength of the shape alone: a literal is one token
 * of @jetstreamapp/soql-parser-js's lexer, matched with that lexer's own patterns, and (strings aside) it must
 * start and end at a token boundary: after whitespace, `(`, `,` or an operator character, before whitespace, `,`,
 * `)` or the end. Then two texts of one shape lex to the same tokens except for the literals' images, and the
 * parse of one is the parse of the other with its literals swapped. Text the scan is unsure of (a literal glued to
 * a word, an unterminated string) gives no shape: that query is parsed and compiled as before.
 */

/** Literal classes: one character each in a shape's key. */
export type LiteralClass =
  | 'S' // 'string'
  | 'T' // datetime 2024-01-01T00:00:00Z
  | 'A' // date 2024-01-01
  | 'E' // signed decimal -1.5
  | 'D' // decimal 1.5
  | 'J' // signed integer -5
  | 'I' // integer 5
  | 'N'; // the n of LAST_N_DAYS:n (n ≥ 1)

export interface Shape {
  /** The text with literals as NUL + class (a list in parentheses of one class as NUL + class + '*'). */
  key: string;
  /** The literals' images in text order; a collapsed list is one entry, the images of its items. */
  literals: Array<string | string[]>;
  /** The class of each entry of `literals`. */
  classes: LiteralClass[];
}

// The lexer's own patterns (@jetstreamapp/soql-parser-js 6.3.1), tried in its order; sticky, so they match at a
// position. The datetime's `\Z` in the original is a plain `Z` in a JavaScript RegExp.
const STRING = /(')(?:(?=(\\?))\2.)*?\1/y;
const NUMERIC: Array<[LiteralClass, RegExp]> = [
  ['T', /[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|\.[0-9]+Z|\+[0-9]{2}:[0-9]{2}|-[0-9]{2}:[0-9]{2}|\+[0-9]{4}|-[0-9]{4})/iy],
  ['A', /[0-9]{4}-[0-9]{2}-[0-9]{2}/y],
  ['E', /[-+][0-9]*\.\d+/y],
  ['D', /[0-9]*\.\d+/y],
  ['J', /[-+][0-9]+/y],
  ['I', /0|[1-9]\d*/y],
];
// LAST_N_DAYS:0 is left in the text: the parser drops a 0 variable (it reads as none), so it is not a value.
const DAYS_N = /[1-9]\d*/y;
// The lexer reads 'mi' and 'km' as distance units, not strings: such a query is not shaped.
const UNIT = /^'(?:mi|km)'$/i;

// The lexer skips `\s+`; most characters are ASCII, so the RegExp is asked only about the rest.
const OTHER_SPACE = /\s/;
const isSpace = (c: number): boolean => c === 32 || (c < 128 ? c >= 9 && c <= 13 : OTHER_SPACE.test(String.fromCharCode(c)));
const isWordStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36;
const isWordChar = (c: number): boolean => isWordStart(c) || (c >= 48 && c <= 57);
const isNumericStart = (c: number): boolean => (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
/** A token ends just before: whitespace, `(`, `,`, `=`, `<`, `>` (the last char of every operator). */
const endsToken = (c: number): boolean => isSpace(c) || c === 40 || c === 44 || c === 61 || c === 60 || c === 62;
/** A literal may be followed by: whitespace, `,`, `)`, or nothing. */
const followsLiteral = (c: number): boolean => Number.isNaN(c) || isSpace(c) || c === 44 || c === 41;

interface Scanned {
  cls: LiteralClass;
  end: number;
}

/** The numeric literal at `i` (or undefined); 'glued' when one matches but runs into more text. */
function numericAt(text: string, i: number): Scanned | 'glued' | undefined {
  for (const [cls, re] of NUMERIC) {
    re.lastIndex = i;
    if (!re.test(text)) continue;
    // The first pattern that matches is the lexer's token here, whatever follows it.
    return followsLiteral(text.charCodeAt(re.lastIndex)) ? { cls, end: re.lastIndex } : 'glued';
  }
  return undefined;
}

function stringAt(text: string, i: number): number | undefined {
  STRING.lastIndex = i;
  return STRING.test(text) ? STRING.lastIndex : undefined;
}

/** A parenthesised list of literals of one class, from the `(` at `open`: its images and the index past `)`. */
function listAt(text: string, open: number): { cls: LiteralClass; images: string[]; end: number } | undefined {
  const images: string[] = [];
  let cls: LiteralClass | undefined;
  let i = open + 1;
  for (;;) {
    while (isSpace(text.charCodeAt(i))) i++;
    const start = i;
    let item: Scanned | undefined;
    if (text.charCodeAt(i) === 39) {
      const end = stringAt(text, i);
      if (end === undefined || !followsLiteral(text.charCodeAt(end))) return undefined;
      item = { cls: 'S', end };
    } else {
      const got = isNumericStart(text.charCodeAt(i)) ? numericAt(text, i) : undefined;
      if (!got || got === 'glued') return undefined;
      item = got;
    }
    if (cls !== undefined && item.cls !== cls) return undefined;
    cls = item.cls;
    images.push(text.slice(start, item.end));
    i = item.end;
    while (isSpace(text.charCodeAt(i))) i++;
    const c = text.charCodeAt(i);
    if (c === 41) return { cls, images, end: i + 1 };
    if (c !== 44) return undefined;
    i++;
  }
}

/**
 * Shapes by text: an engine repeats a query word for word while nothing changes (an idle poll). Shapes are never
 * changed once made, so one can be handed out again.
 */
const shapesByText = new Map<string, Shape | undefined>();
const SHAPES_KEPT = 500;

/** The shape of `soql`, or undefined when the scan cannot be sure of it. */
export function queryShape(soql: string): Shape | undefined {
  let shape = shapesByText.get(soql);
  if (shape === undefined && !shapesByText.has(soql)) {
    if (shapesByText.size >= SHAPES_KEPT) shapesByText.clear();
    shapesByText.set(soql, (shape = scanShape(soql)));
  }
  return shape;
}

function scanShape(soql: string): Shape | undefined {
  if (soql.includes('\0')) return undefined;
  const literals: Shape['literals'] = [];
  const classes: LiteralClass[] = [];
  let key = '';
  let copied = 0; // text before this index is in `key`
  let prevWord = ''; // the word token just before, upper-cased when it is LIMIT or OFFSET, else ''
  const slot = (start: number, end: number, cls: LiteralClass, image: string | string[], star = ''): void => {
    key += `${soql.slice(copied, start)}\0${cls}${star}`;
    copied = end;
    literals.push(image);
    classes.push(cls);
  };
  const n = soql.length;
  let i = 0;
  while (i < n) {
    const c = soql.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === 39) {
      const end = stringAt(soql, i);
      if (end === undefined) return undefined;
      const image = soql.slice(i, end);
      if (UNIT.test(image)) return undefined;
      slot(i, end, 'S', image);
      i = end;
      prevWord = '';
      continue;
    }
    if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordChar(soql.charCodeAt(j))) j++;
      const len = j - i;
      prevWord = len === 5 || len === 6 ? soql.slice(i, j).toUpperCase() : '';
      if (prevWord !== 'LIMIT' && prevWord !== 'OFFSET') prevWord = '';
      if (soql.charCodeAt(j) === 58) {
        // LAST_N_DAYS:n and its kin: the n is a value.
        DAYS_N.lastIndex = j + 1;
        if (DAYS_N.test(soql)) {
          const end = DAYS_N.lastIndex;
          if (!followsLiteral(soql.charCodeAt(end))) return undefined;
          slot(j + 1, end, 'N', soql.slice(j + 1, end));
          i = end;
          prevWord = '';
          continue;
        }
      }
      i = j;
      continue;
    }
    if (c === 40) {
      const list = listAt(soql, i);
      if (list) {
        slot(i + 1, list.end - 1, list.cls, list.images, '*');
        i = list.end;
        prevWord = '';
        continue;
      }
    }
    if (isNumericStart(c) && (i === 0 || endsToken(soql.charCodeAt(i - 1)))) {
      const got = numericAt(soql, i);
      if (got === 'glued') return undefined;
      if (got) {
        // LIMIT and OFFSET counts stay in the text: they are not WHERE values.
        if (!(got.cls === 'I' && prevWord !== '')) slot(i, got.end, got.cls, soql.slice(i, got.end));
        i = got.end;
        prevWord = '';
        continue;
      }
    }
    prevWord = '';
    i++;
  }
  return { key: key + soql.slice(copied), literals, classes };
}
