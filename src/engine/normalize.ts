/**
 * Values across the two type systems.
 *
 * Salesforce answers with API values (blank text is null, datetimes like
 * 2026-01-05T09:00:00.000+0000), Marketo with REST values (blank may be null
 * or "", datetimes 2026-01-05T09:00:00Z at second precision, booleans
 * sometimes as "true"/"1"). The engine compares and stores everything in one
 * canonical form, so a value that went SF → Marketo → SF compares equal to
 * itself: a round trip never changes a value, and echoes show no change.
 */
import type { Canon, ValueKind } from './types.ts';

// Each system names its number types its own way; dates, datetimes and booleans share names.
const SHARED_KINDS: Record<string, ValueKind> = { boolean: 'boolean', date: 'date', datetime: 'datetime' };
const SF_KINDS: Record<string, ValueKind> = { ...SHARED_KINDS, int: 'number', double: 'number', currency: 'number', percent: 'number' };
const MARKETO_KINDS: Record<string, ValueKind> = { ...SHARED_KINDS, integer: 'number', float: 'number', currency: 'number', percent: 'number' };

/** The value kind of a Salesforce describe `type`. */
export function kindOfSfType(type: string): ValueKind {
  return SF_KINDS[type] ?? 'text';
}

/** The value kind of a Marketo describe `dataType`. */
export function kindOfMarketoType(dataType: string): ValueKind {
  return MARKETO_KINDS[dataType] ?? 'text';
}

/** Two fields can pair only when their kinds agree: a number never round-trips faithfully through text. */
export function kindsCompatible(sf: ValueKind, mkto: ValueKind): boolean {
  return sf === mkto;
}

/**
 * Canonical form of a value from either side. Returns undefined for a value
 * that cannot be read as the kind (the caller treats the field as unknown
 * rather than inventing a value).
 */
export function canon(value: unknown, kind: ValueKind): Canon | undefined {
  if (value === undefined || value === null) return kind === 'boolean' ? false : null;
  switch (kind) {
    case 'text': {
      const s = typeof value === 'string' ? value : String(value);
      return s === '' ? null : s;
    }
    case 'number': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
      if (typeof value === 'string') {
        if (value.trim() === '') return null;
        const n = Number(value);
        return Number.isFinite(n) ? n : undefined;
      }
      return undefined;
    }
    case 'boolean': {
      // Salesforce checkboxes are never null; Marketo's unset boolean reads as null or "".
      if (typeof value === 'boolean') return value;
      if (value === 1 || value === '1' || value === 'true' || value === 'TRUE' || value === 'True') return true;
      if (value === 0 || value === '0' || value === 'false' || value === 'FALSE' || value === 'False' || value === '') return false;
      return undefined;
    }
    case 'date': {
      if (typeof value !== 'string') return undefined;
      if (value === '') return null;
      const m = /^(\d{4}-\d{2}-\d{2})/.exec(value);
      return m ? m[1]! : undefined;
    }
    case 'datetime': {
      if (typeof value === 'number') return secondsIso(value);
      if (typeof value !== 'string') return undefined;
      if (value === '') return null;
      const ms = parseDateTime(value);
      return ms === undefined ? undefined : secondsIso(ms);
    }
  }
}

/** Canonical value → Salesforce API value for a field of this kind. */
export function toSalesforce(value: Canon, kind: ValueKind): Canon {
  if (value === null) return kind === 'boolean' ? false : null;
  if (kind === 'datetime' && typeof value === 'string') return value.replace(/Z$/, '.000Z');
  return value;
}

/** Canonical value → Marketo REST value for a field of this kind. */
export function toMarketo(value: Canon, kind: ValueKind): Canon {
  if (value === null) return kind === 'boolean' ? false : null;
  return value;
}

/** Equality of canonical values (numbers compared as numbers). */
export function sameValue(a: Canon | undefined, b: Canon | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-9);
}

/**
 * Parses Salesforce (`+0000`), Marketo (`Z`, `-08:00`) and ISO datetimes to epoch ms.
 * Salesforce writes the offset without a colon, which Date.parse does not accept everywhere.
 */
export function parseDateTime(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  let zone = m[3] ?? 'Z';
  if (zone !== 'Z' && !zone.includes(':')) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2]}${zone}`);
  return Number.isNaN(ms) ? undefined : ms;
}

/** 'YYYY-MM-DDTHH:mm:ssZ': Marketo keeps seconds, so the canonical form drops milliseconds. */
export function secondsIso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
