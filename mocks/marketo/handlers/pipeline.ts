/**
 * The one place every Marketo request passes (faults can wrap `handle`).
 * In order: URI size (414), body size (413), Identity, access token
 * (601/602), limits (615/606/607), the test hold, route (610/605), content
 * type (612), JSON (609), the endpoint, then limits bookkeeping and the
 * request log. A client's mistake is always an envelope, never a 500; an
 * unexpected fault in the emulator itself is 611 "System error".
 */
import type { MarketoInstance } from '../instance.ts';
import type { Ticket } from '../limits.ts';
import { UNCOUNTED_CODES } from '../limits.ts';
import { MarketoError } from '../types.ts';
import { textResponse } from '../../text-response.ts';
import { requestBytesAndText } from '../../request-text.ts';
import { queryParams, urlParts } from '../../url-parts.ts';
import { identityResponse, IDENTITY_PATH } from './identity.ts';
import type { LogNote, Outcome, Route } from './route.ts';

export type MarketoHandle = (request: Request) => Promise<Response>;

export const MAX_URI_LENGTH = 8 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

const JSON_HEADERS = { 'content-type': 'application/json;charset=UTF-8' };
const NO_BODY = { size: 0, text: '' };

function json(body: unknown, status = 200): Response {
  return textResponse(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

function codesOfResults(result: unknown[] | undefined): string[] {
  const out: string[] = [];
  for (const r of result ?? []) {
    const reasons = (r as { reasons?: Array<{ code: string }> } | null)?.reasons;
    if (Array.isArray(reasons)) for (const reason of reasons) out.push(reason.code);
  }
  return out;
}

function bearer(request: Request, query: URLSearchParams): string | null {
  const header = request.headers.get('authorization');
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (m) return m[1]!;
  // The access_token query parameter is being retired by Marketo, but still accepted (reference B1).
  return query.get('access_token');
}

export function createPipeline(instance: MarketoInstance, routes: Route[]): MarketoHandle {
  return async function handle(request: Request): Promise<Response> {
    const seq = instance.nextRequestSeq();
    const requestId = `${(0xe000 + (seq & 0xfff)).toString(16)}#${(instance.clock.now() * 16 + (seq & 0xf)).toString(16)}`;
    // Path and query read off the URL's text (the same as URL's pathname and search, without parsing it again).
    const { pathname, query: rawQuery } = urlParts(request.url);
    let method = request.method.toUpperCase();
    const note: LogNote = { fieldsRead: [], fieldsWritten: [] };
    let operation = 'unknown';
    let ticket: Ticket | undefined;

    const done = (response: Response, success: boolean, errorCodes: string[]): Response => {
      instance.logRequest({
        seq,
        method,
        path: pathname,
        operation,
        fieldsRead: [...new Set(note.fieldsRead)],
        fieldsWritten: [...new Set(note.fieldsWritten)],
        status: response.status,
        success,
        errorCodes,
        ...(note.records !== undefined ? { records: note.records } : {}),
      });
      return response;
    };
    const fail = (code: string, message: string): Response => {
      if (ticket) instance.limits.finish(ticket, !UNCOUNTED_CODES.has(code));
      ticket = undefined;
      return done(json({ requestId, success: false, errors: [{ code, message }] }), false, [code]);
    };

    try {
      if (pathname.length + (rawQuery === '' ? 0 : rawQuery.length + 1) > MAX_URI_LENGTH) {
        operation = 'rejected';
        return done(new Response('Request-URI Too Long', { status: 414 }), false, ['414']);
      }
      const { size, text: bodyText } = method === 'GET' || method === 'HEAD' ? NO_BODY : await requestBytesAndText(request);
      if (size > MAX_BODY_BYTES) {
        operation = 'rejected';
        return done(new Response('Request Entity Too Large', { status: 413 }), false, ['413']);
      }
      const contentType = (request.headers.get('content-type') ?? '').toLowerCase();

      if (pathname.startsWith('/identity/')) {
        operation = 'identity';
        if (!IDENTITY_PATH.test(pathname)) return done(json({ error: 'not_found', error_description: `No such path ${pathname}` }, 404), false, ['404']);
        const r = identityResponse(instance, method, queryParams(rawQuery), bodyText, contentType);
        return done(json(r.body, r.status), r.status === 200, r.errorCodes);
      }

      // POST with _method=GET carries a long query in a form body (reference B2).
      const query = queryParams(rawQuery);
      let parsedBody: string | undefined = bodyText;
      if (method === 'POST' && query.get('_method')?.toUpperCase() === 'GET') {
        method = 'GET';
        query.delete('_method');
        if (contentType.includes('application/x-www-form-urlencoded')) {
          for (const [k, v] of new URLSearchParams(bodyText)) query.append(k, v);
        }
        parsedBody = undefined;
      }

      const token = bearer(request, query);
      // [UNCONFIRMED] the 601 message for a call without any token; the documented 601 text is 'Access token invalid'.
      if (!token) return fail('601', 'Access token not specified');
      const state = instance.identity.check(token);
      if (state === 'unknown') return fail('601', 'Access token invalid');
      if (state === 'expired') return fail('602', 'Access token expired');

      const admission = instance.limits.admit();
      if (!admission.ok) return fail(admission.code, admission.message);
      ticket = admission.ticket;
      await instance.passGate();

      // The first route for this path and method; 605 when the path is known under other methods only.
      let route: Route | undefined;
      let params: string[] = [];
      let onPath = false;
      for (const r of routes) {
        const m = r.pattern.exec(pathname);
        if (!m) continue;
        onPath = true;
        if (r.method !== method) continue;
        route = r;
        params = m.slice(1);
        break;
      }
      if (!onPath) return fail('610', 'Requested resource not found');
      if (!route) return fail('605', 'HTTP Method not supported');
      operation = route.operation;

      let body: unknown;
      if (route.body === 'json') {
        if (!contentType.includes('application/json')) return fail('612', 'Invalid Content Type');
        try {
          body = JSON.parse(parsedBody ?? '');
        } catch {
          return fail('609', 'Invalid JSON');
        }
      }

      let outcome: Outcome;
      try {
        outcome = route.run({ instance, query, params, body, note });
      } catch (e) {
        if (e instanceof MarketoError) return fail(e.code, e.message);
        throw e;
      }
      instance.limits.finish(ticket, true);
      ticket = undefined;
      const envelope = {
        requestId,
        success: true,
        ...(outcome.warnings && outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {}),
        ...(outcome.result !== undefined ? { result: outcome.result } : {}),
        ...(outcome.nextPageToken !== undefined ? { nextPageToken: outcome.nextPageToken } : {}),
        ...(outcome.moreResult !== undefined ? { moreResult: outcome.moreResult } : {}),
      };
      return done(json(envelope), true, codesOfResults(outcome.result));
    } catch {
      return fail('611', 'System error');
    } finally {
      if (ticket) instance.limits.finish(ticket, true);
    }
  };
}
