import { describe, expect, it } from 'vitest';
import { errorEnvelope, marketoHarness, REQUEST_ID } from './harness.ts';

const m = marketoHarness();

const sync = (body: unknown) => m.post('/rest/v1/leads.json', body);

describe('POST /rest/v1/leads.json (Sync Leads)', () => {
  it('creates, updates and skips per record, in input order', async () => {
    m.instance.createPerson({ email: 'old@x.test', firstName: 'Old' });
    const r = await sync({
      input: [
        { email: 'new@x.test', firstName: 'New', lastName: 'Person', company: 'Acme' },
        { email: 'OLD@x.test', title: 'CFO' },
        { email: 'c@x.test', favouriteColour: 'blue' },
        { email: 'd@x.test', numberOfEmployees: '12.5' },
        { email: 'e@x.test', firstName: 'x'.repeat(256) },
        { email: 'jos\u00e9@x.test' },
      ],
    });
    expect(r.body).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      success: true,
      result: [
        { id: 2, status: 'created' },
        { id: 1, status: 'updated' },
        { status: 'skipped', reasons: [{ code: '1006', message: "Field 'favouriteColour' not found" }] },
        { status: 'skipped', reasons: [{ code: '1001', message: "Invalid value '12.5'. Required of type 'integer'" }] },
        { status: 'skipped', reasons: [{ code: '1003', message: "Value for field 'firstName' exceeds the maximum length of 255" }] },
        { status: 'skipped', reasons: [{ code: '1003', message: expect.stringContaining('ASCII') }] },
      ],
    });
    // The lookup matched case-insensitively; the record then takes the value as written.
    expect(m.instance.getPerson(1)).toMatchObject({ email: 'OLD@x.test', firstName: 'Old', title: 'CFO' });
    expect(m.instance.getPerson(2)).toMatchObject({ firstName: 'New', lastName: 'Person', company: 'Acme' });
    expect(m.instance.peopleCount).toBe(2);
  });

  it('normalises typed values: integers, currency, booleans, dates and datetimes', async () => {
    m.instance.addField({ name: 'renewalDate', dataType: 'date' });
    m.instance.addField({ name: 'lastSeenAt', dataType: 'datetime' });
    const r = await sync({
      input: [{ email: 'a@x.test', numberOfEmployees: '40', annualRevenue: '1200.50', unsubscribed: 'true', renewalDate: '2026-03-01', lastSeenAt: '2026-01-05T10:00:00+01:00' }],
    });
    expect(r.body.result).toEqual([{ id: 1, status: 'created' }]);
    expect(m.instance.getPerson(1)).toMatchObject({ numberOfEmployees: 40, annualRevenue: 1200.5, unsubscribed: true, renewalDate: '2026-03-01', lastSeenAt: '2026-01-05T09:00:00Z' });
    const bad = await sync({ input: [{ email: 'a@x.test', renewalDate: '2026-02-30' }, { email: 'a@x.test', unsubscribed: 'maybe' }, { email: 'a@x.test', lastSeenAt: 'yesterday' }] });
    expect(bad.body.result.map((x: { reasons: Array<{ code: string }> }) => x.reasons[0]!.code)).toEqual(['1001', '1001', '1001']);
  });

  it('createOnly skips an existing lead with 1005 and refuses id with 1003', async () => {
    m.instance.createPerson({ email: 'a@x.test' });
    const r = await sync({ action: 'createOnly', input: [{ email: 'a@x.test' }, { email: 'b@x.test' }, { id: 1, email: 'c@x.test' }] });
    expect(r.body.result).toEqual([
      { status: 'skipped', reasons: [{ code: '1005', message: 'Lead already exists' }] },
      { id: 2, status: 'created' },
      { status: 'skipped', reasons: [{ code: '1003', message: expect.stringContaining("'id'") }] },
    ]);
  });

  it('updateOnly skips a missing lead with 1004 and updates by id with lookupField id', async () => {
    m.instance.createPerson({ email: 'a@x.test', firstName: 'A' });
    const r = await sync({ action: 'updateOnly', input: [{ email: 'nobody@x.test', firstName: 'N' }, { email: 'a@x.test', lastName: 'Aa' }] });
    expect(r.body.result).toEqual([
      { status: 'skipped', reasons: [{ code: '1004', message: 'Lead not found' }] },
      { id: 1, status: 'updated' },
    ]);
    const byId = await sync({ action: 'updateOnly', lookupField: 'id', input: [{ id: 1, firstName: 'Ay' }, { id: 99, firstName: 'Z' }] });
    expect(byId.body.result).toEqual([
      { id: 1, status: 'updated' },
      { status: 'skipped', reasons: [{ code: '1004', message: 'Lead not found' }] },
    ]);
    expect(m.instance.getPerson(1)).toMatchObject({ firstName: 'Ay', lastName: 'Aa' });
    const idWithUpsert = await sync({ lookupField: 'id', input: [{ id: 1 }] });
    expect(idWithUpsert.body).toEqual(errorEnvelope('1003', /lookupField 'id'/));
  });

  it('createDuplicate always creates, and a later lookup then matches several leads (1007)', async () => {
    const dup = await sync({ action: 'createDuplicate', input: [{ email: 'twin@x.test' }, { email: 'twin@x.test' }] });
    expect(dup.body.result).toEqual([
      { id: 1, status: 'created' },
      { id: 2, status: 'created' },
    ]);
    const r = await sync({ input: [{ email: 'twin@x.test', title: 'X' }] });
    expect(r.body.result).toEqual([{ status: 'skipped', reasons: [{ code: '1007', message: 'Multiple lead match lookup criteria' }] }]);
  });

  it('writes the sfdc* link fields and looks people up by sfdcLeadId and sfdcContactId', async () => {
    m.instance.createPerson({ email: 'a@x.test' });
    const link = await sync({ input: [{ email: 'a@x.test', sfdcType: 'Lead', sfdcLeadId: '00Q000000000001AAA', sfdcLeadOwnerId: '005000000000001AAA', sfdcIsDeleted: false }] });
    expect(link.body.result).toEqual([{ id: 1, status: 'updated' }]);
    const convert = await sync({
      lookupField: 'sfdcLeadId',
      input: [{ sfdcLeadId: '00Q000000000001AAA', sfdcType: 'Contact', sfdcContactId: '003000000000001AAA', sfdcAccountId: '001000000000001AAA' }],
    });
    expect(convert.body.result).toEqual([{ id: 1, status: 'updated' }]);
    const byContact = await sync({ lookupField: 'sfdcContactId', action: 'updateOnly', input: [{ sfdcContactId: '003000000000001AAA', title: 'VP' }] });
    expect(byContact.body.result).toEqual([{ id: 1, status: 'updated' }]);
    expect(m.instance.getPerson(1)).toMatchObject({
      sfdcType: 'Contact',
      sfdcLeadId: '00Q000000000001AAA',
      sfdcContactId: '003000000000001AAA',
      sfdcAccountId: '001000000000001AAA',
      sfdcLeadOwnerId: '005000000000001AAA',
      sfdcIsDeleted: false,
      title: 'VP',
    });
    const badType = await sync({ input: [{ email: 'a@x.test', sfdcType: 'Account' }] });
    expect(badType.body.result[0].reasons[0].code).toBe('1003');
  });

  it('looks up by a custom field', async () => {
    m.instance.addField({ name: 'externalKey', dataType: 'string' });
    m.instance.createPerson({ email: 'a@x.test', externalKey: 'K1' });
    const r = await sync({ lookupField: 'externalKey', input: [{ externalKey: 'K1', city: 'Oslo' }, { externalKey: 'K2', city: 'Rome' }] });
    expect(r.body.result).toEqual([
      { id: 1, status: 'updated' },
      { id: 2, status: 'created' },
    ]);
  });

  it('rejects a request with an unsupported lookupField (1011), a bad action, no input (701) or over 300 records', async () => {
    expect((await sync({ lookupField: 'firstName', input: [{ firstName: 'A' }] })).body).toEqual(errorEnvelope('1011', "Field 'firstName' not supported"));
    expect((await sync({ action: 'upsert', input: [{ email: 'a@x.test' }] })).body).toEqual(errorEnvelope('1003', /Invalid action 'upsert'/));
    expect((await sync({ input: [] })).body).toEqual(errorEnvelope('701', 'input cannot be blank'));
    const many = Array.from({ length: 301 }, (_, i) => ({ email: `p${i}@x.test` }));
    expect((await sync({ input: many })).body).toEqual(errorEnvelope('1003', /at most 300/));
    expect((await sync({ input: many.slice(0, 300) })).body.result).toHaveLength(300);
    expect(m.instance.peopleCount).toBe(300);
  });
});

