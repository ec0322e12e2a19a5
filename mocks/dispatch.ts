/**
 * msw's `getResponse(handlers, request)` without its per-handler overhead.
 * msw runs every handler in turn, and each run parses cookies (tough-cookie),
 * compiles the handler's path with path-to-regexp, clones the request and
 * makes an AbortController before it knows whether the method and path
 * match; with 45 Salesforce handlers behind a fault wrapper that was most of
 * an in-process call's cost (issue 8).
 *
 * Here a plain HTTP handler (a method, a string path, a resolver that is not
 * a generator, not `once`) is matched by the same rule msw applies
 * (`matchRequestUrl`: the path normalized and coerced as msw does, matched by
 * msw's own copy of path-to-regexp, compiled once per handler) and its
 * resolver is called with the same arguments msw gives it: `request`,
 * `params`, `cookies`, `requestId`. A Response it throws is its answer, as
 * in msw. Every other handler goes through msw's own `handler.run`. The
 * answer is the first response a handler gives, as with getResponse.
 * test/engine/dispatch.test.ts checks both give the same answers on every
 * emulator route.
 */
import { createRequire } from 'node:module';
import { HttpHandler, type RequestHandler } from 'msw';

type Params = Record<string, string | string[]>;
type Matcher = (url: string) => Params | undefined;
type PathMatch = (path: string) => false | { params: Params };

/** path-to-regexp as msw itself resolves it (msw 2 depends on 6.x; the top level may hold another major). */
const { match } = createRequire(createRequire(import.meta.url).resolve('msw'))('path-to-regexp') as {
  match: (path: string, options: { decode: (s: string) => string }) => PathMatch;
};

interface Fast {
  method: (m: string) => boolean;
  matches: Matcher;
  resolver: (info: Record<string, unknown>) => unknown;
}

const fastPaths = new WeakMap<RequestHandler, Fast | null>();
let requests = 0;

export async function dispatch(handlers: readonly RequestHandler[], request: Request): Promise<Response | undefined> {
  // msw uses the id only to pair a handler's cleanups with its request; a counter keeps it deterministic.
  const requestId = `dispatch-${(++requests).toString(36)}`;
  let url: string | undefined;
  for (const handler of handlers) {
    const fast = fastPathOf(handler);
    if (!fast) {
      const result = await handler.run({ request, requestId });
      if (result?.response) return result.response;
      continue;
    }
    if (!fast.method(request.method)) continue;
    url ??= cleanUrlOf(request);
    const params = fast.matches(url);
    if (!params) continue;
    (handler as { isUsed: boolean }).isUsed = true;
    const response = await resolve(fast, request, requestId, params);
    if (response) return response;
  }
  return undefined;
}

async function resolve(fast: Fast, request: Request, requestId: string, params: Params): Promise<Response | undefined> {
  let answer: unknown;
  try {
    answer = await fast.resolver({
      request,
      requestId,
      params,
      get cookies() {
        return cookiesOf(request);
      },
      get finalize(): never {
        throw new Error('mocks/dispatch: finalize() is not supported; use msw handler.run for such a handler');
      },
    });
  } catch (thrown) {
    // msw: a resolver may throw a Response to answer with it.
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  if (answer === undefined || answer === null) return undefined;
  if (answer instanceof Response) return answer;
  throw new Error(`mocks/dispatch: a resolver returned ${Object.prototype.toString.call(answer)}, not a Response`);
}

/** What msw matches a path against: origin and path, no query or hash (`getCleanUrl`). */
function cleanUrlOf(request: Request): string {
  const u = new URL(request.url);
  return u.origin + u.pathname;
}

/** The cookies msw would give a resolver in Node: those of the Cookie header (no document; no stored cookie is set here). */
function cookiesOf(request: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return out;
}

function fastPathOf(handler: RequestHandler): Fast | null {
  let fast = fastPaths.get(handler);
  if (fast === undefined) {
    fast = plainHttp(handler);
    fastPaths.set(handler, fast);
  }
  return fast;
}

function plainHttp(handler: RequestHandler): Fast | null {
  if (!(handler instanceof HttpHandler)) return null;
  const { method, path } = handler.info;
  const resolver = (handler as unknown as { resolver: Fast['resolver'] }).resolver;
  const kind = resolver?.constructor?.name;
  if (typeof path !== 'string' || !path.startsWith('*') || (handler as unknown as { options?: { once?: boolean } }).options?.once) return null;
  if (typeof resolver !== 'function' || kind === 'GeneratorFunction' || kind === 'AsyncGeneratorFunction') return null;
  const methodOk =
    typeof method === 'string'
      ? (m: string) => m.toLowerCase() === method.toLowerCase()
      : method instanceof RegExp
        ? (m: string) => method.test(m)
        : undefined;
  if (!methodOk) return null;
  // msw's normalizePath for a path starting with '*' is cleanUrl (drop a query or hash); then coercePath.
  const test = match(coercePath(cleanPath(path)), { decode: decodeURIComponent });
  return {
    method: methodOk,
    matches: (url) => {
      const r = test(url);
      return r === false ? undefined : r.params;
    },
    resolver,
  };
}

/** msw's cleanUrl (utils/url/cleanUrl). */
function cleanPath(path: string): string {
  return path.endsWith('?') ? path : path.replace(/[?|#].*$/g, '');
}

/** msw's coercePath (utils/matching/matchRequestUrl), which turns msw's wildcards into path-to-regexp groups. */
function coercePath(path: string): string {
  return path
    .replace(/([:a-zA-Z_-]*)(\*{1,2})+/g, (_, parameterName: string, wildcard: string) => {
      const expression = '(.*)';
      if (!parameterName) return expression;
      return parameterName.startsWith(':') ? `${parameterName}${wildcard}` : `${parameterName}${expression}`;
    })
    .replace(/([^/])(:)(?=(?:\d+|\(\.\*\))(?=\/|$))/, '$1\\$2')
    .replace(/^([^/]+)(:)(?=\/\/)/, '$1\\$2');
}
