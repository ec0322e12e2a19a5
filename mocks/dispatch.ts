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
 *
 * A handler list is indexed once per request method: only the handlers that
 * take that method are tried, in their order, and a plain handler whose
 * path's literal text (`/sobjects`, `/query`...) is not in the URL is passed
 * over before its matcher runs (msw matches case-insensitively, so the test
 * is on lower-cased text). Neither can skip a handler that would match, so the
 * first match is msw's.
 *
 * Which handlers match a URL depends on the method and the URL's origin and
 * path only, and an engine asks for the same few dozen of them over and over
 * (the Composite resource, describes, queries, the change feed): the handlers
 * a (method, URL) pair reaches, with their params, are kept per handler list
 * (at most PLANS_PER_METHOD URLs per method, then started afresh) and each
 * request gets its own copy of the params.
 */
import { createRequire } from 'node:module';
import { HttpHandler, type RequestHandler } from 'msw';

type Params = Record<string, string | string[]>;
type Matcher = (url: string) => Params | undefined;
type PathMatch = (path: string) => false | { params: Params };

/** path-to-regexp as msw itself resolves it (msw 2 depends on 6.x; the top level may hold another major). */
const { match, parse } = createRequire(createRequire(import.meta.url).resolve('msw'))('path-to-regexp') as {
  match: (path: string, options: { decode: (s: string) => string }) => PathMatch;
  parse: (path: string) => Array<string | { prefix: string; suffix: string; modifier: string }>;
};

interface Fast {
  method: (m: string) => boolean;
  /** Lower-cased literal runs of the path, in order: a URL that lacks one cannot match. */
  literals: string[];
  matches: Matcher;
  resolver: (info: Record<string, unknown>) => unknown;
}

/** One handler of a list, as dispatch tries it: `fast` null for a handler msw's own run answers. */
interface Entry {
  handler: RequestHandler;
  fast: Fast | null;
}

/** One handler a (method, URL) pair reaches: a plain one with the params it matched, or one msw runs itself. */
interface Step {
  entry: Entry;
  params: Params | null;
  /** What matching threw (a malformed percent-escape in the path): thrown again when a request gets this far. */
  error?: unknown;
}

/** The handlers of a list that take one method, and what each URL asked for so far reaches among them. */
interface MethodIndex {
  entries: Entry[];
  plans: Map<string, Step[]>;
}

/** A handler list's entries by request method (as the request spells it), built on first use. */
interface Index {
  handlers: RequestHandler[];
  byMethod: Map<string, MethodIndex>;
}

/** URLs remembered per method and handler list (record URLs vary without end; the rest are few). */
const PLANS_PER_METHOD = 512;

const fastPaths = new WeakMap<RequestHandler, Fast | null>();
const indexes = new WeakMap<readonly RequestHandler[], Index>();
let requests = 0;

export function dispatch(handlers: readonly RequestHandler[], request: Request): Promise<Response | undefined> {
  let outcome: Outcome;
  try {
    // msw uses the id only to pair a handler's cleanups with its request; a counter keeps it deterministic.
    const requestId = `dispatch-${(++requests).toString(36)}`;
    const index = methodIndex(handlers, request.method);
    const url = cleanUrlOf(request);
    let steps = index.plans.get(url);
    if (!steps) {
      steps = planFor(index.entries, url);
      if (index.plans.size >= PLANS_PER_METHOD) index.plans.clear();
      index.plans.set(url, steps);
    }
    outcome = runFrom(steps, 0, request, requestId);
  } catch (error) {
    return Promise.reject(error);
  }
  return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
}

type Outcome = Response | undefined | Promise<Response | undefined>;

/**
 * Tries `steps` from `from` on, in order, as msw's getResponse does (the first response wins). It stays synchronous
 * while the resolvers answer synchronously (the crash switch passing a request on) and chains on the first promise
 * one returns, with no async function layered over it: each such layer cost a promise and a microtask turn per
 * handler per request (issue 8). The handlers run in the same order, one after the other, as before.
 */
function runFrom(steps: readonly Step[], from: number, request: Request, requestId: string): Outcome {
  for (let i = from; i < steps.length; i++) {
    const { entry, params, error } = steps[i]!;
    if (error !== undefined) throw error;
    const { handler, fast } = entry;
    if (!fast || !params) return handler.run({ request, requestId }).then((result) => orNext(result?.response, steps, i, request, requestId));
    (handler as { isUsed: boolean }).isUsed = true;
    let answer: unknown;
    try {
      answer = fast.resolver(resolverInfo(request, requestId, params));
    } catch (thrown) {
      return thrownAnswer(thrown);
    }
    if (isThenable(answer)) return Promise.resolve(answer).then((value) => orNext(responseOf(value), steps, i, request, requestId), thrownAnswer);
    const response = responseOf(answer);
    if (response) return response;
  }
  return undefined;
}

/** A handler's response, or what the handlers after step `i` answer. */
function orNext(response: Response | undefined, steps: readonly Step[], i: number, request: Request, requestId: string): Outcome {
  return response ?? runFrom(steps, i + 1, request, requestId);
}

