import { describe, expect, it } from 'vitest';
import { BASE, errorEnvelope, marketoHarness } from './harness.ts';

const m = marketoHarness();
const CREDS = 'grant_type=client_credentials&client_id=syncsim&client_secret=syncsim-secret';

async function token(method = 'GET', url = `${BASE}/identity/oauth/token?${CREDS}`, init: RequestInit = {}) {
  const r = await fetch(url, { method, ...init });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('Marketo identity', () => {
  it('issues a 3600 s bearer token for client credentials by GET', async () => {
    const r = await token();
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      access_token: expect.stringMatching(/^[0-9a-f-]+:ab$/),
      token_type: 'bearer',
      expires_in: 3600,
      scope: 'syncsim-api@example.com',
    });
  });

  it('accepts POST with the query string or a form body', async () => {
    const a = await token('POST');
    const b = await token('POST', `${BASE}/identity/oauth/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: CREDS,
    });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.access_token).toBe(a.body.access_token);
  });

  it('returns the same token with the remaining lifetime until it expires, then a new one', async () => {
    const first = await token();
    m.clock.advanceBy(1000 * 1000);
    const again = await token();
    expect(again.body.access_token).toBe(first.body.access_token);
    expect(again.body.expires_in).toBe(2600);
    m.clock.advanceBy(2600 * 1000);
    const fresh = await token();
    expect(fresh.body.access_token).not.toBe(first.body.access_token);
    expect(fresh.body.expires_in).toBe(3600);
  });

  it('answers HTTP 401 for a wrong secret and 400 without a grant type', async () => {
    const bad = await token('GET', `${BASE}/identity/oauth/token?grant_type=client_credentials&client_id=syncsim&client_secret=nope`);
    expect(bad).toEqual({ status: 401, body: { error: 'unauthorized', error_description: 'Bad client credentials' } });
    const unknown = await token('GET', `${BASE}/identity/oauth/token?grant_type=client_credentials&client_id=other&client_secret=syncsim-secret`);
    expect(unknown).toEqual({ status: 401, body: { error: 'unauthorized', error_description: 'No client with requested id: other' } });
    const noGrant = await token('GET', `${BASE}/identity/oauth/token?client_id=syncsim&client_secret=syncsim-secret`);
    expect(noGrant.status).toBe(400);
    expect(noGrant.body.error).toBe('invalid_request');
  });

  it('uses a custom client id, secret and lifetime', async () => {
    // A separate instance is not reachable through this harness's server; check the model directly.
    const { createMarketo } = await import('../../../mocks/marketo/index.ts');
    const { instance } = createMarketo({ clientId: 'c', clientSecret: 's', tokenTtlSeconds: 60 });
    expect(instance.identity.token('syncsim', 'syncsim-secret')).toBeUndefined();
    expect(instance.identity.token('c', 's')?.expires_in).toBe(60);
  });
});

describe('Marketo access tokens on REST calls', () => {
  it('accepts the token as a Bearer header and as the access_token query parameter', async () => {
    const t = await m.getToken();
    const header = await m.get('/rest/v1/leads/describe.json', undefined, { token: t });
    const query = await m.get('/rest/v1/leads/describe.json', undefined, { token: t, tokenIn: 'query' });
    expect(header.body.success).toBe(true);
    expect(query.body.success).toBe(true);
  });

  it('answers 601 without a token or with an unknown one', async () => {
    const none = await m.get('/rest/v1/leads/describe.json', undefined, { token: null });
    expect(none.status).toBe(200);
    expect(none.body).toEqual(errorEnvelope('601', 'Access token not specified'));
    const unknown = await m.get('/rest/v1/leads/describe.json', undefined, { token: 'not-a-token:ab' });
    expect(unknown.body).toEqual(errorEnvelope('601', 'Access token invalid'));
  });

  it('answers 602 once the token has expired on the virtual clock', async () => {
    const t = await m.getToken();
    m.clock.advanceBy(3599 * 1000);
    expect((await m.get('/rest/v1/leads/describe.json', undefined, { token: t })).body.success).toBe(true);
    m.clock.advanceBy(1000);
    const expired = await m.get('/rest/v1/leads/describe.json', undefined, { token: t });
    expect(expired.body).toEqual(errorEnvelope('602', 'Access token expired'));
  });

  it('does not count 601/602 calls against the daily quota or the rate window', async () => {
    await m.get('/rest/v1/leads/describe.json', undefined, { token: null });
    await m.get('/rest/v1/leads/describe.json', undefined, { token: 'x' });
    expect(m.instance.limits.usage()).toMatchObject({ today: 0, inWindow: 0 });
    await m.get('/rest/v1/leads/describe.json');
    expect(m.instance.limits.usage()).toMatchObject({ today: 1, inWindow: 1 });
  });

  it('logs identity and REST requests in the request log', async () => {
    await m.get('/rest/v1/leads/describe.json');
    const ops = m.instance.requestLog.map((e) => [e.operation, e.status, e.success]);
    expect(ops).toEqual([
      ['identity', 200, true],
      ['describeLeads', 200, true],
    ]);
  });
});
