/**
 * Turning a JSON value from a request body into a field's API value, with
 * the error Salesforce gives when it cannot (the "value format" stage of the
 * save pipeline).
 */
import { iso } from '../../src/sim/clock.ts';
import { isSalesforceId, to18 } from './ids.ts';
import type { FieldDef, SaveError, SfValue } from './types.ts';

/** 'YYYY-MM-DDTHH:mm:ss.SSS+0000', the REST API's datetime form (fixed width, so string order is time order). */
export function sfDateTime(ms: number): string {
  // Every save and log entry of a request stamps the same virtual instant: format it once (toISOString is ~µs).
  if (ms !== lastStampMs) {
    lastStampText = iso(ms).replace('Z', '+0000');
    lastStampMs = ms;
  }
  return lastStampText;
}

let lastStampMs = Number.NaN;
let lastStampText = '';

/** 'YYYY-MM-DD' of the UTC day containing `ms`. */
export function sfDate(ms: number): string {
  return iso(ms).slice(0, 10);
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Milliseconds of an ISO 8601 / Salesforce datetime string, or undefined when it is not one. No zone means UTC. */
export function parseSfDateTime(text: string): number | undefined {
  const m = DATETIME_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', frac = '0', zone = 'Z'] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  let t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  if (!validCalendarDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  if (zone !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    t -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return t;
}

/** Milliseconds of midnight UTC of a 'YYYY-MM-DD' date, or undefined. */
export function parseSfDate(text: string): number | undefined {
  const m = DATE_RE.exec(text);
  if (!m || !validCalendarDate(Number(m[1]), Number(m[2]), Number(m[3]))) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
}

function validCalendarDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

// Salesforce's own check is looser than RFC 5322 and undocumented; this
// accepts local@domain.tld with the usual characters (UNCONFIRMED in detail).
const EMAIL_RE = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidEmail(text: string): boolean {
  return EMAIL_RE.test(text) && !text.includes('..');
}

/** What the format stage needs to know about a referenced id: its object by key prefix, whether it exists, whether it is in the recycle bin. */
export type ReferenceLookup = (id18: string) => { object: string | undefined; exists: boolean; deleted: boolean };

export type Coerced = { ok: true; value: SfValue } | { ok: false; error: SaveError };

const ok = (value: SfValue): Coerced => ({ ok: true, value });
const fail = (statusCode: string, message: string, fields: string[]): Coerced => ({ ok: false, error: { statusCode, message, fields } });

/** JSON token names in Jackson's wording, which Salesforce's deserializer messages use. */
function jsonToken(raw: unknown): string {
  if (typeof raw === 'string') return 'VALUE_STRING';
  if (typeof raw === 'boolean') return raw ? 'VALUE_TRUE' : 'VALUE_FALSE';
  if (typeof raw === 'number') return Number.isInteger(raw) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
  if (Array.isArray(raw)) return 'START_ARRAY';
  return 'START_OBJECT';
}

/**
 * Real Salesforce fails the whole request when the JSON cannot be bound to a
 * field's type (JSON_PARSER_ERROR, HTTP 400, before any record is looked
 * at). The org reports it per record instead, so one bad value in a
 * collection does not hide the results of the others; the HTTP layer may
 * turn it into a request-level error for single-record calls.
 */
function parserError(kind: string, raw: unknown): Coerced {
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return fail('JSON_PARSER_ERROR', `Cannot deserialize instance of ${kind} from ${jsonToken(raw)} value ${shown} or request may be missing a required field`, []);
}

/**
 * The API value for `raw` written to `field`, or the error Salesforce gives.
 * Blank strings become null. Does not check required fields (a later stage).
 */
export function coerceValue(field: FieldDef, raw: unknown, lookup: ReferenceLookup): Coerced {
  if (raw === null || raw === undefined) return ok(field.type === 'boolean' ? false : null);
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return parserError(soapKind(field), raw);

  switch (field.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return ok(raw.toLowerCase() === 'true');
      return parserError('boolean', raw);
    }
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return coerceNumber(field, raw);
    case 'date': {
      if (typeof raw !== 'string') return parserError('date', raw);
      if (raw === '') return ok(null);
      // A datetime is accepted for a date field and truncated to its UTC day.
      const ms = parseSfDate(raw) ?? parseSfDateTime(raw);
      return ms === undefined ? parserError('date', raw) : ok(sfDate(ms));
    }
    case 'datetime': {
      if (typeof raw !== 'string') return parserError('datetime', raw);
      if (raw === '') return ok(null);
      const ms = parseSfDateTime(raw);
      return ms === undefined ? parserError('datetime', raw) : ok(sfDateTime(ms));
    }
    default:
      return coerceText(field, String(raw), lookup);
  }
}

