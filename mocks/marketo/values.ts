/**
 * Value checks as Marketo makes them on a write, and normalisation to REST
 * values (types.ts). A check never throws: it answers a record-level reason.
 *
 * Codes (reference B3): a value of the wrong type or format is 1001
 * "Invalid value '%s'. Required of type '%s'"; a value of the right type
 * that breaks a constraint (too long, a non-ASCII email, a value outside a
 * restricted list) is 1003 "Invalid data". [UNCONFIRMED] which of the two
 * Marketo uses for an over-long string: 1003 is our choice.
 */
import type { FieldDef, FieldValue, Reason } from './types.ts';

export type Checked = { ok: true; value: FieldValue } | { ok: false; reason: Reason };

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function invalid(raw: unknown, type: string): Checked {
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  return { ok: false, reason: { code: '1001', message: `Invalid value '${shown}'. Required of type '${type}'` } };
}

function invalidData(message: string): Checked {
  return { ok: false, reason: { code: '1003', message } };
}

/** 'YYYY-MM-DD' that names a real calendar day. */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

const DATETIME_RE = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Parses an ISO-8601 datetime with a zone (Z or ±hh:mm); undefined when it is not one. */
export function parseDatetime(s: string): number | undefined {
  const m = DATETIME_RE.exec(s.trim());
  if (!m || !isCalendarDate(m[1]!)) return undefined;
  const [hh, mm, ss] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (hh > 23 || mm > 59 || ss > 59) return undefined;
  const zone = m[5]! === 'Z' ? '+00:00' : m[5]!.length === 5 ? `${m[5]!.slice(0, 3)}:${m[5]!.slice(3)}` : m[5]!;
  const ms = Date.parse(`${m[1]}T${m[2]}:${m[3]}:${String(ss).padStart(2, '0')}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Marketo's datetime form: second precision, UTC, `Z`. */
export function marketoDatetime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function checkNumber(def: FieldDef, raw: unknown): Checked {
  let n: number;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(raw)) n = Number(raw);
  else return invalid(raw, def.dataType);
  if (!Number.isFinite(n)) return invalid(raw, def.dataType);
  if (def.dataType === 'integer') {
    if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) return invalid(raw, 'integer');
  }
  return { ok: true, value: n };
}

function checkBoolean(raw: unknown): Checked {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (raw === 1 || raw === 0) return { ok: true, value: raw === 1 };
  if (typeof raw === 'string') {
    const s = raw.trim().toLowerCase();
    if (s === 'true' || s === '1' || s === 'yes') return { ok: true, value: true };
    if (s === 'false' || s === '0' || s === 'no') return { ok: true, value: false };
  }
  return invalid(raw, 'boolean');
}

function checkText(def: FieldDef, raw: unknown): Checked {
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') return invalid(raw, def.dataType);
  const s = String(raw);
  if (s === '') return { ok: true, value: null };
  if (def.length !== undefined && s.length > def.length) {
    return invalidData(`Value for field '${def.name}' exceeds the maximum length of ${def.length}`);
  }
  if (def.dataType === 'email') {
    // Marketo requires ASCII email addresses (reference B4); it does not check the shape further.
    if (!/^[\x21-\x7e]+$/.test(s)) return invalidData(`Invalid email address '${s}': only ASCII characters without spaces are allowed`);
  }
  if (def.allowedValues && !def.allowedValues.includes(s)) {
    return invalidData(`Invalid value '${s}' for field '${def.name}': one of ${def.allowedValues.join(', ')} or empty`);
  }
  return { ok: true, value: s };
}

/** Checks and normalises one value for a write to `def`. null and undefined clear the field. */
export function checkValue(def: FieldDef, raw: unknown): Checked {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  switch (def.dataType) {
    case 'string':
    case 'text':
    case 'email':
    case 'phone':
    case 'url':
      return checkText(def, raw);
    case 'integer':
    case 'float':
    case 'currency':
      if (raw === '') return { ok: true, value: null };
      return checkNumber(def, raw);
    case 'boolean':
      if (raw === '') return { ok: true, value: null };
      return checkBoolean(raw);
    case 'date': {
      if (raw === '') return { ok: true, value: null };
      if (typeof raw !== 'string') return invalid(raw, 'date');
      const s = raw.trim();
      if (isCalendarDate(s)) return { ok: true, value: s };
      // A datetime is accepted for a date field and cut to its (UTC) day.
      const ms = parseDatetime(s);
      return ms === undefined ? invalid(raw, 'date') : { ok: true, value: marketoDatetime(ms).slice(0, 10) };
    }
    case 'datetime': {
      if (raw === '') return { ok: true, value: null };
      if (typeof raw !== 'string') return invalid(raw, 'datetime');
      const s = raw.trim();
      const ms = parseDatetime(s) ?? (isCalendarDate(s) ? Date.parse(`${s}T00:00:00Z`) : undefined);
      return ms === undefined ? invalid(raw, 'datetime') : { ok: true, value: marketoDatetime(ms) };
    }
  }
}

/** Equality of stored values (emails compare case-insensitively for look-ups, not here). */
export function sameValue(a: FieldValue | undefined, b: FieldValue | undefined): boolean {
  return (a ?? null) === (b ?? null);
}
