import { describe, expect, it } from 'vitest';
import { errorEnvelope, marketoHarness, REQUEST_ID } from './harness.ts';

const m = marketoHarness();

async function sinceStart(): Promise<string> {
  const r = await m.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2026-01-01T00:00:00Z' });
  return r.body.nextPageToken;
}

/** Pages through activities.json until moreResult is false (as a correct client must). */
async function readAll(typeIds: string, extra: Record<string, string | number> = {}) {
  let token = await sinceStart();
  const items: Array<Record<string, unknown>> = [];
  const pages: Array<{ size: number; moreResult: boolean }> = [];
  for (;;) {
    const r = await m.get('/rest/v1/activities.json', { activityTypeIds: typeIds, nextPageToken: token, ...extra });
    expect(r.body.success).toBe(true);
    expect(typeof r.body.nextPageToken).toBe('string');
    items.push(...(r.body.result ?? []));
    pages.push({ size: (r.body.result ?? []).length, moreResult: r.body.moreResult });
    token = r.body.nextPageToken;
    if (!r.body.moreResult) break;
  }
  return { items, pages, token };
}

const attrs = (a: Record<string, unknown>) => Object.fromEntries((a.attributes as Array<{ name: string; value: unknown }>).map((x) => [x.name, x.value]));

describe('GET /rest/v1/activities/types.json', () => {
  it('serves the standard types with their real ids', async () => {
    const r = await m.get('/rest/v1/activities/types.json');
    const byId = new Map<number, string>(r.body.result.map((t: { id: number; name: string }) => [t.id, t.name]));
    expect(byId.get(12)).toBe('New Lead');
    expect(byId.get(13)).toBe('Change Data Value');
    expect(byId.get(19)).toBe('Sync Lead to SFDC');
    expect(byId.get(21)).toBe('Convert Lead');
    expect(byId.get(28)).toBe('Sync Lead Updates to SFDC');
    expect(byId.get(32)).toBe('Merge Leads');
    expect(byId.get(37)).toBe('Delete Lead');
    expect(r.body.result.find((t: { id: number }) => t.id === 13)).toEqual({
      id: 13,
      name: 'Change Data Value',
      description: expect.any(String),
      primaryAttribute: { name: 'Attribute Name', dataType: 'integer' },
      attributes: [
        { name: 'New Value', dataType: 'string' },
        { name: 'Old Value', dataType: 'string' },
        { name: 'Reason', dataType: 'string' },
        { name: 'Source', dataType: 'string' },
      ],
    });
  });
});

