/**
 * The fetch the engine's clients can be given instead of the real network:
 * WHATWG `(Request) => Promise<Response>`, or the global `fetch` itself.
 */
export type FetchFn = ((input: Request) => Promise<Response>) | typeof fetch;
