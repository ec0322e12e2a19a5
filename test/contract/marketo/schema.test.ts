import { describe, expect, it } from 'vitest';
import { errorEnvelope, marketoHarness, REQUEST_ID } from './harness.ts';

const m = marketoHarness();

describe('Lead schema endpoints', () => {
  it('describe.json lists every person field with REST names, types, lengths and read-only flags', async () => {
    const r = await m.get('/rest/v1/leads/describe.json');
    expect(r.body.success).toBe(true);
    const byName = new Map<string, Record<string, unknown>>(r.body.result.map((f: { rest: { name: string } }) => [f.rest.name, f]));
    for (const name of [
      'id', 'email', 'firstName', 'lastName', 'company', 'title', 'phone', 'mobilePhone', 'leadSource', 'leadStatus', 'industry', 'rating',
      'annualRevenue', 'numberOfEmployees', 'address', 'city', 'state', 'postalCode', 'country', 'website', 'unsubscribed', 'createdAt', 'updatedAt',
      'sfdcType', 'sfdcLeadId', 'sfdcContactId', 'sfdcAccountId', 'sfdcLeadOwnerId', 'sfdcIsDeleted',
    ]) {
      expect(byName.has(name), name).toBe(true);
    }
    expect(byName.get('email')).toEqual({ id: 2, displayName: 'Email Address', dataType: 'email', length: 255, rest: { name: 'email', readOnly: false }, soap: { name: 'Email', readOnly: false } });
    expect(byName.get('createdAt')).toMatchObject({ dataType: 'datetime', rest: { name: 'createdAt', readOnly: true } });
    expect(byName.get('id')).toMatchObject({ dataType: 'integer', rest: { readOnly: true } });
    // The sync fields are writable here: this instance has no native CRM sync (see mocks/marketo/fields.ts).
    expect(byName.get('sfdcLeadId')).toMatchObject({ dataType: 'string', length: 18, rest: { readOnly: false } });
    expect(byName.get('sfdcIsDeleted')).toMatchObject({ dataType: 'boolean', rest: { readOnly: false } });
    expect(byName.get('annualRevenue')).toMatchObject({ dataType: 'currency' });
  });

  it('describe2.json lists the searchable fields usable as filterType', async () => {
    m.instance.addField({ name: 'externalKey', dataType: 'string' });
    const r = await m.get('/rest/v1/leads/describe2.json');
    expect(r.body.result[0].name).toBe('API Lead');
    expect(r.body.result[0].searchableFields).toEqual([['id'], ['email'], ['sfdcLeadId'], ['sfdcContactId'], ['sfdcAccountId'], ['sfdcLeadOwnerId'], ['externalKey']]);
    expect(r.body.result[0].fields.find((f: { name: string }) => f.name === 'updatedAt')).toMatchObject({ updateable: false });
  });

  it('schema/fields.json pages through fields, shows one field, and creates custom fields', async () => {
    const all: string[] = [];
    let token: string | undefined;
    do {
      const r = await m.get('/rest/v1/leads/schema/fields.json', { batchSize: 10, ...(token ? { nextPageToken: token } : {}) });
      all.push(...r.body.result.map((f: { name: string }) => f.name));
      token = r.body.moreResult ? r.body.nextPageToken : undefined;
    } while (token);
    expect(all).toHaveLength(29);
    const created = await m.post('/rest/v1/leads/schema/fields.json', {
      input: [
        { displayName: 'Score', name: 'score', dataType: 'integer' },
        { displayName: 'Dup', name: 'email', dataType: 'string' },
        { displayName: 'Odd', name: 'odd', dataType: 'blob' },
      ],
    });
    expect(created.body).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      success: true,
      result: [
        { name: 'score', status: 'created' },
        { name: 'email', status: 'skipped', reasons: [{ code: '1017', message: "Field 'email' already exists" }] },
        { name: 'odd', status: 'skipped', reasons: [{ code: '1003', message: expect.stringContaining("dataType 'blob'") }] },
      ],
    });
    expect((await m.get('/rest/v1/leads/schema/fields/score.json')).body.result).toEqual([
      { displayName: 'Score', name: 'score', description: null, dataType: 'integer', isHidden: false, isHtmlEncodingInEmail: false, isSensitive: false, isCustom: true, isApiCreated: true },
    ]);
    expect((await m.get('/rest/v1/leads/schema/fields/nope.json')).body).toEqual(errorEnvelope('1013', "Field 'nope' not found"));
    // The new field is usable at once.
    const sync = await m.post('/rest/v1/leads.json', { input: [{ email: 'a@x.test', score: 7 }] });
    expect(sync.body.result).toEqual([{ id: 1, status: 'created' }]);
    expect(m.instance.getPerson(1)!.score).toBe(7);
  });
});