/** The entries `url` reaches, in order: every handler msw runs itself, and each plain one whose path matches. */
function planFor(entries: readonly Entry[], url: string): Step[] {
  const steps: Step[] = [];
  const lower = url.toLowerCase();
  for (const entry of entries) {
    const { fast } = entry;
    if (!fast) {
      steps.push({ entry, params: null });
      continue;
    }
    if (fast.literals.length > 0 && !containsInOrder(lower, fast.literals)) continue;
    let params: Params | undefined;
    try {
      params = fast.matches(url);
    } catch (error) {
      // Thrown only if no earlier handler answers, as when matching ran handler by handler.
      steps.push({ entry, params: null, error });
      break;
    }
    if (params) steps.push({ entry, params });
  }
  return steps;
}

/** A fresh params object for each request, as path-to-regexp makes one per match (a resolver may change it). */
function copyOf(params: Params): Params {
  const out: Params = Object.create(Object.getPrototypeOf(params) as object | null) as Params;
  for (const k in params) {
    const v = params[k]!;
    out[k] = typeof v === 'string' ? v : [...v];
  }
  return out;
}

/** The handlers of `list` that can answer `method`, in list order (every handler msw runs itself included). */
function methodIndex(list: readonly RequestHandler[], method: string): MethodIndex {
  let index = indexes.get(list);
  // A list edited in place since it was indexed is indexed again.
  if (!index || !sameHandlers(index.handlers, list)) indexes.set(list, (index = { handlers: [...list], byMethod: new Map() }));
  let byMethod = index.byMethod.get(method);
  if (!byMethod) {
    const entries: Entry[] = [];
    for (const handler of list) {
      const fast = fastPathOf(handler);
      if (!fast || fast.method(method)) entries.push({ handler, fast });
    }
    index.byMethod.set(method, (byMethod = { entries, plans: new Map() }));
  }
  return byMethod;
}

function sameHandlers(a: readonly RequestHandler[], b: readonly RequestHandler[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function containsInOrder(text: string, parts: readonly string[]): boolean {
  let from = 0;
  for (const part of parts) {
    const at = text.indexOf(part, from);
    if (at < 0) return false;
    from = at + part.length;
  }
  return true;
}

/**
 * What msw gives a resolver. Its params are a fresh copy of the plan's (a resolver may change them), made when the
 * resolver first reads them: the crash switch and the fault front never do.
 */
function resolverInfo(request: Request, requestId: string, planned: Params): Record<string, unknown> {
  let params: Params | undefined;
  return {
    request,
    requestId,
    get params() {
      return (params ??= copyOf(planned));
    },
    set params(value: Params) {
      params = value;
    },
    get cookies() {
      return cookiesOf(request);
    },
    get finalize(): never {
      throw new Error('mocks/dispatch: finalize() is not supported; use msw handler.run for such a handler');
    },
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** msw: a resolver may throw a Response to answer with it; anything else it throws is thrown on. */
function thrownAnswer(thrown: unknown): Response {
  if (thrown instanceof Response) return thrown;
  throw thrown;
}

/** What a resolver's answer (once settled) means: a Response, nothing (the next handler), or a mistake. */
function responseOf(answer: unknown): Response | undefined {
  if (answer === undefined || answer === null) return undefined;
  if (answer instanceof Response) return answer;
  throw new Error(`mocks/dispatch: a resolver returned ${Object.prototype.toString.call(answer)}, not a Response`);
}

/** What msw matches a path against: origin and path, no query or hash (`getCleanUrl`). */
function cleanUrlOf(request: Request): string {
  const href = request.url;
  // A Request's url is already serialized: for http(s) without credentials, origin + pathname is the href up to
  // its query or hash. Anything else is left to URL.
  const end = href.search(/[?#]/);
  const base = end < 0 ? href : href.slice(0, end);
  if ((base.startsWith('https://') || base.startsWith('http://')) && !base.includes('@')) return base;
  const u = new URL(href);
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
  return { method: methodOk, ...matcherOf(path), resolver };
}

/** Matchers by handler path: every World makes its own handlers on the same few dozen paths. */
const matchers = new Map<string, Pick<Fast, 'literals' | 'matches'>>();

function matcherOf(path: string): Pick<Fast, 'literals' | 'matches'> {
  let known = matchers.get(path);
  if (!known) {
    // msw's normalizePath for a path starting with '*' is cleanUrl (drop a query or hash); then coercePath.
    const pattern = coercePath(cleanPath(path));
    const test = match(pattern, { decode: decodeURIComponent });
    known = {
      literals: literalRuns(pattern),
      // A fresh params object per match, as path-to-regexp makes it.
      matches: (url) => {
        const r = test(url);
        return r === false ? undefined : r.params;
      },
    };
    matchers.set(path, known);
  }
  return known;
}

/**
 * The text every URL the pattern matches must hold, in order: its literal runs and the required prefixes and
 * suffixes of its parameters (path-to-regexp's own parse), lower-cased as msw matches case-insensitively.
 */
function literalRuns(pattern: string): string[] {
  const runs: string[] = [];
  let run = '';
  for (const token of parse(pattern)) {
    if (typeof token === 'string') {
      run += token;
      continue;
    }
    const required = token.modifier === '' || token.modifier === '+';
    if (required) run += token.prefix;
    if (run !== '') runs.push(run.toLowerCase());
    run = required ? token.suffix : '';
  }
  if (run !== '') runs.push(run.toLowerCase());
  return runs;
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
