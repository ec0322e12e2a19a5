/**
 * Response builders with Salesforce's exact wire shapes: JSON with
 * `application/json;charset=UTF-8`, REST errors as a one-element array of
 * `{message, errorCode, fields?}`, SOAP answers as `text/xml`.
 *
 * Answers are Responses with the status text msw's `HttpResponse` would
 * give them: the same status, status text, headers and body, at a fraction
 * of the cost (HttpResponse re-normalizes its init through a Headers copy and
 * a subclass constructor on every answer; a text body is a TextResponse,
 * which builds no stream unless one is asked for; issue 8).
 */
import { HttpResponse } from 'msw';
import type { SaveError } from '../types.ts';
import { textResponse } from '../../text-response.ts';

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const XML_TYPE = 'text/xml;charset=UTF-8';

export interface ApiError {
  message: string;
  errorCode: string;
  fields?: string[];
}

const statusTexts = new Map<number, string>();

/** The status text msw's HttpResponse sets for `status` (its own table, asked once per code). */
export function statusTextOf(status: number): string {
  let text = statusTexts.get(status);
  if (text === undefined) statusTexts.set(status, (text = new HttpResponse(null, { status }).statusText));
  return text;
}

/** A plain Response as `new HttpResponse(body, {status, headers})` would make it. */
export function answer(body: string | null, status: number, headers: Record<string, string>): Response {
  const init = { status, statusText: statusTextOf(status), headers };
  return body === null ? new Response(null, init) : textResponse(body, init);
}

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Content-Type': JSON_TYPE });
const XML_HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'Content-Type': XML_TYPE });
const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

function hasAny(headers: Record<string, string>): boolean {
  for (const _ in headers) return true;
  return false;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = NO_HEADERS): Response {
  return jsonText(JSON.stringify(body), status, headers);
}

/** A JSON answer whose text is already written (`JSON.stringify` output, or a cached describe). */
export function jsonText(text: string, status = 200, headers: Record<string, string> = NO_HEADERS): Response {
  return answer(text, status, hasAny(headers) ? { 'Content-Type': JSON_TYPE, ...headers } : JSON_HEADERS);
}

/** 204 No Content: updates and deletes. */
export function noContent(headers: Record<string, string> = NO_HEADERS): Response {
  return answer(null, 204, headers);
}

/**
 * One REST error. Salesforce answers a failed single-record call with an
 * array holding exactly one object; jsforce turns two or more into
 * MULTIPLE_API_ERRORS, so every caller passes one.
 */
export function apiError(status: number, errorCode: string, message: string, fields?: string[]): Response {
  const error: ApiError = { message, errorCode };
  if (fields !== undefined) error.fields = fields;
  return json([error], status);
}

/** The HTTP status Salesforce uses for a single-record save error. */
export function statusForSaveError(code: string): number {
  switch (code) {
    case 'ENTITY_IS_DELETED':
    case 'NOT_FOUND':
      return 404;
    case 'REQUEST_LIMIT_EXCEEDED':
    case 'INSUFFICIENT_ACCESS':
    case 'API_DISABLED_FOR_ORG':
      return 403;
    default:
      return 400;
  }
}

/** A single-record save failure: collection `statusCode` becomes REST `errorCode`. */
export function saveErrorResponse(error: SaveError): Response {
  return apiError(statusForSaveError(error.statusCode), error.statusCode, error.message, error.fields);
}

export function xml(body: string, status = 200): Response {
  return answer(body, status, XML_HEADERS);
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export function notFound(): Response {
  return apiError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
}

export function sessionInvalid(): Response {
  return apiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
}

/** An unexpected failure inside the emulator (a bug, not the client's fault): no stack, the message only. */
export function internalError(err: unknown): Response {
  const detail = err instanceof Error ? err.message : String(err);
  // Salesforce hides the cause behind an ErrorId; the message helps whoever debugs the emulator.
  return apiError(500, 'UNKNOWN_EXCEPTION', `An unexpected error occurred in the emulator: ${detail}`);
}
