/**
 * msw's `getResponse(handlers, request)`, minus the work on handlers that
 * cannot match. msw runs every handler in turn, and each run parses cookies
 * (tough-cookie), compiles its path pattern with path-to-regexp and clones
 * the request before it even knows whether the method and path match; with
 * 45 Salesforce handlers that is most of a simulated call's cost.
 *
 * Here a handler whose method differs, or whose path pattern's literal text
 * is not in the URL (in order, ignoring case, as path-to-regexp matches), is
 * skipped: msw would have found no match for it either. Every other handler
 * goes through msw's own `handler.run`, so matching, params, `once` handlers
 * and resolver semantics stay msw's. The answer is the first response a
 * handler gives, as with getResponse.
 */
import { HttpHandler, type RequestHandler } from 'msw';

type Prefilter = (method: string, url: string) => boolean;

const prefilters = new WeakMap<RequestHandler, Prefilter | null>();
let requests = 0;

export async function dispatch(handlers: readonly RequestHandler[], request: Request): Promise<Response | undefined> {
  // msw uses the id only to pair a handler's cleanups with its request; a counter keeps it deterministic.
  const requestId = `dispatch-${(++requests).toString(36)}`;
  let url: string | undefined;
  for (const handler of handlers) {
    const canMatch = prefilterOf(handler);
    if (canMatch) {
      url ??= matchedUrl(request);
      if (!canMatch(request.method, url)) continue;
    }
    const result = await handler.run({ request, requestId });
    if (result?.response) return result.response;
  }
  return undefined;
}

/** What msw matches a path pattern against: origin and path, no query or hash (getCleanUrl), lower-cased here. */
function matchedUrl(request: Request): string {
  const u = new URL(request.url);
  return (u.origin + u.pathname).toLowerCase();
}

function prefilterOf(handler: RequestHandler): Prefilter | null {
  let p = prefilters.get(handler);
  if (p === undefined) {
    p = handler instanceof HttpHandler ? httpPrefilter(handler.info.method, handler.info.path) : null;
    prefilters.set(handler, p);
  }
  return p;
}

/**
 * A conservative test for an HttpHandler: false only when msw's own predicate
 * would be false. Patterns with path-to-regexp syntax beyond `*` and `:name`
 * (groups, modifiers, escapes) or relative paths get no path test.
 */
function httpPrefilter(method: unknown, path: unknown): Prefilter | null {
  const methodOk =
    typeof method === 'string'
      ? (m: string) => m.toLowerCase() === method.toLowerCase()
      : method instanceof RegExp
        ? (m: string) => method.test(m)
        : undefined;
  if (!methodOk) return null;
  let pieces: string[] = [];
  if (typeof path === 'string' && path.startsWith('*') && !/[(){}?+\\|#]/.test(path)) {
    pieces = path
      .split(/\*+|:\w+/)
      .filter((s) => s.length > 0)
      .map((s) => s.toLowerCase());
  }
  return (m, url) => {
    if (!methodOk(m)) return false;
    let from = 0;
    for (const piece of pieces) {
      const at = url.indexOf(piece, from);
      if (at < 0) return false;
      from = at + piece.length;
    }
    return true;
  };
}
