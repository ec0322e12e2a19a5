/**
 * The fetch the engine's clients can be given instead of the real network:
 * the global `fetch` itself, or anything called the same way. The clients
 * call it as `fetch(url, init)`, as any client does (jsforce-fetch.ts,
 * marketo.ts), so a stand-in must take that form (it may take a Request too).
 */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
