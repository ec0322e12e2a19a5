/** `GET /limits`: the org's limits keyed by name (`DailyApiRequests` …), each `{Max, Remaining}`. */
import type { HttpHandler } from 'msw';
import type { SalesforceHttp } from './context.ts';
import { json } from './respond.ts';
import { restRoute } from './rest.ts';

export function limitsHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [restRoute(sf, 'get', '/limits', 'limits', (call) => json(call.sf.org.limits()))];
}
