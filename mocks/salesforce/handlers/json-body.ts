/**
 * Request bodies parsed the way Salesforce's Jackson-based parser reports
 * problems: 400 JSON_PARSER_ERROR with `Unexpected character (...)` and a
 * `[line:L, column:C]` position, never a JavaScript stack.
 */
import { SalesforceError } from '../types.ts';

function position(text: string, offset: number): string {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  return `[line:${line}, column:${column}]`;
}

function describeChar(ch: string): string {
  return `'${ch}' (code ${ch.charCodeAt(0)})`;
}

/** Jackson's wording for what it expected, from V8's JSON.parse message. */
function expectation(v8Message: string): string {
  if (/':'/.test(v8Message)) return 'was expecting a colon to separate field name and value';
  if (/property name/i.test(v8Message)) return 'was expecting double-quote to start field name';
  if (/',' or '}'/.test(v8Message)) return 'was expecting comma to separate Object entries';
  if (/',' or ']'/.test(v8Message)) return 'was expecting comma to separate Array entries';
  return "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";
}

export function jsonParserError(message: string): SalesforceError {
  return new SalesforceError('JSON_PARSER_ERROR', message, 400);
}

/** Parses a request body; empty or malformed JSON throws JSON_PARSER_ERROR. */
export function parseJsonBody(text: string): unknown {
  // No \S: only what trim() removes (a large body is not copied to find out).
  if (!/\S/.test(text)) {
    throw jsonParserError('No content to map due to end-of-input at [line:1, column:0]');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    const v8 = err instanceof Error ? err.message : '';
    const at = /position (\d+)/.exec(v8);
    const token = /Unexpected token '(.)'/.exec(v8);
    if (/end of JSON input/i.test(v8) || (!at && !token)) {
      const close = text.trimStart().startsWith('[') ? 'ARRAY' : 'OBJECT';
      throw jsonParserError(`Unexpected end-of-input: expected close marker for ${close} ${position(text, text.length)}`);
    }
    // Node 20 names the token without a position for some errors: take its first occurrence.
    const offset = at ? Number(at[1]) : Math.max(0, text.indexOf(token![1]!));
    const ch = text[offset] ?? '';
    throw jsonParserError(`Unexpected character (${describeChar(ch)}): ${expectation(v8)} at ${position(text, offset)}`);
  }
}

/** Jackson's name for the JSON token a value starts with. */
export function jsonTokenName(value: unknown): string {
  if (Array.isArray(value)) return 'START_ARRAY';
  if (value === null) return 'VALUE_NULL';
  switch (typeof value) {
    case 'string':
      return 'VALUE_STRING';
    case 'number':
      return Number.isInteger(value) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
    case 'boolean':
      return value ? 'VALUE_TRUE' : 'VALUE_FALSE';
    default:
      return 'START_OBJECT';
  }
}

/** A JSON object body (a record); anything else answers JSON_PARSER_ERROR as Salesforce does. */
export function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw jsonParserError(`Cannot deserialize instance of \`${what}\` out of ${jsonTokenName(value)} token at [line:1, column:1]`);
}
