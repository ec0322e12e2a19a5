/**
 * All msw handlers of the Salesforce emulator, in match order. Paths are
 * matched without hosts (`*\/services/...`), so the same handlers serve
 * in-process msw and the real HTTP server of served mode.
 */
import type { RequestHandler } from 'msw';
import type { SalesforceHttp } from './context.ts';
import { collectionHandlers } from './collections.ts';
import { compositeHandlers } from './composite.ts';
import { fallbackHandlers } from './fallback.ts';
import { limitsHandlers } from './limits.ts';
import { oauthHandlers } from './oauth.ts';
import { queryHandlers } from './query.ts';
import { replicationHandlers } from './replication.ts';
import { soapHandlers } from './soap.ts';
import { sobjectHandlers, sobjectRecordHandlers } from './sobjects.ts';
import { versionHandlers } from './versions.ts';

export { SalesforceHttp, wrap, type RequestInterceptor, type SalesforceHttpOptions } from './context.ts';

export function salesforceHandlers(sf: SalesforceHttp): RequestHandler[] {
  const handlers: RequestHandler[] = [
    ...oauthHandlers(sf),
    ...soapHandlers(sf),
    ...versionHandlers(sf),
    ...limitsHandlers(sf),
    ...sobjectHandlers(sf),
    ...replicationHandlers(sf),
    ...sobjectRecordHandlers(sf),
    ...collectionHandlers(sf),
    ...queryHandlers(sf),
  ];
  handlers.push(...compositeHandlers(sf, () => handlers));
  handlers.push(...fallbackHandlers(sf, () => handlers));
  return handlers;
}
