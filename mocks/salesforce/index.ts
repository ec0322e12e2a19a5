/**
 * The Salesforce emulator for msw: an in-memory org and the handlers that
 * answer for it the way Salesforce's REST, OAuth and SOAP endpoints do.
 *
 *   import { setupServer } from 'msw/node';
 *   import { createSalesforce } from 'syncsim/salesforce';
 *   const { org, handlers } = createSalesforce();
 *   setupServer(...handlers).listen();
 *   // jsforce: loginUrl any origin, user sync@example.com / sync-password,
 *   // OAuth client syncsim / syncsim-secret.
 */
import type { RequestHandler } from 'msw';
import type { Clock } from '../../src/sim/clock.ts';
import { Org } from './org.ts';
import { SalesforceHttp, salesforceHandlers, type RequestInterceptor } from './handlers/index.ts';

export interface CreateSalesforceOptions {
  /** Clock for a new org (default: a VirtualClock at DEFAULT_EPOCH). Ignored when `org` is given. */
  clock?: Clock;
  /** An existing org to serve; otherwise a new one. */
  org?: Org;
  dailyApiLimit?: number;
  /** Session timeout after inactivity (default 2 hours). */
  sessionTtlMs?: number;
  /** OAuth connected app (default 'syncsim' / 'syncsim-secret'). */
  clientId?: string;
  clientSecret?: string;
  /** Sits around every request (fault injection, tracing). */
  intercept?: RequestInterceptor;
}

export interface Salesforce {
  org: Org;
  handlers: RequestHandler[];
  /** The HTTP layer's own state (refresh tokens, open query cursors). */
  http: SalesforceHttp;
}

export const DEFAULT_CLIENT_ID = 'syncsim';
export const DEFAULT_CLIENT_SECRET = 'syncsim-secret';
const DEFAULT_SESSION_TTL_MS = 2 * 3_600_000;

export function createSalesforce(opts: CreateSalesforceOptions = {}): Salesforce {
  const sessionTtlMs = opts.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  const org =
    opts.org ??
    new Org({
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.dailyApiLimit !== undefined ? { dailyApiLimit: opts.dailyApiLimit } : {}),
      sessionTtlMs,
    });
  const http = new SalesforceHttp({
    org,
    clock: org.clock,
    clientId: opts.clientId ?? DEFAULT_CLIENT_ID,
    clientSecret: opts.clientSecret ?? DEFAULT_CLIENT_SECRET,
    sessionTtlMs,
    ...(opts.intercept ? { intercept: opts.intercept } : {}),
  });
  return { org, handlers: salesforceHandlers(http), http };
}

export { Org } from './org.ts';
export type { OrgOptions } from './org.ts';
export { SalesforceError } from './types.ts';
export type * from './types.ts';
export { SalesforceHttp, wrap, type RequestInterceptor } from './handlers/index.ts';
