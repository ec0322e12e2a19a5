/**
 * `GET /services/data` (the version list: no session needed and not
 * counted against the daily limit), `GET /services/data/vXX.X` (the
 * resource map) and the identity URL `/id/{orgId}/{userId}` that OAuth's
 * `id` points at.
 */
import { http, type HttpHandler } from 'msw';
import { wrap, type SalesforceHttp } from './context.ts';
import { json, notFound, sessionInvalid } from './respond.ts';
import { bearerToken, MAX_VERSION, MIN_VERSION, restRoute } from './rest.ts';

const SEASONS = ['Winter', 'Spring', 'Summer'];

/** Release name of an API version: 20.0 was Winter '11, three releases a year since. */
export function releaseLabel(version: number): string {
  const k = version - 20;
  return `${SEASONS[k % 3]} '${String(11 + Math.floor(k / 3)).padStart(2, '0')}`;
}

export function versionList(): Array<{ label: string; url: string; version: string }> {
  const out = [];
  for (let v = MIN_VERSION; v <= MAX_VERSION; v++) {
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

const RESOURCES = ['tooling', 'metadata', 'eclair', 'folders', 'prechatForms', 'connect', 'chatter', 'tabs', 'appMenu',
  'quickActions', 'queryAll', 'commerce', 'wave', 'iot', 'analytics', 'search', 'identity', 'composite', 'parameterizedSearch',
  'fingerprint', 'theme', 'nouns', 'event', 'serviceTemplates', 'recent', 'licensing', 'limits', 'process',
  'async-queries', 'query', 'match', 'emailConnect', 'compactLayouts', 'knowledgeManagement', 'sobjects', 'actions', 'support'];

export function versionHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    http.get('*/services/data', wrap(sf, () => json(versionList()))),
    restRoute(sf, 'get', '', 'resources', (call) => {
      const base = `/services/data/v${call.version}`;
      const map: Record<string, string> = {};
      for (const name of [...RESOURCES].sort()) map[name] = `${base}/${name}`;
      map['identity'] = `${call.url.origin}/id/${sf.org.orgId}/${call.user.id}`;
      return json(map);
    }),
    http.get(
      '*/id/:orgId/:userId',
      wrap(sf, ({ request, params }) => {
        const url = new URL(request.url);
        const token = bearerToken(request) ?? url.searchParams.get('oauth_token') ?? '';
        const user = token ? sf.sessionUser(token) : undefined;
        if (!user) return sessionInvalid();
        if (params['orgId'] !== sf.org.orgId || params['userId'] !== user.id) return notFound();
        const base = `${url.origin}/services/data/v{version}`;
        return json({
          id: `${url.origin}/id/${sf.org.orgId}/${user.id}`,
          asserted_user: true,
          user_id: user.id,
          organization_id: sf.org.orgId,
          username: user.username,
          nick_name: user.username.split('@')[0],
          display_name: user.name,
          email: user.username,
          email_verified: true,
          active: true,
          user_type: 'STANDARD',
          language: 'en_US',
          locale: 'en_US',
          utcOffset: -28800000,
          urls: {
            enterprise: `${url.origin}/services/Soap/c/{version}/${sf.org.orgId.slice(0, 15)}`,
            partner: `${url.origin}/services/Soap/u/{version}/${sf.org.orgId.slice(0, 15)}`,
            rest: `${base}/`,
            sobjects: `${base}/sobjects/`,
            search: `${base}/search/`,
            query: `${base}/query/`,
            limits: `${base}/limits/`,
            profile: `${url.origin}/${user.id}`,
          },
        });
      }),
    ),
  ];
}
