// A plain fetch client against Marketo's Identity and REST API served by `sync-sim serve` in another process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, control, startServe, type ServedChild } from './harness.ts';

let served: ServedChild;
let token: string;

interface Envelope {
  requestId: string;
  success: boolean;
  errors?: Array<{ code: string; message: string }>;
  result?: Array<Record<string, unknown>>;
  nextPageToken?: string;
  moreResult?: boolean;
}

async function rest(method: string, path: string, body?: unknown): Promise<{ status: number; type: string | null; body: Envelope }> {
  const res = await fetch(`${served.origin}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as Envelope };
}

beforeAll(async () => {
  served = await startServe();
});
afterAll(async () => {
  await served?.stop();
});

describe('Marketo over real HTTP', () => {
  it('Identity hands out a bearer token for the default client, and 401 for a wrong secret', async () => {
    const url = `${served.origin}/identity/oauth/token?grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=${CLIENT.clientSecret}`;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBeGreaterThan(0);
    token = body.access_token;

    const bad = await fetch(`${served.origin}/identity/oauth/token?grant_type=client_credentials&client_id=${CLIENT.clientId}&client_secret=nope`);
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('unauthorized');
  });

  it('creates leads, reads them back by email, and refuses a bad record per record', async () => {
    const created = await rest('POST', '/rest/v1/leads.json', {
      action: 'createOrUpdate',
      lookupField: 'email',
      input: [{ email: 'ada@served.test', firstName: 'Ada', lastName: 'Lovelace', company: 'Engines' }, { email: 'x@served.test', noSuchField: 1 }],
    });
    expect(created.status).toBe(200);
    expect(created.body.success).toBe(true);
    expect(created.body.result![0]).toMatchObject({ status: 'created' });
    expect(created.body.result![1]).toMatchObject({ status: 'skipped' });
    expect((created.body.result![1]!.reasons as Array<{ code: string }>)[0]!.code).toBe('1006');

    const read = await rest('GET', '/rest/v1/leads.json?filterType=email&filterValues=ada@served.test&fields=email,firstName,company');
    expect(read.body.success).toBe(true);
    expect(read.body.result).toEqual([expect.objectContaining({ email: 'ada@served.test', firstName: 'Ada', company: 'Engines' })]);
  });

  it('pages activities from a paging token: the New Lead activity of a person created through the API', async () => {
    const paging = await rest('GET', '/rest/v1/activities/pagingtoken.json?sinceDatetime=2000-01-01T00:00:00Z');
    expect(paging.body.success).toBe(true);
    let next = paging.body.nextPageToken!;
    const seen: Array<Record<string, unknown>> = [];
    for (let page = 0; page < 50; page++) {
      const r = await rest('GET', `/rest/v1/activities.json?activityTypeIds=12&nextPageToken=${encodeURIComponent(next)}`);
      expect(r.body.success).toBe(true);
      seen.push(...(r.body.result ?? []));
      next = r.body.nextPageToken!;
      if (!r.body.moreResult) break;
    }
    const people = await control<{ people: Array<{ id: number; email: string }> }>(served.origin, 'GET', '/records/marketo');
    const ada = people.body.people.find((p) => p.email === 'ada@served.test')!;
    expect(seen.some((a) => a.leadId === ada.id && a.activityTypeId === 12)).toBe(true);
  });

  it('answers Marketo errors the Marketo way: HTTP 200, success false, string codes', async () => {
    const noToken = await fetch(`${served.origin}/rest/v1/leads.json?filterType=email&filterValues=a@b.test`);
    expect(noToken.status).toBe(200);
    const body = (await noToken.json()) as Envelope;
    expect(body.success).toBe(false);
    expect(body.errors![0]!.code).toBe('601');

    const unknown = await rest('GET', '/rest/v1/nothing.json');
    expect(unknown.body.errors![0]).toEqual({ code: '610', message: 'Requested resource not found' });
  });
});