describe('GET /rest/v1/leads.json (by filter)', () => {
  it('returns the default fields, with null for empty values', async () => {
    m.instance.createPerson({ email: 'a@x.test', firstName: 'Ann' });
    const r = await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'A@X.TEST' });
    expect(r.body).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      success: true,
      result: [{ id: 1, updatedAt: '2026-01-05T09:00:00Z', lastName: null, email: 'a@x.test', createdAt: '2026-01-05T09:00:00Z', firstName: 'Ann' }],
    });
  });

  it('returns the requested fields for several values and several filter types', async () => {
    m.instance.createPerson({ email: 'a@x.test', sfdcContactId: '003000000000001AAA', title: 'CEO' });
    m.instance.createPerson({ email: 'b@x.test', sfdcLeadId: '00Q000000000002AAA' });
    const byEmail = await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'a@x.test,b@x.test,c@x.test', fields: 'email,title' });
    expect(byEmail.body.result).toEqual([
      { email: 'a@x.test', title: 'CEO' },
      { email: 'b@x.test', title: null },
    ]);
    const byLead = await m.get('/rest/v1/leads.json', { filterType: 'sfdcLeadId', filterValues: '00Q000000000002AAA', fields: 'id' });
    expect(byLead.body.result).toEqual([{ id: 2 }]);
    const byContact = await m.get('/rest/v1/leads.json', { filterType: 'sfdcContactId', filterValues: '003000000000001AAA', fields: 'id' });
    expect(byContact.body.result).toEqual([{ id: 1 }]);
    const byId = await m.get('/rest/v1/leads.json', { filterType: 'id', filterValues: '2,1', fields: 'id' });
    expect(byId.body.result).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('pages with batchSize, moreResult and nextPageToken', async () => {
    for (let i = 0; i < 5; i++) m.instance.createPerson({ email: `p${i}@x.test` });
    const values = Array.from({ length: 5 }, (_, i) => `p${i}@x.test`).join(',');
    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: values, fields: 'id', batchSize: 2, ...(token ? { nextPageToken: token } : {}) });
      seen.push(...r.body.result.map((x: { id: number }) => x.id));
      token = r.body.moreResult ? r.body.nextPageToken : undefined;
      pages++;
    } while (token);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    expect(pages).toBe(3);
  });

  it('answers the filter errors: 1011 unsupported filterType, 701 missing, 1003 unknown fields, too many values, bad batchSize and token', async () => {
    expect((await m.get('/rest/v1/leads.json', { filterType: 'firstName', filterValues: 'Ann' })).body).toEqual(errorEnvelope('1011', "Field 'firstName' not supported"));
    expect((await m.get('/rest/v1/leads.json', { filterType: 'noSuchField', filterValues: 'x' })).body).toEqual(errorEnvelope('1011', "Field 'noSuchField' not supported"));
    expect((await m.get('/rest/v1/leads.json', { filterValues: 'a@x.test' })).body).toEqual(errorEnvelope('701', 'filterType cannot be blank'));
    expect((await m.get('/rest/v1/leads.json', { filterType: 'email' })).body).toEqual(errorEnvelope('701', 'filterValues cannot be blank'));
    expect((await m.get('/rest/v1/leads.json', { filterType: 'email', filterValues: 'a@x.test', fields: 'email,site,billingStreet' })).body).toEqual(
      errorEnvelope('1003', 'Invalid fields [site, billingStreet]'),
    );
    const values = Array.from({ length: 301 }, (_, i) => String(i + 1)).join(',');
    expect((await m.get('/rest/v1/leads.json', { filterType: 'id', filterValues: values })).body).toEqual(errorEnvelope('1003', /at most 300/));
    expect((await m.get('/rest/v1/leads.json', { filterType: 'id', filterValues: '1', batchSize: 301 })).body).toEqual(errorEnvelope('1003', /batchSize/));
    expect((await m.get('/rest/v1/leads.json', { filterType: 'id', filterValues: '1', nextPageToken: 'garbage!' })).body).toEqual(errorEnvelope('1003', /nextPageToken/));
  });

  it('answers 1003 when more than 1000 leads match', async () => {
    m.instance.addField({ name: 'segment', dataType: 'string' });
    const input = Array.from({ length: 300 }, (_, i) => ({ email: `p${i}@x.test`, segment: 'S' }));
    for (let batch = 0; batch < 4; batch++) {
      await m.post('/rest/v1/leads.json', { action: 'createDuplicate', input });
    }
    expect((await m.get('/rest/v1/leads.json', { filterType: 'segment', filterValues: 'S' })).body).toEqual(errorEnvelope('1003', 'Too many results match the filter'));
  });
});

