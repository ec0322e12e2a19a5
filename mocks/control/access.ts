/**
 * Who may use the control API (issue 7 §2). It can rewrite both systems'
 * data, so it answers loopback clients only, unless `--host` opened the
 * server to other interfaces; then a client from elsewhere must show the
 * token printed at start (Authorization: Bearer, or x-syncsim-token).
 * The emulated APIs themselves are not gated here: they have their own auth.
 */
import { timingSafeEqual } from 'node:crypto';

export interface ControlAccessOptions {
  /** True when the server listens beyond loopback (`--host`). */
  opened: boolean;
  /** Required from non-loopback clients when opened. */
  token?: string;
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; code: string; message: string };

/** 127.0.0.0/8, ::1 and their IPv4-mapped IPv6 forms. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The hosts `--host` may name and still count as loopback only. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || isLoopback(host);
}

function presentedToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers['authorization'];
  const m = typeof auth === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(auth) : null;
  if (m) return m[1];
  const t = headers['x-syncsim-token'];
  return typeof t === 'string' ? t.trim() : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function controlAccess(
  remoteAddress: string | undefined,
  headers: Record<string, string | string[] | undefined>,
  opts: ControlAccessOptions,
): AccessDecision {
  if (isLoopback(remoteAddress)) return { ok: true };
  if (!opts.opened || !opts.token) {
    return { ok: false, status: 403, code: 'FORBIDDEN', message: 'the control API answers loopback clients only (start sync-sim serve with --host to open it, with a token)' };
  }
  const given = presentedToken(headers);
  if (!given) return { ok: false, status: 401, code: 'TOKEN_REQUIRED', message: 'the control API needs the token printed at start: Authorization: Bearer <token> or x-syncsim-token: <token>' };
  if (!sameSecret(given, opts.token)) return { ok: false, status: 403, code: 'BAD_TOKEN', message: 'wrong control API token' };
  return { ok: true };
}
