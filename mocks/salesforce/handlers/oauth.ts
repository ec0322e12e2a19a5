/**
 * OAuth 2.0 at `/services/oauth2/token` and `/revoke` (reference §1.2):
 * username-password, client-credentials (runs as the sync user) and
 * refresh-token grants. As in Salesforce, neither the username-password nor
 * the client-credentials flow issues a refresh token (only the browser
 * flows do; `SalesforceHttp.issueRefreshToken` stands in for those). `instance_url` is the request's own
 * origin so a client follows it back to this emulator, in-process or served.
 */
import { createHmac } from 'node:crypto';
import { http, HttpResponse, type HttpHandler } from 'msw';
import type { SfUser } from '../types.ts';
import { wrap, type SalesforceHttp } from './context.ts';
import { json } from './respond.ts';
import { requestText } from '../../request-text.ts';

function oauthError(error: string, description: string): Response {
  return json({ error, error_description: description }, 400);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

async function formParams(request: Request): Promise<URLSearchParams> {
  const text = await requestText(request);
  const params = new URLSearchParams(text);
  // Clients may also put the parameters on the URL; the body wins.
  for (const [k, v] of new URL(request.url).searchParams) if (!params.has(k)) params.set(k, v);
  // Salesforce also takes the client credentials as HTTP Basic authentication.
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  if (basic && !params.has('client_id')) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.set('client_id', safeDecode(decoded.slice(0, colon)));
      params.set('client_secret', safeDecode(decoded.slice(colon + 1)));
    }
  }
  return params;
}

/** Signatures by secret and text: the orgs of a campaign log in alike, at the same virtual times. */
const signatures = new Map<string, string>();
const SIGNATURES_KEPT = 1000;

/** Salesforce signs id + issued_at with the client secret (HMAC-SHA256, base64); clients rarely check it. */
function signatureOf(secret: string, text: string): string {
  const key = `${secret.length}:${secret}${text}`;
  let signature = signatures.get(key);
  if (signature === undefined) {
    signature = createHmac('sha256', secret).update(text).digest('base64');
    if (signatures.size >= SIGNATURES_KEPT) signatures.clear();
    signatures.set(key, signature);
  }
  return signature;
}

function tokenResponse(sf: SalesforceHttp, request: Request, user: SfUser): Response {
  const origin = new URL(request.url).origin;
  const id = `${origin}/id/${sf.org.orgId}/${user.id}`;
  const issuedAt = String(sf.clock.now());
  const signature = signatureOf(sf.clientSecret, id + issuedAt);
  return json({
    access_token: sf.org.openSession(user.id),
    signature,
    scope: 'api',
    instance_url: origin,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  });
}

type Check = { ok: true } | { ok: false; response: Response };

/**
 * Client authentication. An unknown client id and a wrong secret answer
 * differently in Salesforce: `invalid_client_id` / `invalid_client`.
 */
function checkClient(sf: SalesforceHttp, params: URLSearchParams, secretRequired: boolean): Check {
  const clientId = params.get('client_id');
  if (clientId !== sf.clientId) return { ok: false, response: oauthError('invalid_client_id', 'client identifier invalid') };
  const secret = params.get('client_secret');
  if ((secretRequired || secret !== null) && secret !== sf.clientSecret) {
    return { ok: false, response: oauthError('invalid_client', 'invalid client credentials') };
  }
  return { ok: true };
}

async function token(sf: SalesforceHttp, request: Request): Promise<Response> {
  const params = await formParams(request);
  const grant = params.get('grant_type');
  let user: SfUser | undefined;
  let response: Response;
  switch (grant) {
    case 'password': {
      const client = checkClient(sf, params, true);
      if (!client.ok) {
        response = client.response;
        break;
      }
      const candidate = sf.org.userByUsername(params.get('username') ?? '');
      if (!candidate || candidate.password !== (params.get('password') ?? '')) {
        response = oauthError('invalid_grant', 'authentication failure');
        break;
      }
      user = candidate;
      response = tokenResponse(sf, request, user);
      break;
    }
    case 'client_credentials': {
      const client = checkClient(sf, params, true);
      if (!client.ok) {
        response = client.response;
        break;
      }
      // The connected app's "Run As" user is the sync user.
      user = sf.org.syncUser;
      response = tokenResponse(sf, request, user);
      break;
    }
    case 'refresh_token': {
      const client = checkClient(sf, params, false);
      if (!client.ok) {
        response = client.response;
        break;
      }
      const userId = sf.refreshTokens.get(params.get('refresh_token') ?? '');
      const candidate = userId ? sf.org.user(userId) : undefined;
      if (!candidate) {
        response = oauthError('invalid_grant', 'expired access/refresh token');
        break;
      }
      user = candidate;
      // A refresh answers a new access token and no new refresh token.
      response = tokenResponse(sf, request, user);
      break;
    }
    default:
      response = oauthError('unsupported_grant_type', 'grant type not supported');
  }
  await logAuth(sf, request, user, 'token', response);
  return response;
}

/** The OAuth `error` of a failed answer (JSON or form-encoded), for the request log. */
async function oauthErrorCode(response: Response): Promise<string[]> {
  if (response.status < 400) return [];
  const text = await response.clone().text();
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return [body.error];
  } catch {
    const error = new URLSearchParams(text).get('error');
    if (error) return [error];
  }
  return [`HTTP_${response.status}`];
}

async function logAuth(sf: SalesforceHttp, request: Request, user: SfUser | undefined, operation: string, response: Response): Promise<void> {
  const errorCodes = await oauthErrorCode(response);
  sf.org.logRequest({
    user: user?.id ?? null,
    method: request.method,
    path: new URL(request.url).pathname,
    operation,
    fieldsRead: [],
    fieldsWritten: [],
    status: response.status,
    errorCodes,
  });
}

async function revoke(sf: SalesforceHttp, request: Request): Promise<Response> {
  const params = await formParams(request);
  const tokenValue = params.get('token') ?? '';
  let response: Response;
  if (sf.refreshTokens.delete(tokenValue)) {
    response = new HttpResponse(null, { status: 200 });
  } else if (tokenValue && sf.sessionUser(tokenValue)) {
    sf.closeSession(tokenValue);
    response = new HttpResponse(null, { status: 200 });
  } else {
    // UNCONFIRMED body format: jsforce parses revoke errors as a query string, so answer form-encoded.
    response = new HttpResponse('error=invalid_token&error_description=invalid+token', {
      status: 400,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    });
  }
  await logAuth(sf, request, undefined, 'revoke', response);
  return response;
}

export function oauthHandlers(sf: SalesforceHttp): HttpHandler[] {
  return [
    http.post('*/services/oauth2/token', wrap(sf, ({ request }) => token(sf, request))),
    http.post('*/services/oauth2/revoke', wrap(sf, ({ request }) => revoke(sf, request))),
  ];
}
