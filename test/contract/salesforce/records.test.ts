import { beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { raw, rejection, soapConnection, useSalesforce, VERSION } from './harness.ts';

const sf = useSalesforce();
let conn: Connection;

beforeAll(async () => {
  sf.org.addField({ object: 'Lead', name: 'Ext_Id__c', type: 'string', length: 40, externalId: true, unique: true });
  sf.org.addField({ object: 'Lead', name: 'Score__c', type: 'double', precision: 18, scale: 2 });
  conn = await soapConnection();
});

const lead = (n: number, extra: Record<string, unknown> = {}) => ({ FirstName: `F${n}`, LastName: `Last${n}`, Company: `Co${n}`, ...extra });

describe('single-record CRUD through jsforce', () => {
  it('creates (201), retrieves, updates (204) and deletes (204) a lead', async () => {
    const created = await conn.sobject('Lead').create(lead(1, { Email: 'one@acme.test' }));
    expect(created).toEqual({ id: expect.stringMatching(/^00Q[a-zA-Z0-9]{15}$/), success: true, errors: [] });
    const id = created.id!;

    const record = await conn.sobject('Lead').retrieve(id);
    expect(record['attributes']).toEqual({ type: 'Lead', url: `/services/data/v${VERSION}/sobjects/Lead/${id}` });
    expect(record).toMatchObject({ Id: id, LastName: 'Last1', Company: 'Co1', Email: 'one@acme.test', Status: 'Open - Not Contacted' });

    const some = await conn.sobject('Lead').retrieve(id, { fields: ['LastName', 'email'] });
    expect(Object.keys(some)).toEqual(['attributes', 'LastName', 'Email', 'Id']);

    const updated = await conn.sobject('Lead').update({ Id: id, Title: 'CFO' });
    expect(updated).toEqual({ id, success: true, errors: [] });
    expect(sf.org.get('Lead', id)?.['Title']).toBe('CFO');

    const deleted = await conn.sobject('Lead').destroy(id);
    expect(deleted).toEqual({ id, success: true, errors: [] });
    expect(sf.org.get('Lead', id)).toBeUndefined();
  });

  it('answers the raw statuses: 201 create, 204 update, 204 delete, JSON content type', async () => {
    const post = await raw(conn, 'POST', '/sobjects/Lead', JSON.stringify(lead(2)));
    expect(post.status).toBe(201);
    expect(post.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const { id } = (await post.json()) as { id: string };
    const patch = await raw(conn, 'PATCH', `/sobjects/Lead/${id}`, JSON.stringify({ Title: 'VP' }));
    expect(patch.status).toBe(204);
    expect(await patch.text()).toBe('');
    const del = await raw(conn, 'DELETE', `/sobjects/Lead/${id}`);
    expect(del.status).toBe(204);
  });

  it('accepts a 15-character id and answers 18', async () => {
    const { id } = await conn.sobject('Lead').create(lead(3));
    const record = await conn.sobject('Lead').retrieve(id!.slice(0, 15));
    expect(record.Id).toBe(id);
  });

  it('upserts by external id: 201 created:true, then 200 created:false', async () => {
    const first = await conn.sobject('Lead').upsert({ Ext_Id__c: 'X-1', ...lead(4) }, 'Ext_Id__c');
    expect(first).toMatchObject({ success: true, created: true, errors: [] });
    const second = await conn.sobject('Lead').upsert({ Ext_Id__c: 'X-1', Title: 'Boss' }, 'Ext_Id__c');
    expect(second).toEqual({ id: (first as { id: string }).id, success: true, errors: [], created: false });
    const res = await raw(conn, 'PATCH', '/sobjects/Lead/Ext_Id__c/X-1', JSON.stringify({ Title: 'Chief' }));
    expect(res.status).toBe(200);
    const res2 = await raw(conn, 'PATCH', '/sobjects/Lead/Ext_Id__c/X-2', JSON.stringify(lead(5)));
    expect(res2.status).toBe(201);
  });

  it('answers 300 MULTIPLE_CHOICES with the matching records when an external id is not unique', async () => {
    sf.org.addField({ object: 'Lead', name: 'Legacy__c', type: 'string', length: 20, externalId: true });
    const a = await conn.sobject('Lead').create(lead(6, { Legacy__c: 'L' }));
    const b = await conn.sobject('Lead').create(lead(7, { Legacy__c: 'L' }));
    const res = await raw(conn, 'PATCH', '/sobjects/Lead/Legacy__c/L', JSON.stringify({ Title: 'x' }));
    expect(res.status).toBe(300);
    expect(await res.json()).toEqual([`/services/data/v${VERSION}/sobjects/Lead/${a.id}`, `/services/data/v${VERSION}/sobjects/Lead/${b.id}`]);
    const err = await rejection(conn.sobject('Lead').upsert({ Legacy__c: 'L', Title: 'x' }, 'Legacy__c'));
    expect(err.errorCode).toBe('MULTIPLE_CHOICES');
  });
});

describe('describe', () => {
  it('describeGlobal lists the objects; describe gives fields and 404 for an unknown object', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Lead', 'Contact', 'Account', 'User']));
    const d = await conn.sobject('Lead').describe();
    const names = d.fields.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['Id', 'LastName', 'Company', 'Status', 'Score__c']));
    expect((d.urls as Record<string, string>)['describe']).toBe(`/services/data/v${VERSION}/sobjects/Lead/describe`);
    const basic = await raw(conn, 'GET', '/sobjects/Lead');
    expect(basic.status).toBe(200);
    expect(((await basic.json()) as { objectDescribe: { name: string } }).objectDescribe.name).toBe('Lead');
    const err = await rejection(conn.sobject('Nope__c').describe());
    expect(err.errorCode).toBe('NOT_FOUND');
    expect(err.message).toBe('The requested resource does not exist');
  });
});

