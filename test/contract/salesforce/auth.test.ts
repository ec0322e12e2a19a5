import { describe, expect, it } from 'vitest';
import { Connection } from 'jsforce';
import { CLIENT, LOGIN_URL, SYNC_USER, VERSION, noRetries, oauthConnection, raw, rejection, soapConnection, useSalesforce } from './harness.ts';

const sf = useSalesforce({ sessionTtlMs: 3_600_000 });

describe('versions and resources', () => {
  it('lists API versions without a session and without counting', async () => {
    const before = sf.org.apiUsage().used;
    const res = await fetch(`${LOGIN_URL}/services/data`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const versions = (await res.json()) as Array<{ label: string; url: string; version: string }>;
    expect(versions).toContainEqual({ label: "Spring '24", url: '/services/data/v60.0', version: '60.0' });
    expect(versions).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    expect(res.headers.get('sforce-limit-info')).toBeNull();
    expect(sf.org.apiUsage().used).toBe(before);
  });

  it('answers the resource map of a version, and 404 for an unknown version', async () => {
    const conn = await soapConnection();
    const res = await raw(conn, 'GET', `/services/data/v${VERSION}`);
    expect(res.status).toBe(200);
    const map = (await res.json()) as Record<string, string>;
    expect(map['sobjects']).toBe(`/services/data/v${VERSION}/sobjects`);
    expect(map['query']).toBe(`/services/data/v${VERSION}/query`);
    const bad = await raw(conn, 'GET', '/services/data/v99.0/sobjects');
    expect(bad.status).toBe(404);
    expect(await bad.json()).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
  });
});

describe('SOAP login', () => {
  it('logs in with conn.login and reaches the REST API on the returned instance', async () => {
    const conn = await soapConnection();
    expect(conn.instanceUrl).toBe(LOGIN_URL);
    expect(conn.userInfo?.id).toBe(sf.org.syncUser.id);
    expect(conn.userInfo?.organizationId).toBe(sf.org.orgId);
    const limits = await conn.limits();
    expect(limits.DailyApiRequests?.Max).toBeGreaterThan(0);
  });

  it('serves the identity URL of the session user', async () => {
    const conn = await soapConnection();
    const identity = await conn.identity();
    expect(identity).toMatchObject({ user_id: sf.org.syncUser.id, organization_id: sf.org.orgId, username: SYNC_USER.username });
  });

  it('answers the real reply elements', async () => {
    const res = await fetch(`${LOGIN_URL}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
      body: `<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Header/><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>sync@example.com</username><password>sync-password</password></login></se:Body></se:Envelope>`,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/xml/);
    const text = await res.text();
    for (const el of ['metadataServerUrl', 'sandbox', 'sessionId', 'userInfo', 'userFullName', 'userName']) expect(text).toContain(`<${el}>`);
    expect(text).toContain('<passwordExpired>false</passwordExpired>');
    expect(text).toContain(`<serverUrl>${LOGIN_URL}/services/Soap/u/${VERSION}/${sf.org.orgId.slice(0, 15)}</serverUrl>`);
    expect(text).toContain(`<organizationId>${sf.org.orgId}</organizationId>`);
  });

  it('answers a SOAP fault INVALID_LOGIN for a bad password', async () => {
    const conn = noRetries(new Connection({ loginUrl: LOGIN_URL, version: VERSION }));
    const err = await rejection(conn.login(SYNC_USER.username, 'wrong'));
    expect(err.message).toBe('INVALID_LOGIN: Invalid username, password, security token; or user locked out.');
    const res = await fetch(`${LOGIN_URL}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: `<se:Envelope xmlns:se="http://schemas.xmlsoap.org/soap/envelope/"><se:Body><login xmlns="urn:partner.soap.sforce.com"><username>nobody@example.com</username><password>x</password></login></se:Body></se:Envelope>`,
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('<faultcode>sf:INVALID_LOGIN</faultcode>');
  });

  it('answers a client fault, not a crash, for XML that is not an envelope', async () => {
    const res = await fetch(`${LOGIN_URL}/services/Soap/u/${VERSION}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: '<oops' });
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('<faultcode>soapenv:Client</faultcode>');
  });

  it('logs out with SOAP logout; the session is gone afterwards', async () => {
    const conn = await soapConnection();
    const token = conn.accessToken!;
    await conn.logout();
    const res = await fetch(`${LOGIN_URL}/services/data/v${VERSION}/limits`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });
});

describe('OAuth 2.0', () => {
  it('logs in with the username-password flow, with the real token keys', async () => {
    const res = await fetch(`${LOGIN_URL}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: SYNC_USER.username, password: SYNC_USER.password, client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret }).toString(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string>;
    // As in Salesforce, the username-password flow issues no refresh token.
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'scope', 'signature', 'token_type']);
    expect(body['token_type']).toBe('Bearer');
    expect(body['instance_url']).toBe(LOGIN_URL);
    expect(body['id']).toBe(`${LOGIN_URL}/id/${sf.org.orgId}/${sf.org.syncUser.id}`);
    expect(body['issued_at']).toBe(String(sf.clock.now()));

    const conn = await oauthConnection();
    expect(conn.userInfo?.id).toBe(sf.org.syncUser.id);
    const result = await conn.query('SELECT Id FROM Lead');
    expect(result.done).toBe(true);
  });

  it('takes the client credentials as HTTP Basic authentication too', async () => {
    const res = await fetch(`${LOGIN_URL}/services/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        Authorization: `Basic ${Buffer.from(`${CLIENT.clientId}:${CLIENT.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string }).id).toMatch(new RegExp(`/${sf.org.syncUser.id}$`));
  });

  it('client credentials run as the sync user and give no refresh token', async () => {
    const conn = noRetries(new Connection({ oauth2: { ...CLIENT, loginUrl: LOGIN_URL }, version: VERSION }));
    await conn.authorize({ grant_type: 'client_credentials' });
    expect(conn.refreshToken).toBeFalsy();
    expect(conn.userInfo?.id).toBe(sf.org.syncUser.id);
    expect(sf.org.sessionUser(conn.accessToken!)?.id).toBe(sf.org.syncUser.id);
  });

  it('rejects bad credentials, a bad client and an unknown grant as Salesforce does', async () => {
    const post = async (params: Record<string, string>) => {
      const res = await fetch(`${LOGIN_URL}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
      return { status: res.status, body: await res.json() };
    };
    const base = { grant_type: 'password', username: SYNC_USER.username, password: SYNC_USER.password, ...{ client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret } };
    expect(await post({ ...base, password: 'nope' })).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'authentication failure' } });
    expect(await post({ ...base, client_secret: 'nope' })).toEqual({ status: 400, body: { error: 'invalid_client', error_description: 'invalid client credentials' } });
    expect(await post({ ...base, client_id: 'other' })).toEqual({ status: 400, body: { error: 'invalid_client_id', error_description: 'client identifier invalid' } });
    expect(await post({ ...base, grant_type: 'magic' })).toEqual({ status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' } });

    const conn = noRetries(new Connection({ oauth2: { ...CLIENT, loginUrl: LOGIN_URL }, version: VERSION }));
    const err = await rejection(conn.login(SYNC_USER.username, 'nope'));
    expect(err.name).toBe('invalid_grant');
    expect(err.message).toBe('authentication failure');
    expect(sf.org.requestLog.at(-1)).toMatchObject({ operation: 'token', user: null, status: 400, errorCodes: ['invalid_grant'] });
  });

  it('revokes a refresh token; refreshing with it then fails', async () => {
    const conn = await oauthConnection();
    const refreshToken = sf.http.issueRefreshToken(sf.org.syncUser.id);
    const fresh = await conn.oauth2.refreshToken(refreshToken);
    expect(fresh.refresh_token).toBeUndefined();
    expect(fresh.instance_url).toBe(LOGIN_URL);
    await conn.oauth2.revokeToken(refreshToken);
    const err = await rejection(conn.oauth2.refreshToken(refreshToken));
    expect(err.name).toBe('invalid_grant');
    const access = conn.accessToken!;
    await conn.oauth2.revokeToken(access);
    const after = await fetch(`${LOGIN_URL}/services/data/v${VERSION}/limits`, { headers: { Authorization: `Bearer ${access}` } });
    expect(after.status).toBe(401);
    const bad = await rejection(conn.oauth2.revokeToken('not-a-token'));
    expect(bad.name).toBe('invalid_token');
  });
});

describe('sessions', () => {
  it('answers 401 INVALID_SESSION_ID for a missing or unknown token', async () => {
    const none = await fetch(`${LOGIN_URL}/services/data/v${VERSION}/sobjects`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const bare = new Connection({ instanceUrl: LOGIN_URL, accessToken: 'bogus', version: VERSION });
    const err = await rejection(noRetries(bare).describeGlobal());
    expect(err.errorCode).toBe('INVALID_SESSION_ID');
  });

  it('a SOAP-login connection logs in again by itself after the session times out', async () => {
    const conn = await soapConnection();
    const first = conn.accessToken;
    sf.clock.advanceBy(3_600_000);
    expect(sf.org.sessionUser(first!)).toBeUndefined();
    const result = await conn.query('SELECT Id FROM Lead');
    expect(result.done).toBe(true);
    expect(conn.accessToken).not.toBe(first);
  });

  it('an OAuth password-flow connection logs in again after expireSessions()', async () => {
    const conn = await oauthConnection();
    const first = conn.accessToken;
    sf.org.expireSessions();
    const result = await conn.query('SELECT Id FROM Lead');
    expect(result.done).toBe(true);
    expect(conn.accessToken).not.toBe(first);
  });

  it('a connection holding a refresh token refreshes with it after expiry', async () => {
    const refreshToken = sf.http.issueRefreshToken(sf.org.syncUser.id);
    const conn = noRetries(new Connection({ oauth2: { ...CLIENT, loginUrl: LOGIN_URL }, version: VERSION, instanceUrl: LOGIN_URL, accessToken: 'stale', refreshToken }));
    const first = conn.accessToken;
    let refreshed = 0;
    conn.on('refresh', () => refreshed++);
    sf.org.expireSessions();
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toContain('Lead');
    expect(refreshed).toBe(1);
    expect(conn.accessToken).not.toBe(first);
  });

  it('SOAP calls with a dead session get the HTTP 500 INVALID_SESSION_ID fault jsforce refreshes on', async () => {
    const res = await fetch(`${LOGIN_URL}/services/Soap/u/${VERSION}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: `<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header><SessionHeader xmlns="urn:partner.soap.sforce.com"><sessionId>dead</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="urn:partner.soap.sforce.com"><merge/></soapenv:Body></soapenv:Envelope>`,
    });
    expect(res.status).toBe(500);
    expect(await res.text()).toMatch(/<faultcode>sf:INVALID_SESSION_ID<\/faultcode>/);
  });
});

describe('limits', () => {
  it('reports usage in Sforce-Limit-Info, conn.limitInfo and /limits', async () => {
    const conn = await soapConnection();
    await conn.describeGlobal();
    const used = sf.org.apiUsage().used;
    expect(conn.limitInfo.apiUsage).toEqual({ used, limit: sf.org.apiUsage().max });
    const res = await raw(conn, 'GET', '/limits');
    expect(res.headers.get('sforce-limit-info')).toBe(`api-usage=${used + 1}/${sf.org.apiUsage().max}`);
    const limits = (await res.json()) as Record<string, { Max: number; Remaining: number }>;
    expect(limits['DailyApiRequests']).toEqual({ Max: sf.org.apiUsage().max, Remaining: sf.org.apiUsage().max - (used + 1) });
  });
});
