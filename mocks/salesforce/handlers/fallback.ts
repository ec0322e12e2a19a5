/**
 * What is left once no endpoint matched: a known resource asked with a
 * method it does not take answers 405 METHOD_NOT_ALLOWED naming the
 * allowed ones (HEAD is served as GET without a body); any other path
 * below `/services/data/vXX.X` answers 404 NOT_FOUND. Both still need a
 * session and are logged, like every REST call.
 */
import { http, HttpResponse, type HttpHandler, type RequestHandler } from 'msw';
import { dispatch } from '../../dispatch.ts';
import { wrap, type SalesforceHttp } from './context.ts';
import { apiError, notFound } from './respond.ts';
import { runApiCall } from './rest.ts';

/** Resources and the methods they take, most specific first (as msw matches in order). */
const RESOURCES: Array<[string, string[]]> = [
  ['', ['GET', 'HEAD']],
  ['/sobjects', ['GET', 'HEAD']],
  ['/sobjects/:type/describe', ['GET', 'HEAD']],
  ['/sobjects/:type/updated', ['GET', 'HEAD']],
  ['/sobjects/:type/deleted', ['GET', 'HEAD']],
  ['/sobjects/:type', ['GET', 'POST', 'HEAD']],
  ['/sobjects/:type/:id', ['GET', 'PATCH', 'DELETE', 'HEAD']],
  ['/sobjects/:type/:extField/:value', ['PATCH']],
  ['/query', ['GET', 'HEAD']],
  ['/queryAll', ['GET', 'HEAD']],
  ['/query/:locator', ['GET', 'HEAD']],
  ['/queryAll/:locator', ['GET', 'HEAD']],
  ['/limits', ['GET', 'HEAD']],
  ['/composite/sobjects', ['POST', 'PATCH', 'DELETE']],
  ['/composite/sobjects/:type', ['GET', 'POST', 'HEAD']],
  ['/composite/sobjects/:type/:extField', ['PATCH']],
];

/** `handlers()` is every Salesforce handler, so HEAD can be answered by the GET endpoint. */
export function fallbackHandlers(sf: SalesforceHttp, handlers: () => RequestHandler[]): HttpHandler[] {
  const methodRoutes = RESOURCES.map(([path, allowed]) =>
    http.all(
      `*/services/data/:version${path}`,
      wrap(sf, async ({ request, params }) => {
        if (request.method === 'HEAD' && allowed.includes('GET')) {
          const asGet = new Request(request.url, { method: 'GET', headers: request.headers });
          const response = (await dispatch(handlers(), asGet)) ?? notFound();
          return new HttpResponse(null, { status: response.status, headers: response.headers });
        }
        return runApiCall(sf, request, params, 'methodNotAllowed', () => {
          const response = apiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${request.method}' not allowed. Allowed are ${allowed.join(',')}`);
          response.headers.set('Allow', allowed.join(','));
          return response;
        });
      }),
    ),
  );
  return [
    ...methodRoutes,
    http.all('*/services/data/:version/*', wrap(sf, ({ request, params }) => runApiCall(sf, request, params, 'unknown', () => notFound()))),
  ];
}
