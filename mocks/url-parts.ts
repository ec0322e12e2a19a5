/**
 * The path and query of a request's URL, read off the text. `Request.url` is
 * already serialized by the WHATWG URL parser, so the path is the text from
 * the first `/` after the authority up to `?` or `#`, exactly what
 * `new URL(url).pathname` gives, without building a URL object for each of
 * the engine's requests (the simulator looks at every one of them twice, the
 * emulators' fault front once).
 */
export interface UrlParts {
  pathname: string;
  /** The query without its `?` ('' when there is none). */
  query: string;
}

export function urlParts(url: string): UrlParts {
  const scheme = url.indexOf('://');
  if (scheme < 0) {
    // Not an absolute URL with an authority: let the parser decide.
    const u = new URL(url);
    return { pathname: u.pathname, query: u.search.slice(1) };
  }
  let end = url.indexOf('#', scheme + 3);
  if (end < 0) end = url.length;
  let start = url.indexOf('/', scheme + 3);
  if (start < 0 || start > end) start = end;
  const q = url.indexOf('?', scheme + 3);
  const queryAt = q >= 0 && q < end ? q : -1;
  if (queryAt >= 0 && queryAt < start) start = queryAt;
  const pathname = url.slice(start, queryAt >= 0 ? queryAt : end) || '/';
  return { pathname, query: queryAt >= 0 ? url.slice(queryAt + 1, end) : '' };
}

/**
 * `new URL(url).searchParams` for a query read by urlParts. URLSearchParams drops one leading `?` from a string
 * (URL's own searchParams never does), so a query that starts with `?` is given one to drop.
 */
export function queryParams(query: string): URLSearchParams {
  return new URLSearchParams(query.charCodeAt(0) === 0x3f ? `?${query}` : query);
}
