/**
 * What an endpoint module provides: routes matched on the path (never the
 * host), each a thin function from a parsed request to an envelope outcome.
 * Response-level errors are thrown as MarketoError; the pipeline turns them
 * into Marketo's HTTP 200 `success:false` envelope.
 */
import type { MarketoInstance } from '../instance.ts';
import { MarketoError } from '../types.ts';

export interface LogNote {
  fieldsRead: string[];
  fieldsWritten: string[];
  records?: number;
}

export interface RouteContext {
  instance: MarketoInstance;
  /** Query parameters (plus the form body of a `_method=GET` POST). */
  query: URLSearchParams;
  /** Capture groups of the route's pattern. */
  params: string[];
  /** Parsed JSON body for `body: 'json'` routes. */
  body: unknown;
  note: LogNote;
}

export interface Outcome {
  result?: unknown[];
  moreResult?: boolean;
  nextPageToken?: string;
  warnings?: string[];
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** Matched against the URL's pathname. */
  pattern: RegExp;
  operation: string;
  /** 'json': the request must carry a JSON body (612/609 otherwise). */
  body?: 'json';
  run(ctx: RouteContext): Outcome;
}

/** An integer query parameter within bounds; a bad one is 1003 naming the parameter. */
export function intParam(query: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return def;
  if (!/^\d+$/.test(raw.trim())) throw new MarketoError('1003', `Invalid value '${raw}' for ${name}: a whole number from ${min} to ${max}`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new MarketoError('1003', `Invalid value '${raw}' for ${name}: a whole number from ${min} to ${max}`);
  return n;
}

/** A comma-separated list parameter (empty items dropped). */
export function listParam(query: URLSearchParams, name: string): string[] {
  const raw = query.getAll(name).join(',');
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Comma-separated positive integers; a bad item is 1003 naming the parameter. */
export function idListParam(query: URLSearchParams, name: string): number[] {
  return listParam(query, name).map((s) => {
    if (!/^\d+$/.test(s)) throw new MarketoError('1003', `Invalid value '${s}' in ${name}: ids are whole numbers`);
    return Number(s);
  });
}

/** The object body of a JSON request (1003 when it is not an object). */
export function objectBody(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MarketoError('1003', 'Invalid request body: expected a JSON object');
  }
  return body as Record<string, unknown>;
}
