/**
 * GET or POST /identity/oauth/token (reference B1). Client credentials come
 * in the query string (Marketo's documented form) or, for POST, a form body.
 * Bad credentials are HTTP 401 with Marketo Identity's OAuth error body.
 */
import type { MarketoInstance } from '../instance.ts';

export const IDENTITY_PATH = /^\/identity\/oauth\/token\/?$/;

export function identityResponse(instance: MarketoInstance, method: string, query: URLSearchParams, bodyText: string, contentType: string): { status: number; body: unknown; errorCodes: string[] } {
  if (method !== 'GET' && method !== 'POST') {
    return { status: 405, body: { error: 'method_not_allowed', error_description: `Request method '${method}' not supported` }, errorCodes: ['405'] };
  }
  const params = new URLSearchParams(query);
  if (method === 'POST' && contentType.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(bodyText)) if (!params.has(k)) params.set(k, v);
  }
  const grant = params.get('grant_type');
  if (!grant) return { status: 400, body: { error: 'invalid_request', error_description: 'Missing grant type' }, errorCodes: ['invalid_request'] };
  if (grant !== 'client_credentials') {
    return { status: 400, body: { error: 'unsupported_grant_type', error_description: `Unsupported grant type: ${grant}` }, errorCodes: ['unsupported_grant_type'] };
  }
  // Identity runs Spring Security OAuth2: an unknown client id and a wrong secret read differently.
  const clientId = params.get('client_id');
  if (clientId !== instance.identity.clientId) {
    return { status: 401, body: { error: 'unauthorized', error_description: `No client with requested id: ${clientId ?? ''}` }, errorCodes: ['unauthorized'] };
  }
  const token = instance.identity.token(clientId, params.get('client_secret'));
  if (!token) return { status: 401, body: { error: 'unauthorized', error_description: 'Bad client credentials' }, errorCodes: ['unauthorized'] };
  return { status: 200, body: token, errorCodes: [] };
}
