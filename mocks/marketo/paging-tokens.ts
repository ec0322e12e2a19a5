/**
 * Paging tokens. Marketo's tokens are opaque base32 strings
 * ("GIYDAOBNGEYS2MBW…"); ours are base32 of a short text that names what
 * they page through and where:
 *   - activity position: `A:<next activity id to scan>` (date tokens from
 *     pagingtoken.json and the cursors of activities.json, leadchanges.json
 *     and deletedleads.json are the same kind, as in Marketo);
 *   - offset cursors for GET leads.json and schema/fields.json: `O:<kind>:<offset>`.
 */
import { MarketoError } from './types.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

export function unbase32(token: string): string | undefined {
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of token.toUpperCase().replace(/=+$/, '')) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) return undefined;
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function invalidToken(token: string): MarketoError {
  // [UNCONFIRMED] Marketo's exact code for a malformed token; 1003 "Invalid data" is our choice.
  return new MarketoError('1003', `Invalid nextPageToken '${token.length > 40 ? `${token.slice(0, 40)}…` : token}'`);
}

export function activityToken(nextId: number): string {
  return base32(`A:${nextId}`);
}

/** The activity id a token resumes from. */
export function readActivityToken(token: string): number {
  const m = /^A:(\d+)$/.exec(unbase32(token) ?? '');
  if (!m) throw invalidToken(token);
  return Number(m[1]);
}

export function offsetToken(kind: string, offset: number): string {
  return base32(`O:${kind}:${offset}`);
}

export function readOffsetToken(kind: string, token: string): number {
  const m = /^O:([a-z]+):(\d+)$/.exec(unbase32(token) ?? '');
  if (!m || m[1] !== kind) throw invalidToken(token);
  return Number(m[2]);
}