describe('collections through jsforce', () => {
  it('creates, retrieves, updates, upserts and deletes many records', async () => {
    const created = await conn.sobject('Lead').create([lead(10), lead(11), lead(12)]);
    expect(created.every((r) => r.success)).toBe(true);
    const ids = created.map((r) => r.id!);

    const fetched = await conn.sobject('Lead').retrieve(ids, { fields: ['LastName', 'Company'] });
    expect(fetched.map((r) => r?.['LastName'])).toEqual(['Last10', 'Last11', 'Last12']);

    const updated = await conn.sobject('Lead').update(ids.map((Id, i) => ({ Id, Title: `T${i}` })));
    expect(updated).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(sf.org.get('Lead', ids[2]!)?.['Title']).toBe('T2');

    const upserted = await conn.sobject('Lead').upsert([{ Ext_Id__c: 'C-1', ...lead(13) }, { Ext_Id__c: 'X-1', Title: 'Again' }], 'Ext_Id__c');
    expect(upserted.map((r) => (r as { created: boolean }).created)).toEqual([true, false]);

    const deleted = await conn.sobject('Lead').destroy(ids);
    expect(deleted).toEqual(ids.map((id) => ({ id, success: true, errors: [] })));
    expect(ids.map((id) => sf.org.get('Lead', id))).toEqual([undefined, undefined, undefined]);
  });

  it('retrieves by ids with GET too, null for a missing id; an unknown external id field is 404', async () => {
    const { id } = await conn.sobject('Lead').create(lead(15));
    const missing = `${id!.slice(0, 9)}zzzzzz`;
    const res = await raw(conn, 'GET', `/composite/sobjects/Lead?ids=${id},${missing}&fields=LastName`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ attributes: { type: 'Lead', url: `/services/data/v${VERSION}/sobjects/Lead/${id}` }, LastName: 'Last15', Id: id }, null]);
    const up = await raw(conn, 'PATCH', '/composite/sobjects/Lead/Nope__c', JSON.stringify({ allOrNone: false, records: [{ attributes: { type: 'Lead' }, Nope__c: 'x' }] }));
    expect(up.status).toBe(404);
    expect(await up.json()).toEqual([{ message: 'Provided external ID field does not exist or is not accessible: Nope__c', errorCode: 'NOT_FOUND' }]);
  });

  it('reports per-record failures with statusCode and HTTP 200', async () => {
    const res = await raw(conn, 'POST', '/composite/sobjects', JSON.stringify({
      allOrNone: false,
      records: [{ attributes: { type: 'Lead' }, ...lead(20) }, { attributes: { type: 'Lead' }, FirstName: 'NoLast' }],
    }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<Record<string, unknown>>;
    expect(body[0]).toMatchObject({ success: true, errors: [] });
    expect(body[1]).toEqual({
      success: false,
      errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName, Company]', fields: ['LastName', 'Company'] }],
    });
  });

  it('rolls back everything with allOrNone and marks the valid records ALL_OR_NONE_OPERATION_ROLLED_BACK', async () => {
    const results = await conn.sobject('Lead').create([lead(30), { FirstName: 'NoLast', Company: 'X' }], { allOrNone: true });
    expect(results[0]).toEqual({
      success: false,
      errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }],
    });
    expect(results[1]).toMatchObject({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] });
  });

  it('saves nothing when an allOrNone call fails (the org rolls back to a savepoint)', async () => {
    const before = sf.org.count('Lead');
    const { id } = await conn.sobject('Lead').create(lead(31));
    const results = await conn.sobject('Lead').update([{ Id: id!, Title: 'Kept?' }, { Id: id!, LastName: null }], { allOrNone: true });
    expect(results.map((r) => (r.errors[0] as unknown as { statusCode: string } | undefined)?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING']);
    expect(results[0]).toMatchObject({ id, success: false });
    expect(sf.org.get('Lead', id!)?.['Title']).toBeNull();
    await conn.sobject('Lead').create([lead(32), { FirstName: 'NoLast', Company: 'X' }], { allOrNone: true });
    expect(sf.org.count('Lead')).toBe(before + 1);
  });

  it('refuses more than 200 records with EXCEEDED_ID_LIMIT; allowRecursive splits 250', async () => {
    const many = Array.from({ length: 250 }, (_, i) => lead(1000 + i));
    const err = await rejection(conn.sobject('Lead').create(many));
    expect(err.errorCode).toBe('EXCEEDED_ID_LIMIT');
    expect(err.message).toBe('record limit reached. cannot submit more than 200 records into this call');
    const before = sf.org.count('Lead');
    const results = await conn.sobject('Lead').create(many, { allowRecursive: true });
    expect(results).toHaveLength(250);
    expect(results.every((r) => r.success)).toBe(true);
    expect(sf.org.count('Lead')).toBe(before + 250);
  });

  it('answers per-record MALFORMED_ID and ENTITY_IS_DELETED on delete by ids', async () => {
    const { id } = await conn.sobject('Lead').create(lead(40));
    await conn.sobject('Lead').destroy(id!);
    const res = await raw(conn, 'DELETE', `/composite/sobjects?ids=${id},bogus&allOrNone=false`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] },
      { id: 'bogus', success: false, errors: [{ statusCode: 'MALFORMED_ID', message: 'malformed id bogus', fields: [] }] },
    ]);
  });

  it('answers per-record ENTITY_IS_DELETED on a collection update of a deleted record, the others saved', async () => {
    const { id } = await conn.sobject('Lead').create(lead(41));
    const { id: live } = await conn.sobject('Lead').create(lead(42));
    await conn.sobject('Lead').destroy(id!);
    const res = await raw(conn, 'PATCH', '/composite/sobjects', JSON.stringify({
      allOrNone: false,
      records: [{ attributes: { type: 'Lead' }, id, Title: 'CEO' }, { attributes: { type: 'Lead' }, id: live, Title: 'CTO' }],
    }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] },
      { id: live, success: true, errors: [] },
    ]);
    expect(sf.org.get('Lead', live!)?.['Title']).toBe('CTO');
  });
});
