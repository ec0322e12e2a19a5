import type { FieldDef, FieldType } from '../types.ts';

/** How a field's values compare. */
export type Kind = 'string' | 'id' | 'number' | 'boolean' | 'date' | 'datetime';

export function kindOf(type: FieldType): Kind {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    default:
      return 'string';
  }
}

/** The type word Salesforce uses in "value of filter criterion ... must be of type X". */
export function soapTypeWord(f: FieldDef): string {
  switch (f.type) {
    case 'int':
      return 'int';
    case 'double':
    case 'currency':
    case 'percent':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'dateTime';
    case 'id':
    case 'reference':
      return 'id';
    default:
      return 'string';
  }
}

const DAY_MS = 86_400_000;

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?(Z|[+-]\d{2}:?\d{2})$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Milliseconds of a datetime literal (`2024-01-01T00:00:00Z`, `+05:30`, fractions)
 * or a stored API value (`2024-01-01T00:00:00.000+0000`); undefined when invalid.
 */
export function parseDateTime(text: string): number | undefined {
  // A query compares and sorts stored SystemModstamps, the same few strings query after query.
  let ms = parsedDateTimes.get(text);
  if (ms === undefined && !parsedDateTimes.has(text)) {
    if (parsedDateTimes.size >= PARSED_DATETIMES_KEPT) parsedDateTimes.clear();
    parsedDateTimes.set(text, (ms = parseDateTimeText(text)));
  }
  return ms;
}

const parsedDateTimes = new Map<string, number | undefined>();
const PARSED_DATETIMES_KEPT = 20_000;

/** As parseDateTime, not remembered: for a query's literal, which (a poll's watermark) is new every time. */
export function parseDateTimeText(text: string): number | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (!validDate(y!, mo!, d!) || h! > 23 || mi! > 59 || s! > 59) return undefined;
  const ms = m[7] ? Number(m[7].padEnd(3, '0')) : 0;
  let offset = 0;
  if (m[8] !== 'Z') {
    const z = m[8]!.replace(':', '');
    const sign = z[0] === '-' ? -1 : 1;
    offset = sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5))) * 60_000;
  }
  return Date.UTC(y!, mo! - 1, d!, h!, mi!, s!, ms) - offset;
}

export function isValidDate(text: string): boolean {
  const m = DATE_RE.exec(text);
  return !!m && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** The stored API form of an instant: 'YYYY-MM-DDTHH:mm:ss.SSS+0000'. */
export function apiDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const dateOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** A half-open range of instants [start, end), and the same range as dates [startDate, endDate). */
export interface DayRange {
  start: number;
  end: number;
  startDate: string;
  endDate: string;
}

/**
 * Relative date literals, in UTC (a real org uses the running user's time zone).
 * LAST_N_DAYS:n covers today and the n days before it; NEXT_N_DAYS:n starts tomorrow
 * (Salesforce SOQL reference, "Date Formats and Date Literals").
 */
export function dateLiteralRange(name: string, n: number | undefined, nowMs: number): DayRange | undefined {
  const today = Math.floor(nowMs / DAY_MS) * DAY_MS;
  let start: number;
  let end: number;
  switch (name.toUpperCase()) {
    case 'TODAY':
      [start, end] = [today, today + DAY_MS];
      break;
    case 'YESTERDAY':
      [start, end] = [today - DAY_MS, today];
      break;
    case 'TOMORROW':
      [start, end] = [today + DAY_MS, today + 2 * DAY_MS];
      break;
    case 'LAST_90_DAYS':
      [start, end] = [today - 90 * DAY_MS, today + DAY_MS];
      break;
    case 'NEXT_90_DAYS':
      [start, end] = [today + DAY_MS, today + 91 * DAY_MS];
      break;
    case 'LAST_N_DAYS':
      [start, end] = [today - n! * DAY_MS, today + DAY_MS];
      break;
    case 'NEXT_N_DAYS':
      [start, end] = [today + DAY_MS, today + (n! + 1) * DAY_MS];
      break;
    case 'N_DAYS_AGO':
      [start, end] = [today - n! * DAY_MS, today - (n! - 1) * DAY_MS];
      break;
    default:
      return undefined;
  }
  return { start, end, startDate: dateOf(start), endDate: dateOf(end) };
}

/** Salesforce string literal: backslash escapes (\' \" \\ \n \t \r \b \f); `like` keeps \% and \_ escaped. */
export function decodeString(raw: string, like = false): string {
  const body = raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1) : raw;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const n = body[++i]!;
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
    if (simple[n] !== undefined) out += simple[n];
    else if (like && (n === '%' || n === '_')) out += `\\${n}`;
    else out += n;
  }
  return out;
}

/** A LIKE pattern as a case-insensitive regular expression; `%` any run, `_` one character. */
export function likeRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) re += escapeRe(pattern[++i]!);
    else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 'i');
}

const escapeRe = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A comparable form of a stored value (datetimes as ms); null stays null. */
export function normalize(kind: Kind, v: unknown): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (kind === 'datetime') return typeof v === 'string' ? (parseDateTime(v) ?? null) : null;
  return v as string | number | boolean;
}

/**
 * Orders two non-null normalized values of one kind. Text compares
 * case-insensitively, as Salesforce does; ids by their case-sensitive
 * 15-character form, so 15- and 18-character ids are equal.
 */
export function compareValues(kind: Kind, a: string | number | boolean, b: string | number | boolean): number {
  if (kind === 'string') {
    const x = String(a).toLowerCase();
    const y = String(b).toLowerCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (kind === 'id') {
    const x = String(a).slice(0, 15);
    const y = String(b).slice(0, 15);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (kind === 'boolean') return Number(a) - Number(b);
  if (kind === 'number' || kind === 'datetime') return (a as number) - (b as number);
  return a < b ? -1 : a > b ? 1 : 0;
}
