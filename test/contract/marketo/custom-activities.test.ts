import { describe, expect, it } from 'vitest';
import { errorEnvelope, marketoHarness, REQUEST_ID } from './harness.ts';

const m = marketoHarness();

const SYNC_FAILURE = {
  apiName: 'sfdcSyncFailure',
  name: 'SFDC Sync Failure',
  description: 'A write to Salesforce was rejected',
  triggerName: 'Has SFDC Sync Failure',
  filterName: 'Had SFDC Sync Failure',
  primaryAttribute: { apiName: 'errorCode', name: 'Error Code', dataType: 'string' },
};

const ATTRIBUTES = [
  { apiName: 'message', name: 'Message', dataType: 'text' },
  { apiName: 'fields', name: 'Fields', dataType: 'string' },
  { apiName: 'operation', name: 'Operation', dataType: 'string' },
  { apiName: 'sfdcId', name: 'SFDC Id', dataType: 'string' },
];

async function createApproved() {
  await m.post('/rest/v1/activities/external/type.json', SYNC_FAILURE);
  await m.post('/rest/v1/activities/external/type/sfdcSyncFailure/attributes/create.json', { attributes: ATTRIBUTES });
  return m.call('/rest/v1/activities/external/type/sfdcSyncFailure/approve.json', { method: 'POST' });
}