function soapKind(field: FieldDef): string {
  if (field.type === 'int') return 'int';
  if (field.type === 'double' || field.type === 'currency' || field.type === 'percent') return 'double';
  if (field.type === 'boolean' || field.type === 'date' || field.type === 'datetime') return field.type;
  return 'String';
}

function coerceNumber(field: FieldDef, raw: string | number | boolean): Coerced {
  const kind = field.type === 'int' ? 'int' : 'double';
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && raw.trim() === '') return ok(null);
  else if (typeof raw === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)) n = Number(raw);
  else return parserError(kind, raw);
  if (!Number.isFinite(n)) return parserError(kind, raw);
  if (field.type === 'int' && !Number.isInteger(n)) return parserError('int', raw);

  const scale = field.type === 'int' ? 0 : field.scale;
  const integerDigits = field.type === 'int' ? field.digits : field.precision - field.scale;
  const rounded = scale > 0 ? Number(n.toFixed(scale)) : Math.round(n);
  if (integerDigits > 0 && Math.abs(Math.trunc(rounded)) >= 10 ** integerDigits) {
    return fail('NUMBER_OUTSIDE_VALID_RANGE', `${field.label}: value outside of valid range on numeric field: ${n}`, [field.name]);
  }
  return ok(rounded);
}

function coerceText(field: FieldDef, text: string, lookup: ReferenceLookup): Coerced {
  if (text === '') return ok(null);
  const { label, name } = field;

  if (field.type === 'reference' || field.type === 'id') {
    if (!isSalesforceId(text)) return fail('MALFORMED_ID', `${label}: id value of incorrect type: ${text}`, [name]);
    const id = to18(text);
    const target = lookup(id);
    if (target.object === undefined || !field.referenceTo.includes(target.object)) {
      return fail('FIELD_INTEGRITY_EXCEPTION', `${label}: id value of incorrect type: ${text}`, [name]);
    }
    if (!target.exists) return fail('INVALID_CROSS_REFERENCE_KEY', `${label}: invalid cross reference id`, [name]);
    if (target.deleted) return fail('ENTITY_IS_DELETED', 'entity is deleted', [name]);
    return ok(id);
  }

  if (text.length > field.length) {
    return fail('STRING_TOO_LONG', `${label}: data value too large: ${text} (max length=${field.length})`, [name]);
  }
  if (field.type === 'email' && !isValidEmail(text)) {
    return fail('INVALID_EMAIL_ADDRESS', `${label}: invalid email address: ${text}`, [name]);
  }
  if (field.type === 'picklist' && field.restrictedPicklist) {
    // Exact, case-sensitive match against active values (UNCONFIRMED: the API may accept other casing).
    if (!field.picklistValues.some((p) => p.active && p.value === text)) {
      return fail('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${label}: bad value for restricted picklist field: ${text}`, [name]);
    }
  }
  if (field.type === 'multipicklist' && field.restrictedPicklist) {
    const bad = text.split(';').find((v) => !field.picklistValues.some((p) => p.active && p.value === v));
    if (bad !== undefined) {
      return fail('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${label}: bad value for restricted picklist field: ${bad}`, [name]);
    }
  }
  return ok(text);
}

