/**
 * Salesforce record ids (reference §2.5): a 3-character key prefix, then
 * pod and reserved characters, then a base-62 record number: 15 characters,
 * case-sensitive. The 18-character form appends a 3-character checksum that
 * encodes which of the first 15 characters are upper-case letters, so the
 * id survives case-insensitive systems. The API accepts either form and
 * always answers with 18.
 */

/** Real key prefixes of the objects the emulator knows. */
export const KEY_PREFIXES: Readonly<Record<string, string>> = {
  Account: '001',
  Contact: '003',
  User: '005',
  Opportunity: '006',
  Organization: '00D',
  Group: '00G',
  Lead: '00Q',
};

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

/** The 3-character checksum of a 15-character id. */
export function checksum(id15: string): string {
  let out = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    out += CHECKSUM_ALPHABET[bits];
  }
  return out;
}

/**
 * Ids seen in their canonical 18-character form (valid, checksum in upper case): such an id is its own to18 and
 * passes isSalesforceId. Every id the orgs issue is one, and the same few are checked again on every call that
 * names them (a write checks its id ~5 times), so they are answered from here. Cleared when full.
 */
const canonicalIds = new Set<string>();
const CANONICAL_KEPT = 100_000;

function rememberCanonical(id: string): void {
  if (canonicalIds.size >= CANONICAL_KEPT) canonicalIds.clear();
  canonicalIds.add(id);
}

/** The 18-character form of a 15- or 18-character id; throws on anything else. */
export function to18(id: string): string {
  if (canonicalIds.has(id)) return id;
  if (ID18.test(id)) {
    const out = id.slice(0, 15) + checksum(id.slice(0, 15));
    if (out === id) rememberCanonical(id);
    return out;
  }
  if (ID15.test(id)) return id + checksum(id);
  throw new TypeError(`not a Salesforce id: ${JSON.stringify(id)}`);
}

/**
 * True for a well-formed 15-character id, or an 18-character id whose
 * checksum matches (compared case-insensitively, as Salesforce does).
 */
export function isSalesforceId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  if (canonicalIds.has(value)) return true;
  if (ID15.test(value)) return true;
  if (!ID18.test(value)) return false;
  const sum = checksum(value.slice(0, 15));
  const tail = value.slice(15);
  if (sum === tail) rememberCanonical(value);
  return sum === tail.toUpperCase();
}

/** 18-character form of a valid id, or undefined when it is not one. */
export function normalizeId(value: unknown): string | undefined {
  return isSalesforceId(value) ? to18(value) : undefined;
}

/** The key prefix ('00Q') of an id-shaped string. */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Base-62, fixed width. */
export function base62(n: number, width: number): string {
  let out = '';
  let rest = Math.floor(n);
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  if (out.length > width) throw new RangeError(`${n} does not fit in ${width} base-62 digits`);
  return out.padStart(width, '0');
}

/**
 * Issues ids from one counter per key prefix, so the same sequence of
 * operations always yields the same ids. Characters 4–6 are a fixed pod
 * ('8d') and the reserved '0', as in real ids like 0018M000001oWgPQAU.
 */
export class IdFactory {
  private readonly counters = new Map<string, number>();

  constructor(private readonly pod = '8d') {}

  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return to18(`${prefix}${this.pod}0${base62(n, 9)}`);
  }
}
