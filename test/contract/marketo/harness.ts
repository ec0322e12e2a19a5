/**
 * Test harness for the Marketo contract suite: one msw server per test file,
 * a fresh instance on a fresh virtual clock before each test, and a small
 * `fetch` client that speaks plain HTTP as any Marketo client would.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
// Through the package export, as users import it.
import { createMarketo, mswHandlers } from 'syncsim/marketo';
import type { Marketo, MarketoOptions } from 'syncsim/marketo';

export const BASE = 'https://123-ABC-456.mktorest.com';

export interface Reply {
  status: number;
  body: any;
  text: string;
}

export interface CallOptions {
  method?: string;
  query?: Record<string, string | number>;
  /** JSON-encoded unless a string. */
  body?: unknown;
  contentType?: string;
  /** null sends no token; undefined uses the harness's token. */
  token?: string | null;
  tokenIn?: 'header' | 'query';
}

export function marketoHarness(opts: () => MarketoOptions = () => ({})) {
  let current: Marketo;
  let clock: VirtualClock;
  let token: string | undefined;
  const server = setupServer(...mswHandlers((request) => current.handle(request)));
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterAll(() => server.close());
  beforeEach(() => {
    clock = new VirtualClock();
    current = createMarketo({ clock, ...opts() });
    token = undefined;
  });

  async function getToken(): Promise<string> {
    const r = await fetch(`${BASE}/identity/oauth/token?grant_type=client_credentials&client_id=syncsim&client_secret=syncsim-secret`);
    const body = (await r.json()) as { access_token: string };
    return body.access_token;
  }

  async function call(path: string, o: CallOptions = {}): Promise<Reply> {
    const url = new URL(BASE + path);
    for (const [k, v] of Object.entries(o.query ?? {})) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {};
    // Like a careful client, the harness renews its token once it has expired.
    if (o.token === undefined && (token === undefined || current.instance.identity.check(token) !== 'valid')) token = await getToken();
    const t = o.token === undefined ? token! : o.token;
    if (t !== null) {
      if (o.tokenIn === 'query') url.searchParams.set('access_token', t);
      else headers.authorization = `Bearer ${t}`;
    }
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    const r = await fetch(url, { method: o.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
    const text = await r.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: r.status, body: parsed, text };
  }

  return {
    server,
    get instance() {
      return current.instance;
    },
    get clock() {
      return clock;
    },
    getToken,
    call,
    get: (path: string, query?: Record<string, string | number>, o: CallOptions = {}) => call(path, { ...o, query }),
    post: (path: string, body: unknown, o: CallOptions = {}) => call(path, { ...o, method: 'POST', body }),
  };
}

export const REQUEST_ID = /^[0-9a-f]{4}#[0-9a-f]+$/;

/** Marketo's response-level error envelope. */
export function errorEnvelope(code: string, message: string | RegExp) {
  return {
    requestId: expect.stringMatching(REQUEST_ID),
    success: false,
    errors: [{ code, message: typeof message === 'string' ? message : expect.stringMatching(message) }],
  };
}