describe('Activities recorded for each kind of change', () => {
  it('New Lead (12) on create and Change Data Value (13) per changed field, with Reason and Source', async () => {
    await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', firstName: 'Ann' }] });
    m.clock.advanceBy(60_000);
    await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', firstName: 'Anne', title: 'CEO', lastName: null }] });
    m.instance.updatePerson(1, { title: 'CTO' }, { source: 'form' });
    m.instance.updatePerson(1, { phone: '555' }, { source: 'user' });
    const { items } = await readAll('12,13');
    expect(items.map((a) => [a.activityTypeId, a.primaryAttributeValue])).toEqual([
      [12, 'Ann'],
      [13, 'First Name'],
      [13, 'Job Title'],
      [13, 'Job Title'],
      [13, 'Phone Number'],
    ]);
    expect(items[0]).toEqual({
      id: 1,
      marketoGUID: '1',
      leadId: 1,
      activityDate: '2026-01-05T09:00:00Z',
      activityTypeId: 12,
      primaryAttributeValueId: 1,
      primaryAttributeValue: 'Ann',
      attributes: [
        { name: 'Source Type', value: 'Web service API' },
        { name: 'Created Date', value: '2026-01-05' },
      ],
    });
    expect(items[1]).toMatchObject({ activityDate: '2026-01-05T09:01:00Z', primaryAttributeValueId: 3 });
    expect(attrs(items[1]!)).toEqual({ 'New Value': 'Anne', 'Old Value': 'Ann', Reason: 'Web service API', Source: 'Web service API' });
    expect(attrs(items[3]!)).toEqual({ 'New Value': 'CTO', 'Old Value': 'CEO', Reason: 'Form fill-out', Source: 'Web form fillout' });
    expect(attrs(items[4]!)).toMatchObject({ Reason: 'Changed by user', Source: 'Marketo UI' });
  });

  it('records nothing for an update that changes nothing', async () => {
    m.instance.createPerson({ email: 'a@x.test', firstName: 'Ann' });
    const before = m.instance.getPerson(1)!.updatedAt;
    m.clock.advanceBy(60_000);
    await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', firstName: 'Ann' }] });
    expect((await readAll('13')).items).toEqual([]);
    expect(m.instance.getPerson(1)!.updatedAt).toBe(before);
  });

  it('Delete Lead (37) in activities.json and deletedleads.json', async () => {
    m.instance.createPerson({ email: 'a@x.test', firstName: 'Ann', lastName: 'Lee' });
    const token = await sinceStart();
    await m.post('/rest/v1/leads/delete.json', { input: [{ id: 1 }] });
    const deleted = await m.get('/rest/v1/activities/deletedleads.json', { nextPageToken: token });
    expect(deleted.body).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      success: true,
      result: [{ id: 2, marketoGUID: '2', leadId: 1, activityDate: '2026-01-05T09:00:00Z', activityTypeId: 37, primaryAttributeValueId: 1, primaryAttributeValue: 'Ann Lee', attributes: [] }],
      nextPageToken: expect.any(String),
      moreResult: false,
    });
    expect((await readAll('37')).items).toHaveLength(1);
  });

  it('Merge Leads (32) on the winner with the loser ids; the losers\' activities move to the winner', async () => {
    m.instance.createPerson({ email: 'w@x.test' });
    m.instance.createPerson({ email: 'l@x.test', city: 'Oslo' });
    await m.call('/rest/v1/leads/1/merge.json', { method: 'POST', query: { leadId: 2 } });
    const { items } = await readAll('12,13,32');
    expect(items.map((a) => [a.activityTypeId, a.leadId])).toEqual([
      [12, 1],
      [12, 1],
      [13, 1],
      [32, 1],
    ]);
    expect(attrs(items[2]!)).toMatchObject({ 'New Value': 'Oslo', 'Old Value': null, Reason: 'Merge Leads' });
    expect(attrs(items[3]!)).toEqual({ 'Merge IDs': '2', 'Merged in Sales': false, 'Master Updated': true });
  });

  it('the sync fields changing are Change Data Value activities too, and SFDC types can be logged', async () => {
    m.instance.createPerson({ email: 'a@x.test' });
    await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', sfdcType: 'Lead', sfdcLeadId: '00Q000000000001AAA' }] });
    m.instance.logActivity({ leadId: 1, activityTypeId: 19, attributes: [{ name: 'Result', value: 'Success' }] });
    const { items } = await readAll('13,19');
    expect(items.map((a) => [a.activityTypeId, a.primaryAttributeValue])).toEqual([
      [13, 'SFDC Type'],
      [13, 'SFDC Lead ID'],
      [19, undefined],
    ]);
  });

  it('filters by leadIds', async () => {
    m.instance.createPerson({ email: 'a@x.test' });
    m.instance.createPerson({ email: 'b@x.test' });
    m.instance.updatePerson(2, { city: 'Rome' });
    const { items } = await readAll('12,13', { leadIds: '2' });
    expect(items.map((a) => a.id)).toEqual([2, 3]);
  });
});

