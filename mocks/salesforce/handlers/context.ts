/**
 * What every handler shares: the org, the clock, the connected app's
 * credentials and the HTTP layer's own state (refresh tokens, query cursors).
 * `wrap` is the one place every request passes through: it turns a
 * client's mistake into Salesforce's error answer and a bug into a plain
 * 500 without a stack trace.
 */
import type { HttpResponseResolver } from 'msw';
import type { Clock } from '../../../src/sim/clock.ts';
import { SalesforceError, type OrgApi, type SfUser } from '../types.ts';
import { apiError, internalError } from './respond.ts';
import { QueryCursors } from './cursors.ts';

/**
 * Sits around every request (faults, tracing): call `next()` for the real
 * answer, or answer yourself.
 */
export type RequestInterceptor = (request: Request, next: () => Promise<Response>) => Promise<Response>;

export interface SalesforceHttpOptions {
  org: OrgApi;
  clock: Pick<Clock, 'now'>;
  /** OAuth connected app. */
  clientId: string;
  clientSecret: string;
  /** Reported as sessionSecondsValid in the SOAP login reply. */
  sessionTtlMs: number;
  intercept?: RequestInterceptor;
}

export class SalesforceHttp {
  readonly org: OrgApi;
  readonly clock: Pick<Clock, 'now'>;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly sessionTtlMs: number;
  readonly intercept?: RequestInterceptor;
  /** refresh token → user id. Refresh tokens do not expire on their own (the connected app's default policy). */
  readonly refreshTokens = new Map<string, string>();
  readonly cursors: QueryCursors;
  private refreshCounter = 0;
  /** Sessions ended by logout/revoke, for orgs without OrgApi.closeSession. */
  private readonly closed = new Set<string>();

  constructor(opts: SalesforceHttpOptions) {
    this.org = opts.org;
    this.clock = opts.clock;
    this.clientId = opts.clientId;
    this.clientSecret = opts.clientSecret;
    this.sessionTtlMs = opts.sessionTtlMs;
    this.intercept = opts.intercept;
    this.cursors = new QueryCursors(opts.clock);
  }

  /** The user of a live session; every handler asks here rather than the org directly. */
  sessionUser(token: string): SfUser | undefined {
    if (this.closed.has(token)) return undefined;
    return this.org.sessionUser(token);
  }

  /** Ends a session (SOAP logout, OAuth revoke). */
  closeSession(token: string): void {
    if (this.org.closeSession) this.org.closeSession(token);
    else this.closed.add(token);
  }

  /**
   * A refresh token for `userId`, as the web-server (authorization code)
   * flow would hand out after a person approved the app in a browser. The
   * emulator has no browser, so tests and the control API mint them here.
   */
  issueRefreshToken(userId: string): string {
    return this.mintRefreshToken(userId);
  }

  /** A deterministic refresh token, shaped like Salesforce's (`5Aep861...`). */
  private mintRefreshToken(userId: string): string {
    this.refreshCounter += 1;
    const token = `5Aep861${this.org.orgId.slice(3, 15)}${String(this.refreshCounter).padStart(8, '0')}${userId.slice(3, 15)}`;
    this.refreshTokens.set(token, userId);
    return token;
  }
}

type Resolver = HttpResponseResolver<Record<string, string | readonly string[]>, never, never>;
type ResolverInfo = Parameters<Resolver>[0];
export type Handle = (info: ResolverInfo) => Response | Promise<Response>;

/** Runs `handle` behind the interceptor, answering SalesforceError as Salesforce does. */
export function wrap(sf: SalesforceHttp, handle: Handle): Resolver {
  // No closure per request unless an interceptor needs one.
  return (info) => (sf.intercept ? sf.intercept(info.request, () => answerOf(handle, info)) : answerOf(handle, info));
}

async function answerOf(handle: Handle, info: ResolverInfo): Promise<Response> {
  try {
    return await handle(info);
  } catch (err) {
    if (err instanceof SalesforceError) return apiError(err.status, err.errorCode, err.message, err.fields);
    return internalError(err);
  }
}