describe('Custom activity types end to end', () => {
  it('create (draft), add attributes, approve, write to a person, read back via activities.json', async () => {
    const created = await m.post('/rest/v1/activities/external/type.json', SYNC_FAILURE);
    expect(created.body).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      success: true,
      result: [
        {
          id: 100000,
          apiName: 'sfdcSyncFailure',
          name: 'SFDC Sync Failure',
          description: 'A write to Salesforce was rejected',
          triggerName: 'Has SFDC Sync Failure',
          filterName: 'Had SFDC Sync Failure',
          primaryAttribute: { apiName: 'errorCode', name: 'Error Code', dataType: 'string' },
          attributes: [],
          status: 'draft',
          createdAt: '2026-01-05T09:00:00Z',
          updatedAt: '2026-01-05T09:00:00Z',
        },
      ],
    });
    const withAttrs = await m.post('/rest/v1/activities/external/type/sfdcSyncFailure/attributes/create.json', { attributes: ATTRIBUTES });
    expect(withAttrs.body.result[0].attributes.map((a: { apiName: string }) => a.apiName)).toEqual(['message', 'fields', 'operation', 'sfdcId']);

    // A draft is listed by external/types.json but is not yet a usable type.
    expect((await m.get('/rest/v1/activities/external/types.json')).body.result.map((t: { status: string }) => t.status)).toEqual(['draft']);
    expect((await m.get('/rest/v1/activities/types.json')).body.result.some((t: { id: number }) => t.id === 100000)).toBe(false);
    m.instance.createPerson({ email: 'a@x.test' });
    const early = await m.post('/rest/v1/activities/external.json', {
      input: [{ leadId: 1, activityDate: '2026-01-05T09:00:00Z', activityTypeId: 100000, primaryAttributeValue: 'X' }],
    });
    expect(early.body.result).toEqual([{ status: 'skipped', reasons: [{ code: '1013', message: expect.stringContaining('not approved') }] }]);

    const approved = await m.call('/rest/v1/activities/external/type/sfdcSyncFailure/approve.json', { method: 'POST' });
    expect(approved.body.result[0].status).toBe('approved');
    const types = (await m.get('/rest/v1/activities/types.json')).body.result;
    expect(types.find((t: { id: number }) => t.id === 100000)).toEqual({
      id: 100000,
      name: 'SFDC Sync Failure',
      description: 'A write to Salesforce was rejected',
      primaryAttribute: { name: 'Error Code', dataType: 'string' },
      attributes: [
        { name: 'Message', dataType: 'text' },
        { name: 'Fields', dataType: 'string' },
        { name: 'Operation', dataType: 'string' },
        { name: 'SFDC Id', dataType: 'string' },
      ],
    });

    const token = (await m.get('/rest/v1/activities/pagingtoken.json', { sinceDatetime: '2026-01-05T00:00:00Z' })).body.nextPageToken;
    const added = await m.post('/rest/v1/activities/external.json', {
      input: [
        {
          leadId: 1,
          activityDate: '2026-01-05T09:00:00Z',
          activityTypeId: 100000,
          primaryAttributeValue: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
          attributes: [
            { apiName: 'message', value: 'Hot leads need a phone number' },
            { apiName: 'fields', value: 'Phone' },
            { apiName: 'operation', value: 'update' },
            { apiName: 'sfdcId', value: '00Q000000000001AAA' },
          ],
        },
        { leadId: 99, activityDate: '2026-01-05T09:00:00Z', activityTypeId: 100000, primaryAttributeValue: 'X' },
      ],
    });
    expect(added.body.result).toEqual([
      { id: 2, marketoGUID: '2', status: 'added' },
      { status: 'skipped', reasons: [{ code: '1004', message: 'Lead [99] not found' }] },
    ]);
    const read = await m.get('/rest/v1/activities.json', { activityTypeIds: '100000', nextPageToken: token });
    expect(read.body.result).toEqual([
      {
        id: 2,
        marketoGUID: '2',
        leadId: 1,
        activityDate: '2026-01-05T09:00:00Z',
        activityTypeId: 100000,
        primaryAttributeValue: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
        attributes: [
          { name: 'Message', apiName: 'message', value: 'Hot leads need a phone number' },
          { name: 'Fields', apiName: 'fields', value: 'Phone' },
          { name: 'Operation', apiName: 'operation', value: 'update' },
          { name: 'SFDC Id', apiName: 'sfdcId', value: '00Q000000000001AAA' },
        ],
      },
    ]);
  });

  it('describes a type (draft=true for a draft) and reports status changes after approval', async () => {
    await m.post('/rest/v1/activities/external/type.json', SYNC_FAILURE);
    expect((await m.get('/rest/v1/activities/external/type/sfdcSyncFailure/describe.json')).body).toEqual(errorEnvelope('1013', /draft=true/));
    expect((await m.get('/rest/v1/activities/external/type/sfdcSyncFailure/describe.json', { draft: 'true' })).body.result[0].apiName).toBe('sfdcSyncFailure');
    await m.call('/rest/v1/activities/external/type/sfdcSyncFailure/approve.json', { method: 'POST' });
    await m.post('/rest/v1/activities/external/type/sfdcSyncFailure/attributes/create.json', { attributes: [{ apiName: 'extra', name: 'Extra', dataType: 'string' }] });
    expect((await m.get('/rest/v1/activities/external/types.json')).body.result[0].status).toBe('approved with draft');
    expect((await m.get('/rest/v1/activities/external/type/nope/describe.json')).body).toEqual(errorEnvelope('1013', "Activity type 'nope' not found"));
    expect((await m.call('/rest/v1/activities/external/type/nope/approve.json', { method: 'POST' })).body).toEqual(errorEnvelope('1013', "Activity type 'nope' not found"));
  });

  it('skips records with an unknown attribute (1006), a bad value (1001) or a bad date (1003)', async () => {
    await m.post('/rest/v1/activities/external/type.json', { ...SYNC_FAILURE, primaryAttribute: { apiName: 'count', name: 'Count', dataType: 'integer' } });
    await m.call('/rest/v1/activities/external/type/sfdcSyncFailure/approve.json', { method: 'POST' });
    m.instance.createPerson({ email: 'a@x.test' });
    const base = { leadId: 1, activityDate: '2026-01-05T09:00:00Z', activityTypeId: 100000, primaryAttributeValue: 3 };
    const r = await m.post('/rest/v1/activities/external.json', {
      input: [
        { ...base, attributes: [{ apiName: 'nope', value: 'x' }] },
        { ...base, primaryAttributeValue: 'three' },
        { ...base, activityDate: 'today' },
        { ...base, primaryAttributeValue: null },
        base,
      ],
    });
    expect(r.body.result.map((x: { status: string; reasons?: Array<{ code: string }> }) => x.reasons?.[0]?.code ?? x.status)).toEqual(['1006', '1001', '1003', '1003', 'added']);
    expect((await m.post('/rest/v1/activities/external.json', { input: [] })).body).toEqual(errorEnvelope('701', 'input cannot be blank'));
  });

  it('enforces 10 types (1027), 20 attributes (1028), unique names (1017) and required fields (701)', async () => {
    for (let i = 0; i < 10; i++) {
      const r = await m.post('/rest/v1/activities/external/type.json', { ...SYNC_FAILURE, apiName: `t${i}`, name: `Type ${i}` });
      expect(r.body.result[0].id).toBe(100000 + i);
    }
    expect((await m.post('/rest/v1/activities/external/type.json', { ...SYNC_FAILURE, apiName: 't10', name: 'Type 10' })).body).toEqual(errorEnvelope('1027', /10/));
    expect((await m.post('/rest/v1/activities/external/type.json', { ...SYNC_FAILURE, apiName: 't0', name: 'Other' })).body).toEqual(errorEnvelope('1017', /already exists/));
    const attrs = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ({ apiName: `a${i + from}`, name: `A${i + from}`, dataType: 'string' }));
    expect((await m.post('/rest/v1/activities/external/type/t0/attributes/create.json', { attributes: attrs(20) })).body.success).toBe(true);
    expect((await m.post('/rest/v1/activities/external/type/t0/attributes/create.json', { attributes: attrs(1, 20) })).body).toEqual(errorEnvelope('1028', /20/));
    expect((await m.post('/rest/v1/activities/external/type/t1/attributes/create.json', { attributes: attrs(21) })).body).toEqual(errorEnvelope('1028', /20/));
    expect((await m.post('/rest/v1/activities/external/type/t1/attributes/create.json', { attributes: [{ apiName: 'x', name: 'X', dataType: 'blob' }] })).body).toEqual(errorEnvelope('1003', /dataType 'blob'/));
    const { instance } = m;
    expect(instance.activityLog.customTypes()).toHaveLength(10);
    const blank = await m.post('/rest/v1/activities/external/type.json', { name: 'No api name' });
    expect(blank.body).toEqual(errorEnvelope('701', 'apiName cannot be blank'));
  });

  it('writes a custom activity through the instance too, for the simulator', async () => {
    await createApproved();
    m.instance.createPerson({ email: 'a@x.test' });
    m.instance.logActivity({ leadId: 1, activityTypeId: 100000, primaryAttributeValue: 'REQUIRED_FIELD_MISSING', attributes: [{ name: 'Message', apiName: 'message', value: 'Required fields are missing: [Company]' }] });
    expect(m.instance.listActivities({ leadId: 1, typeIds: [100000] })).toHaveLength(1);
  });
});
