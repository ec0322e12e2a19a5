// The control API of `sync-sim serve` (/__syncsim/), driven over real HTTP from another process:
// a scenario's setup, users' actions, permissions and rules, the clock, faults the next call sees,
// request logs, records and properties.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT, control, startServe, SYNC_USER, VERSION, type ServedChild } from './harness.ts';

let served: ServedChild;

const SETUP = `
name: Served setup
salesforce:
  fields:
    - { object: Lead, name: Score__c, type: double }
  permissions:
    Lead.AnnualRevenue: none
  rules:
    - object: Lead
      name: Hot_Needs_Phone
      formula: AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))
      message: Hot leads need a phone number
      field: Phone
  records:
    - { ref: alice, object: Lead, FirstName: Alice, LastName: Smith, Company: Acme, Email: alice@acme.test, Score__c: 7 }
marketo:
  people:
    - { ref: bob, email: bob@globex.test, firstName: Bob, lastName: Jones, company: Globex }
steps:
  - wait: 5m
`;

async function sfToken(): Promise<string> {
  const res = await fetch(`${served.origin}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret, username: SYNC_USER.username, password: SYNC_USER.password }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function sf(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${served.origin}/services/data/v${VERSION}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function loadSetup(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${served.origin}/__syncsim/setup`, { method: 'POST', headers: { 'content-type': 'application/yaml' }, body: SETUP });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  served = await startServe(['--clock', 'held']);
});
afterAll(async () => {
  await served?.stop();
});