describe('GET /rest/v1/lead/{id}.json', () => {
  it('returns one lead with default or requested fields, and an empty result for an unknown id', async () => {
    m.instance.createPerson({ email: 'a@x.test', phone: '+1 555 0100' });
    const r = await m.get('/rest/v1/lead/1.json');
    expect(r.body.result).toEqual([{ id: 1, updatedAt: '2026-01-05T09:00:00Z', lastName: null, email: 'a@x.test', createdAt: '2026-01-05T09:00:00Z', firstName: null }]);
    expect((await m.get('/rest/v1/lead/1.json', { fields: 'phone,sfdcType' })).body.result).toEqual([{ phone: '+1 555 0100', sfdcType: null }]);
    expect((await m.get('/rest/v1/lead/42.json')).body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), success: true, result: [] });
  });
});

describe('Delete and merge', () => {
  it('deletes by id, skipping unknown ids with 1004, by POST delete.json and by DELETE leads.json', async () => {
    m.instance.createPerson({ email: 'a@x.test' });
    m.instance.createPerson({ email: 'b@x.test' });
    const r = await m.post('/rest/v1/leads/delete.json', { input: [{ id: 1 }, { id: 77 }] });
    expect(r.body.result).toEqual([
      { id: 1, status: 'deleted' },
      { id: 77, status: 'skipped', reasons: [{ code: '1004', message: 'Lead not found' }] },
    ]);
    const viaDelete = await m.call('/rest/v1/leads.json', { method: 'DELETE', body: { input: [{ id: 2 }] } });
    expect(viaDelete.body.result).toEqual([{ id: 2, status: 'deleted' }]);
    expect(m.instance.listPeople()).toEqual([]);
  });

  it('merges losers into the winner: winner keeps id and values, empty fields filled from losers', async () => {
    m.instance.createPerson({ email: 'w@x.test', firstName: 'Win', title: null });
    m.instance.createPerson({ email: 'l1@x.test', firstName: 'Lose', title: 'CTO' });
    m.instance.createPerson({ email: 'l2@x.test', phone: '123', title: 'CEO' });
    const r = await m.call('/rest/v1/leads/1/merge.json', { method: 'POST', query: { leadIds: '2,3' } });
    expect(r.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), success: true });
    expect(m.instance.getPerson(1)).toMatchObject({ id: 1, email: 'w@x.test', firstName: 'Win', title: 'CTO', phone: '123' });
    expect(m.instance.getPerson(2)).toBeUndefined();
    expect(m.instance.getPerson(3)).toBeUndefined();
    const single = await m.call('/rest/v1/leads/1/merge.json', { method: 'POST', query: { leadId: 9 } });
    expect(single.body).toEqual(errorEnvelope('1004', 'Lead [9] not found'));
    const many = Array.from({ length: 26 }, (_, i) => i + 10).join(',');
    expect((await m.call('/rest/v1/leads/1/merge.json', { method: 'POST', query: { leadIds: many } })).body).toEqual(errorEnvelope('1080', /25/));
    expect((await m.call('/rest/v1/leads/1/merge.json', { method: 'POST' })).body).toEqual(errorEnvelope('701', 'leadId cannot be blank'));
  });
});
