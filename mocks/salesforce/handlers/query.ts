/**
 * SOQL over REST: `GET /query?q=`, `/queryAll?q=` (adds deleted and
 * merged-away rows) and `GET /query/{locator}` for the next page. Pages hold
 * 2,000 rows unless `Sforce-Query-Options: batchSize=N` asks for fewer
 * (200..2000); the rest waits in a server-side cursor.
 */
import type { HttpHandler } from 'msw';
import { SalesforceError } from '../types.ts';
import { runQuery } from '../soql/index.ts';
import type { SalesforceHttp } from './context.ts';
import { json, jsonText } from './respond.ts';
import { restRoute, type ApiCall } from './rest.ts';

export const DEFAULT_BATCH_SIZE = 2000;
export const MIN_BATCH_SIZE = 200;

/** The page size a request asks for; Salesforce treats it as a hint within 200..2000. */
export function batchSize(request: Request): number {
  const header = request.headers.get('sforce-query-options') ?? '';
  const m = /batchSize\s*=\s*(\d+)/i.exec(header);
  if (!m) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(m[1])));
}

function run(call: ApiCall, includeDeleted: boolean): Response {
  const soql = call.queryParam('q');
  if (soql === null || soql.trim() === '') {
    throw new SalesforceError('MALFORMED_QUERY', 'A query string has to be specified', 400);
  }
  const result = runQuery(soql, call.sf.org.queryContext(call.user.id), { includeDeleted, apiVersion: call.version });
  call.note.object = result.object;
  call.note.fieldsRead = result.fieldsRead;
  return jsonText(call.sf.cursors.firstText(call.user.id, call.version, result, batchSize(call.request)));
}

function more(call: ApiCall): Response {
  return json(call.sf.cursors.next(call.user.id, call.version, call.params['locator'] ?? ''));
}

export function queryHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    restRoute(sf, 'get', '/query', 'query', (call) => run(call, false)),
    restRoute(sf, 'get', '/queryAll', 'queryAll', (call) => run(call, true)),
    restRoute(sf, 'get', '/query/:locator', 'queryMore', more),
    restRoute(sf, 'get', '/queryAll/:locator', 'queryMore', more),
  ];
}