describe('scenario setup', () => {
  it("loads a YAML body: custom fields, permissions, rules, records and people, with their refs", async () => {
    const r = await loadSetup();
    expect(r.status).toBe(200);
    expect(r.body.name).toBe('Served setup');
    expect(r.body.refs.alice.salesforce.object).toBe('Lead');
    expect(r.body.refs.bob.personId).toBeGreaterThan(0);

    const leads = await control<{ records: Array<Record<string, unknown>> }>(served.origin, 'GET', '/records/salesforce/Lead');
    expect(leads.body.records).toEqual([expect.objectContaining({ LastName: 'Smith', Score__c: 7 })]);
    const people = await control<{ people: Array<Record<string, unknown>> }>(served.origin, 'GET', '/records/marketo');
    expect(people.body.people).toEqual([expect.objectContaining({ email: 'bob@globex.test' })]);

    // The permission is the sync user's, seen through the API: AnnualRevenue is not there for it.
    const token = await sfToken();
    const q = await sf(token, 'GET', `/query?q=${encodeURIComponent('SELECT AnnualRevenue FROM Lead')}`);
    expect(q.status).toBe(400);
    expect(q.body[0].errorCode).toBe('INVALID_FIELD');
  });

  it('loads a file by path, replacing what was there', async () => {
    const r = await control<any>(served.origin, 'POST', '/setup', { path: 'scenarios/lead-created-in-salesforce-reaches-marketo.yaml' });
    expect(r.status).toBe(200);
    expect(r.body.sync.intervalMs).toBe(300_000);
    const leads = await control<{ totalSize: number }>(served.origin, 'GET', '/records/salesforce/Lead');
    expect(leads.body.totalSize).toBe(0);
  });

  it('a bad scenario is refused with the line and column, and nothing changes', async () => {
    await loadSetup();
    const res = await fetch(`${served.origin}/__syncsim/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: 'name: Broken\nsalesforce:\n  records:\n    - { ref: x, object: Leed, LastName: A }\nsteps: []\n',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; errors: Array<{ line: number }> } };
    expect(body.error.code).toBe('INVALID_SCENARIO');
    expect(body.error.errors[0]!.line).toBe(4);
    expect(body.error.message).toContain('Leed');
    const leads = await control<{ totalSize: number }>(served.origin, 'GET', '/records/salesforce/Lead');
    expect(leads.body.totalSize).toBe(1);
  });

  it('a setup the emulators refuse is 422 naming the item, and the old data keeps serving', async () => {
    await loadSetup();
    const res = await fetch(`${served.origin}/__syncsim/setup?name=refused.yaml`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: [
        'name: Refused',
        'salesforce:',
        '  rules:',
        '    - { object: Lead, name: No_Bad, formula: \'Company = "Bad"\', message: No bad companies }',
        '  records:',
        '    - { ref: x, object: Lead, LastName: X, Company: Bad }',
        'steps: []',
        '',
      ].join('\n'),
    });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('SETUP_REFUSED');
    expect(body.error.message).toMatch(/^refused\.yaml:6:\d+: record `x`.*No bad companies/);
    const leads = await control<any>(served.origin, 'GET', '/records/salesforce/Lead');
    expect(leads.body.records.map((r: { LastName: string }) => r.LastName)).toEqual(['Smith']);
    expect((await control<any>(served.origin, 'GET', '/refs')).body.scenario).toBe('Served setup');
  });

  it('a missing scenario file is a clear 400, not a crash', async () => {
    const r = await control<any>(served.origin, 'POST', '/setup', { path: 'scenarios/no-such-file.yaml' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_SCENARIO');
    expect(r.body.error.message).toContain('no-such-file.yaml');
  });
});

describe('acting as users', () => {
  it('a Salesforce user creates, edits, is refused by a rule, converts and merges', async () => {
    await loadSetup();
    const carol = await control<any>(served.origin, 'POST', '/salesforce/create', { object: 'Lead', ref: 'carol', fields: { LastName: 'Carol', Company: 'Initech' } });
    expect(carol.status).toBe(201);
    expect(carol.body.id).toMatch(/^00Q/);

    const edited = await control<any>(served.origin, 'POST', '/salesforce/update', { ref: 'alice', fields: { Title: 'CFO' } });
    expect(edited.body.record.Title).toBe('CFO');

    const refused = await control<any>(served.origin, 'POST', '/salesforce/update', { ref: 'alice', fields: { Rating: 'Hot' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Hot leads need a phone number', system: 'salesforce', fields: ['Phone'] });

    const merged = await control<any>(served.origin, 'POST', '/salesforce/merge', { into: 'alice', from: 'carol' });
    expect(merged.body.success).toBe(true);
    expect(merged.body.mergedRecordIds).toEqual([carol.body.id]);

    const converted = await control<any>(served.origin, 'POST', '/salesforce/convert', { ref: 'alice' });
    expect(converted.body.success).toBe(true);
    expect(converted.body.contactId).toMatch(/^003/);
    // The ref follows the lead to its contact.
    const refs = await control<any>(served.origin, 'GET', '/refs');
    expect(refs.body.refs.alice.salesforce).toEqual({ object: 'Contact', id: converted.body.contactId });

    const missing = await control<any>(served.origin, 'POST', '/salesforce/create', { object: 'Lead', fields: { LastName: 'NoCompany' } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('REQUIRED_FIELD_MISSING');
  });

  it('a Marketo user creates, edits and deletes people; a refusal carries Marketo\'s code', async () => {
    const dan = await control<any>(served.origin, 'POST', '/marketo/create', { ref: 'dan', fields: { email: 'dan@served.test', firstName: 'Dan' } });
    expect(dan.status).toBe(201);
    const updated = await control<any>(served.origin, 'POST', '/marketo/update', { ref: 'dan', fields: { title: 'VP' } });
    expect(updated.body.person.title).toBe('VP');
    const bad = await control<any>(served.origin, 'POST', '/marketo/update', { ref: 'dan', fields: { noSuchField: 1 } });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ code: '1006', system: 'marketo' });
    const deleted = await control<any>(served.origin, 'POST', '/marketo/delete', { id: dan.body.person.id });
    expect(deleted.body.deleted).toBe(true);
    const again = await control<any>(served.origin, 'POST', '/marketo/delete', { id: dan.body.person.id });
    expect(again.status).toBe(422);
    expect(again.body.error.code).toBe('1004');
  });

  it('permissions and rules change what the sync user sees and what Salesforce accepts', async () => {
    await loadSetup();
    const perm = await control<any>(served.origin, 'POST', '/salesforce/permissions', { field: 'Lead.Phone', access: 'none' });
    expect(perm.body.access).toBe('none');
    const token = await sfToken();
    const describe = await sf(token, 'GET', '/sobjects/Lead/describe');
    const names = (describe.body.fields as Array<{ name: string }>).map((f) => f.name);
    expect(names).not.toContain('Phone');
    expect(names).toContain('Email');

    const rule = await control<any>(served.origin, 'POST', '/salesforce/rules', { object: 'Lead', name: 'No_Test_Company', formula: 'Company = "Test"', message: 'No test companies' });
    expect(rule.status).toBe(201);
    const refused = await sf(token, 'POST', '/sobjects/Lead', { LastName: 'T', Company: 'Test' });
    expect(refused.status).toBe(400);
    expect(refused.body[0]).toMatchObject({ errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'No test companies' });
    await control(served.origin, 'POST', '/salesforce/rules', { object: 'Lead', name: 'No_Test_Company', formula: 'Company = "Test"', message: 'No test companies', active: false });
    const accepted = await sf(token, 'POST', '/sobjects/Lead', { LastName: 'T', Company: 'Test' });
    expect(accepted.status).toBe(201);

    const badPerm = await control<any>(served.origin, 'POST', '/salesforce/permissions', { field: 'Lead.Nope', access: 'none' });
    expect(badPerm.status).toBe(400);
    expect(badPerm.body.error.code).toBe('INVALID_FIELD');
  });
});

describe('clock', () => {
  it('--clock held keeps time still until the control API advances it; release lets it run', async () => {
    const a = await control<any>(served.origin, 'GET', '/clock');
    expect(a.body.held).toBe(true);
    const b = await control<any>(served.origin, 'GET', '/clock');
    expect(b.body.epochMs).toBe(a.body.epochMs);
    const c = await control<any>(served.origin, 'POST', '/clock/advance', { by: '5m' });
    expect(c.body.epochMs).toBe(a.body.epochMs + 300_000);
    // Records are stamped with the served clock.
    const created = await control<any>(served.origin, 'POST', '/salesforce/create', { object: 'Lead', fields: { LastName: 'Clocked', Company: 'Time' } });
    const leads = await control<any>(served.origin, 'GET', '/records/salesforce/Lead');
    const row = leads.body.records.find((r: { Id: string }) => r.Id === created.body.id);
    expect(Date.parse(row.CreatedDate)).toBe(c.body.epochMs);
    const bad = await control<any>(served.origin, 'POST', '/clock/advance', { by: '5 minutes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/bad duration/);
    const released = await control<any>(served.origin, 'POST', '/clock/release');
    expect(released.body.held).toBe(false);
    await control(served.origin, 'POST', '/clock/hold');
  });
});

describe('faults', () => {
  it('an injected Salesforce fault is what the next call sees; the call after is served', async () => {
    await loadSetup();
    const token = await sfToken();
    const added = await control<any>(served.origin, 'POST', '/faults', { system: 'salesforce', kind: 'unavailable' });
    expect(added.status).toBe(201);
    expect(added.body.times).toBe(1);
    const hit = await sf(token, 'GET', '/limits');
    expect(hit.status).toBe(503);
    expect(hit.body[0].errorCode).toBe('SERVER_UNAVAILABLE');
    const next = await sf(token, 'GET', '/limits');
    expect(next.status).toBe(200);
    const faults = await control<any>(served.origin, 'GET', '/faults');
    expect(faults.body.active).toEqual([]);
    expect(faults.body.fired).toEqual([expect.objectContaining({ system: 'salesforce', kind: 'unavailable', method: 'GET' })]);
  });

  it('a Marketo rate limit for a while answers 606 until it is cleared', async () => {
    const identity = await fetch(`${served.origin}/identity/oauth/token?grant_type=client_credentials&client_id=syncsim&client_secret=syncsim-secret`);
    const token = ((await identity.json()) as { access_token: string }).access_token;
    await control(served.origin, 'POST', '/faults', { system: 'marketo', kind: 'rate-limit', for: '10m' });
    for (let i = 0; i < 2; i++) {
      const r = await fetch(`${served.origin}/rest/v1/activities/types.json`, { headers: { Authorization: `Bearer ${token}` } });
      expect(((await r.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('606');
    }
    await control(served.origin, 'DELETE', '/faults?system=marketo');
    const r = await fetch(`${served.origin}/rest/v1/activities/types.json`, { headers: { Authorization: `Bearer ${token}` } });
    expect(((await r.json()) as { success: boolean }).success).toBe(true);
  });

  it('session-expired makes the next call 401 INVALID_SESSION_ID (a client must log in again)', async () => {
    const token = await sfToken();
    await control(served.origin, 'POST', '/faults', { system: 'salesforce', kind: 'session-expired' });
    const r = await sf(token, 'GET', '/limits');
    expect(r.status).toBe(401);
    expect(r.body[0].errorCode).toBe('INVALID_SESSION_ID');
  });

  it('refuses an unknown fault kind, naming the known ones', async () => {
    const r = await control<any>(served.origin, 'POST', '/faults', { system: 'salesforce', kind: 'meteor' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain('timeout-after-commit');
  });
});

describe('logs, properties, reset', () => {
  it('the request logs show each system\'s calls; ?since= reads only newer ones', async () => {
    await loadSetup();
    const token = await sfToken();
    await sf(token, 'GET', `/query?q=${encodeURIComponent('SELECT Id, Email FROM Lead')}`);
    const log = await control<any>(served.origin, 'GET', '/log/salesforce');
    const query = log.body.entries.find((e: { operation: string }) => e.operation === 'query');
    expect(query.fieldsRead).toEqual(expect.arrayContaining(['Id', 'Email']));
    const newer = await control<any>(served.origin, 'GET', `/log/salesforce?since=${query.seq}`);
    expect(newer.body.entries.every((e: { seq: number }) => e.seq > query.seq)).toBe(true);
    const mk = await control<any>(served.origin, 'GET', '/log/marketo');
    expect(Array.isArray(mk.body.entries)).toBe(true);
  });

  it('properties: a clean world passes; two people linked to one lead break no-duplicate; a field read and then hidden breaks respects-permissions', async () => {
    await loadSetup();
    const clean = await control<any>(served.origin, 'GET', '/properties');
    expect(clean.status).toBe(200);
    expect(clean.body.ok).toBe(true);
    expect(clean.body.properties.map((p: { name: string }) => p.name)).toEqual(['converged', 'no-duplicate', 'respects-permissions']);

    const leads = await control<any>(served.origin, 'GET', '/records/salesforce/Lead');
    const leadId = leads.body.records[0].Id;
    for (const email of ['alice@acme.test', 'alice2@acme.test']) {
      await control(served.origin, 'POST', '/marketo/create', { fields: { email, lastName: 'Smith', firstName: 'Alice', company: 'Acme', sfdcType: 'Lead', sfdcLeadId: leadId } });
    }
    // The sync user reads Title, and then loses access to it: judged against today's permissions.
    const token = await sfToken();
    const read = await sf(token, 'GET', `/query?q=${encodeURIComponent('SELECT Title FROM Lead')}`);
    expect(read.status).toBe(200);
    await control(served.origin, 'POST', '/salesforce/permissions', { field: 'Lead.Title', access: 'none' });
    const bad = await control<any>(served.origin, 'GET', '/properties');
    expect(bad.body.ok).toBe(false);
    const byName = Object.fromEntries(bad.body.properties.map((p: { name: string }) => [p.name, p]));
    expect(byName['no-duplicate'].ok).toBe(false);
    expect(byName['no-duplicate'].violations[0].message).toContain(`${leadId} is linked from 2 people`);
    expect(byName['respects-permissions'].ok).toBe(false);
    expect(byName['respects-permissions'].violations[0].field).toBe('Lead.Title');

    // Requests before a permission change can be left out.
    const log = await control<any>(served.origin, 'GET', '/log/salesforce');
    const after = log.body.entries.at(-1).seq + 1;
    const since = await control<any>(served.origin, 'GET', `/properties?permissionsFromSeq=${after}`);
    expect(since.body.properties.find((p: { name: string }) => p.name === 'respects-permissions').ok).toBe(true);
  });

  it('properties: a linked pair that agrees is converged; a synced field that differs is not', async () => {
    await loadSetup();
    const leadId = (await control<any>(served.origin, 'GET', '/records/salesforce/Lead')).body.records[0].Id;
    await control(served.origin, 'POST', '/marketo/create', {
      fields: { email: 'alice@acme.test', firstName: 'Alice', lastName: 'Smith', company: 'Acme', Score__c: 7, leadStatus: 'Open - Not Contacted', sfdcType: 'Lead', sfdcLeadId: leadId },
    });
    const agreed = await control<any>(served.origin, 'GET', '/properties');
    expect(agreed.body.properties.filter((p: { ok: boolean }) => !p.ok)).toEqual([]);
    await control(served.origin, 'POST', '/salesforce/update', { id: leadId, fields: { Company: 'Acme Corp' } });
    const drift = await control<any>(served.origin, 'GET', '/properties');
    const converged = drift.body.properties.find((p: { name: string }) => p.name === 'converged');
    expect(converged.ok).toBe(false);
    expect(converged.violations[0]).toMatchObject({ sfId: leadId, field: 'Company' });
    expect(converged.violations[0].message).toContain('"Acme Corp"');
  });

  it('reset empties both systems and ends the sessions handed out before it', async () => {
    await loadSetup();
    const token = await sfToken();
    const r = await control<any>(served.origin, 'POST', '/reset');
    expect(r.body.reset).toBe(true);
    expect((await control<any>(served.origin, 'GET', '/records/salesforce/Lead')).body.totalSize).toBe(0);
    expect((await control<any>(served.origin, 'GET', '/records/marketo')).body.totalSize).toBe(0);
    const old = await sf(token, 'GET', '/limits');
    expect(old.status).toBe(401);
  });

  it('unknown control paths are 404 and wrong methods 405, in JSON', async () => {
    const nf = await control<any>(served.origin, 'GET', '/nothing');
    expect(nf.status).toBe(404);
    expect(nf.body.error.code).toBe('NOT_FOUND');
    const na = await control<any>(served.origin, 'GET', '/reset');
    expect(na.status).toBe(405);
    expect(na.body.error.message).toContain('POST');
    const index = await control<any>(served.origin, 'GET', '');
    expect(index.body.salesforce.username).toBe('sync@example.com');
    expect(index.body.salesforce.loginUrl).toBe(served.origin);
    expect(index.body.marketo.identity).toBe(`${served.origin}/identity/oauth/token`);
    expect(index.body.endpoints.length).toBeGreaterThan(20);
  });
});