describe('Paging tokens', () => {
  it('a token from pagingtoken.json starts at the first activity at or after sinceDatetime', async () => {
    m.instance.createPerson({ email: 'a@x.test' });
    m.clock.advanceBy(3_600_000);
    m.instance.createPerson({ email: 'b@x.test' });
    const r = await m.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2026-01-05T09:30:00-00:00' });
    expect(r.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), success: true, nextPageToken: expect.stringMatching(/^[A-Z2-7]+$/) });
    const page = await m.get('/rest/v1/activities.json', { activityTypeIds: '12', nextPageToken: r.body.nextPageToken });
    expect(page.body.result.map((a: { leadId: number }) => a.leadId)).toEqual([2]);
    // A token for a time with nothing after it gives an empty page and picks up later activities.
    const future = await m.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2026-01-05T12:00:00+01:00' });
    const empty = await m.get('/rest/v1/activities.json', { activityTypeIds: '12', nextPageToken: future.body.nextPageToken });
    expect(empty.body).toEqual({ requestId: expect.stringMatching(REQUEST_ID), success: true, nextPageToken: expect.any(String), moreResult: false });
    m.instance.createPerson({ email: 'c@x.test' });
    const later = await m.get('/rest/v1/activities.json', { activityTypeIds: '12', nextPageToken: empty.body.nextPageToken });
    expect(later.body.result.map((a: { leadId: number }) => a.leadId)).toEqual([3]);
  });

  it('pages through several full pages and returns every activity once, in order', async () => {
    for (let i = 0; i < 250; i++) m.instance.createPerson({ email: `p${i}@x.test` });
    const { items, pages } = await readAll('12', { batchSize: 100 });
    expect(items.map((a) => a.id)).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
    expect(pages).toEqual([
      { size: 100, moreResult: true },
      { size: 100, moreResult: true },
      { size: 50, moreResult: false },
    ]);
  });

  it('can answer a short or empty page with moreResult true; a client that stops early misses data', async () => {
    m.instance.createPerson({ email: 'a@x.test' }); // activity 1: New Lead
    for (let i = 0; i < 700; i++) m.instance.updatePerson(1, { numberOfEmployees: i + 1 }); // 2..701: Change Data Value
    m.instance.createPerson({ email: 'b@x.test' }); // 702: New Lead
    const { items, pages } = await readAll('12');
    expect(items.map((a) => a.leadId)).toEqual([1, 2]);
    expect(pages).toEqual([
      { size: 1, moreResult: true },
      { size: 0, moreResult: true },
      { size: 1, moreResult: false },
    ]);
    // The naive client: stop as soon as a page has fewer than batchSize items.
    const first = await m.get('/rest/v1/activities.json', { activityTypeIds: '12', nextPageToken: await sinceStart() });
    expect(first.body.result).toHaveLength(1);
    expect(first.body.moreResult).toBe(true);
    expect(first.body.result.map((a: { leadId: number }) => a.leadId)).not.toContain(2);
  });

  it('leadchanges.json returns New Lead and the requested fields\' changes only, with fields[] and Reason/Source', async () => {
    m.instance.createPerson({ email: 'a@x.test', firstName: 'Ann' });
    await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', firstName: 'Anne', city: 'Oslo' }] });
    m.instance.deletePerson(1);
    const r = await m.get('/rest/v1/activities/leadchanges.json', { nextPageToken: await sinceStart(), fields: 'firstName,lastName' });
    expect(r.body).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      success: true,
      result: [
        { id: 1, marketoGUID: '1', leadId: 1, activityDate: '2026-01-05T09:00:00Z', activityTypeId: 12, fields: [], attributes: expect.any(Array) },
        {
          id: 2,
          marketoGUID: '2',
          leadId: 1,
          activityDate: '2026-01-05T09:00:00Z',
          activityTypeId: 13,
          fields: [{ id: 3, name: 'firstName', newValue: 'Anne', oldValue: 'Ann' }],
          attributes: [
            { name: 'Reason', value: 'Web service API' },
            { name: 'Source', value: 'Web service API' },
          ],
        },
      ],
      nextPageToken: expect.any(String),
      moreResult: false,
    });
    expect(m.instance.requestLog.at(-1)!.fieldsRead).toEqual(['firstName', 'lastName']);
  });

  it('answers the parameter errors with their codes', async () => {
    const token = await sinceStart();
    expect((await m.get('/rest/v1/activities/pagingtoken.json')).body).toEqual(errorEnvelope('701', 'sinceDatetime cannot be blank'));
    expect((await m.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: 'last tuesday' })).body).toEqual(errorEnvelope('1003', /sinceDatetime/));
    expect((await m.get('/rest/v1/activities.json', { activityTypeIds: '12' })).body).toEqual(errorEnvelope('701', 'nextPageToken cannot be blank'));
    expect((await m.get('/rest/v1/activities.json', { nextPageToken: token })).body).toEqual(errorEnvelope('701', 'activityTypeIds cannot be blank'));
    expect((await m.get('/rest/v1/activities.json', { nextPageToken: token, activityTypeIds: '1,2,3,6,7,8,9,10,11,12,13' })).body).toEqual(errorEnvelope('1003', /at most 10/));
    expect((await m.get('/rest/v1/activities.json', { nextPageToken: token, activityTypeIds: '12', leadIds: Array.from({ length: 31 }, (_, i) => i + 1).join(',') })).body).toEqual(
      errorEnvelope('1003', /at most 30/),
    );
    expect((await m.get('/rest/v1/activities.json', { nextPageToken: token, activityTypeIds: '12', batchSize: 301 })).body).toEqual(errorEnvelope('1003', /batchSize/));
    expect((await m.get('/rest/v1/activities.json', { nextPageToken: token, activityTypeIds: '99999' })).body).toEqual(errorEnvelope('1003', /99999/));
    expect((await m.get('/rest/v1/activities.json', { nextPageToken: 'NOTATOKEN1', activityTypeIds: '12' })).body).toEqual(errorEnvelope('1003', /nextPageToken/));
    expect((await m.get('/rest/v1/activities/leadchanges.json', { nextPageToken: token })).body).toEqual(errorEnvelope('701', 'fields cannot be blank'));
    expect((await m.get('/rest/v1/activities/leadchanges.json', { nextPageToken: token, fields: 'nope' })).body).toEqual(errorEnvelope('1003', 'Invalid fields [nope]'));
    expect((await m.get('/rest/v1/activities/deletedleads.json')).body).toEqual(errorEnvelope('701', 'nextPageToken cannot be blank'));
  });
});
