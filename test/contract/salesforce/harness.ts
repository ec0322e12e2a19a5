/**
 * Shared set-up for the jsforce contract suite: one org on a virtual clock,
 * its handlers behind msw's setupServer, and jsforce connections to it.
 *
 * jsforce 3.10.16 retries 420/429/5xx on GET/PUT/HEAD/OPTIONS/DELETE with
 * real setTimeout sleeps (lib/request.js `retryOpts`). Its `retry` option is
 * read per request from the transport's options, so `noRetries(conn)` wraps
 * the connection's transport to pass `{ retry: { maxRetries: 0 } }`: an
 * emulator 5xx then fails fast instead of sleeping ~15 s of wall time.
 */
import { afterAll, beforeAll } from 'vitest';
import { setupServer } from 'msw/node';
import { Connection } from 'jsforce';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { createSalesforce, type Salesforce } from '../../../mocks/salesforce/index.ts';

export const LOGIN_URL = 'https://login.syncsim.test';
export const SYNC_USER = { username: 'sync@example.com', password: 'sync-password' };
export const CLIENT = { clientId: 'syncsim', clientSecret: 'syncsim-secret' };
export const VERSION = '60.0';

export interface Harness extends Salesforce {
  clock: VirtualClock;
  server: ReturnType<typeof setupServer>;
}

/** Starts an msw server around a fresh emulator for the file; closes it after. */
export function useSalesforce(opts: { dailyApiLimit?: number; sessionTtlMs?: number } = {}): Harness {
  const clock = new VirtualClock();
  const sf = createSalesforce({ clock, ...opts });
  const server = setupServer(...sf.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  return { ...sf, clock, server };
}

interface TransportLike {
  httpRequest(req: unknown, options?: Record<string, unknown>): unknown;
}

/** Turns jsforce's wall-clock retries off for this connection (see the file comment). */
export function noRetries<C extends Connection>(conn: C): C {
  const transport = (conn as unknown as { _transport: TransportLike })._transport;
  const original = transport.httpRequest.bind(transport);
  transport.httpRequest = (req, options = {}) => original(req, { ...options, retry: { maxRetries: 0 } });
  return conn;
}

/** `conn.login(u, p)` without OAuth settings: SOAP login. */
export async function soapConnection(user = SYNC_USER): Promise<Connection> {
  const conn = noRetries(new Connection({ loginUrl: LOGIN_URL, version: VERSION }));
  await conn.login(user.username, user.password);
  return conn;
}

/** OAuth 2.0 username-password flow (jsforce uses it when clientId and clientSecret are set). */
export async function oauthConnection(user = SYNC_USER): Promise<Connection> {
  const conn = noRetries(new Connection({ oauth2: { ...CLIENT, loginUrl: LOGIN_URL }, version: VERSION }));
  await conn.login(user.username, user.password);
  return conn;
}

/** A raw REST call with a session, for statuses and headers jsforce hides. */
export async function raw(conn: Connection, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
  const url = path.startsWith('http') ? path : `${conn.instanceUrl}${path.startsWith('/services') ? '' : `/services/data/v${VERSION}`}${path}`;
  return fetch(url, {
    method,
    headers: { Authorization: `Bearer ${conn.accessToken}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
    ...(body !== undefined ? { body } : {}),
  });
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejection(promise: PromiseLike<unknown>): Promise<Error & { errorCode?: string; data?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { errorCode?: string; data?: Record<string, unknown> };
  }
  throw new Error('expected the call to fail, but it succeeded');
}
