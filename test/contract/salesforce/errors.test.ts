import { beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { raw, rejection, soapConnection, useSalesforce, VERSION } from './harness.ts';

const sf = useSalesforce();
let conn: Connection;
let deletedId: string;

beforeAll(async () => {
  sf.org.addField({ object: 'Lead', name: 'Tier__c', type: 'picklist', picklistValues: ['Gold', 'Silver'], restricted: true });
  conn = await soapConnection();
  const { id } = await conn.sobject('Lead').create({ LastName: 'Gone', Company: 'Gone Inc' });
  deletedId = id!;
  await conn.sobject('Lead').destroy(deletedId);
});

async function body(res: Response): Promise<unknown> {
  return res.json();
}

describe('request-level errors answer as Salesforce does', () => {
  it('malformed JSON → 400 JSON_PARSER_ERROR with a Jackson-like message', async () => {
    const res = await raw(conn, 'POST', '/sobjects/Lead', '{"LastName" "x"}');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(await body(res)).toEqual([
      { message: `Unexpected character ('"' (code 34)): was expecting a colon to separate field name and value at [line:1, column:13]`, errorCode: 'JSON_PARSER_ERROR' },
    ]);
    const arr = await raw(conn, 'POST', '/sobjects/Lead', '[1]');
    expect(arr.status).toBe(400);
    expect(((await body(arr)) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('JSON_PARSER_ERROR');
    const empty = await raw(conn, 'PATCH', `/sobjects/Lead/${deletedId}`, '');
    expect(empty.status).toBe(400);
  });

  it('a collection record without an id fails alone, with HTTP 200', async () => {
    const res = await raw(conn, 'PATCH', '/composite/sobjects', '{"records": [{"attributes": {"type": "Lead"}, "Title": "no id"}]}');
    expect(res.status).toBe(200);
    expect(await body(res)).toEqual([{ success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] }]);
  });

  it('unknown object → 404 NOT_FOUND', async () => {
    const res = await raw(conn, 'POST', '/sobjects/Nope__c', '{}');
    expect(res.status).toBe(404);
    expect(await body(res)).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const err = await rejection(conn.sobject('Nope__c').create({ Name: 'x' }));
    expect(err.errorCode).toBe('NOT_FOUND');
  });

  it('unknown path and unknown record → 404 NOT_FOUND', async () => {
    const path = await raw(conn, 'GET', '/no/such/thing');
    expect(path.status).toBe(404);
    expect(await body(path)).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    const unknownId = `${deletedId.slice(0, 9)}zzzzzz`;
    const rec = await raw(conn, 'GET', `/sobjects/Lead/${unknownId}`);
    expect(rec.status).toBe(404);
    expect(((await body(rec)) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('NOT_FOUND');
  });

  it('malformed id or an id of another object → 400 MALFORMED_ID naming Id', async () => {
    const res = await raw(conn, 'GET', '/sobjects/Lead/abc');
    expect(res.status).toBe(400);
    expect(await body(res)).toEqual([{ message: 'Lead ID: id value of incorrect type: abc', errorCode: 'MALFORMED_ID', fields: ['Id'] }]);
    const err = await rejection(conn.sobject('Lead').update({ Id: sf.org.syncUser.id, Title: 'x' }));
    expect(err.errorCode).toBe('MALFORMED_ID');
    expect(err.data?.['fields']).toEqual(['Id']);
  });

  it('deleted record → 404 ENTITY_IS_DELETED on retrieve, update and delete', async () => {
    for (const [method, payload] of [['GET', undefined], ['PATCH', '{"Title":"x"}'], ['DELETE', undefined]] as const) {
      const res = await raw(conn, method, `/sobjects/Lead/${deletedId}`, payload);
      expect(res.status).toBe(404);
      expect(await body(res)).toEqual([{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
    }
    const err = await rejection(conn.sobject('Lead').update({ Id: deletedId, Title: 'x' }));
    expect(err.errorCode).toBe('ENTITY_IS_DELETED');
    expect(err.data?.['fields']).toEqual([]);
  });

  it('wrong method → 405 METHOD_NOT_ALLOWED naming the allowed ones; HEAD is served', async () => {
    const res = await raw(conn, 'PUT', `/sobjects/Lead/${deletedId}`, '{}');
    expect(res.status).toBe(405);
    expect(await body(res)).toEqual([{ message: "HTTP Method 'PUT' not allowed. Allowed are GET,PATCH,DELETE,HEAD", errorCode: 'METHOD_NOT_ALLOWED' }]);
    const q = await raw(conn, 'POST', '/query', '{}');
    expect(q.status).toBe(405);
    const head = await raw(conn, 'HEAD', '/limits');
    expect(head.status).toBe(200);
  });

  it('never answers a stack trace or a 500 for a client mistake', async () => {
    const probes: Array<[string, string, string?]> = [
      ['POST', '/composite/sobjects', '{"records": 5}'],
      ['POST', '/composite/sobjects', '{"records": [1]}'],
      ['POST', '/composite/sobjects/Lead', '{"ids": "x"}'],
      ['GET', '/sobjects/Lead/updated?start=yesterday&end=today'],
      ['GET', '/query'],
      ['GET', '/query/01gbogus-2000'],
      ['PATCH', '/sobjects/Lead/NoSuchField__c/1', '{}'],
    ];
    for (const [method, path, payload] of probes) {
      const res = await raw(conn, method, path, payload);
      expect(res.status, `${method} ${path}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      const text = await res.text();
      expect(text).not.toMatch(/\bat .*\.ts:\d+/);
      expect(JSON.parse(text)).toHaveLength(1);
    }
  });
});

describe('a bug inside the emulator', () => {
  it('answers 500 UNKNOWN_EXCEPTION without a stack, and is logged', async () => {
    const original = sf.org.describeGlobal.bind(sf.org);
    sf.org.describeGlobal = () => {
      throw new TypeError('boom');
    };
    try {
      const res = await raw(conn, 'GET', '/sobjects');
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual([{ message: 'An unexpected error occurred in the emulator: boom', errorCode: 'UNKNOWN_EXCEPTION' }]);
      expect(sf.org.requestLog.at(-1)).toMatchObject({ operation: 'describeGlobal', status: 500, errorCodes: ['UNKNOWN_EXCEPTION'] });
    } finally {
      sf.org.describeGlobal = original;
    }
  });
});

describe('save errors: one error object per failed single-record call', () => {
  it('REQUIRED_FIELD_MISSING names every missing field in one object', async () => {
    const err = await rejection(conn.sobject('Lead').create({ FirstName: 'Only' }));
    expect(err.errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(err.message).toBe('Required fields are missing: [LastName, Company]');
    expect(err.data?.['fields']).toEqual(['LastName', 'Company']);
    const res = await raw(conn, 'POST', '/sobjects/Lead', '{"FirstName":"Only"}');
    expect(res.status).toBe(400);
    expect(await body(res)).toHaveLength(1);
  });

  it('INVALID_FIELD for an unknown field, INVALID_FIELD_FOR_INSERT_UPDATE for a read-only one', async () => {
    const unknown = await rejection(conn.sobject('Lead').create({ LastName: 'A', Company: 'B', Descripcion: 'x' }));
    expect(unknown.errorCode).toBe('INVALID_FIELD');
    expect(unknown.message).toBe("No such column 'Descripcion' on sobject of type Lead");
    const readOnly = await rejection(conn.sobject('Lead').create({ LastName: 'A', Company: 'B', IsDeleted: true }));
    expect(readOnly.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(readOnly.data?.['fields']).toEqual(['IsDeleted']);
  });

  it('STRING_TOO_LONG, INVALID_EMAIL_ADDRESS and restricted picklists name the field', async () => {
    const long = await rejection(conn.sobject('Lead').create({ LastName: 'x'.repeat(81), Company: 'B' }));
    expect(long.errorCode).toBe('STRING_TOO_LONG');
    expect(long.data?.['fields']).toEqual(['LastName']);
    const email = await rejection(conn.sobject('Lead').create({ LastName: 'A', Company: 'B', Email: 'not-an-email' }));
    expect(email.errorCode).toBe('INVALID_EMAIL_ADDRESS');
    expect(email.data?.['fields']).toEqual(['Email']);
    const pick = await rejection(conn.sobject('Lead').create({ LastName: 'A', Company: 'B', Tier__c: 'Bronze' }));
    expect(pick.errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect(pick.data?.['fields']).toEqual(['Tier__c']);
    const res = await raw(conn, 'POST', '/sobjects/Lead', JSON.stringify({ LastName: 'A', Company: 'B', Email: 'nope' }));
    expect(res.status).toBe(400);
  });

  it('logs every request with its user, fields written and outcome', async () => {
    await rejection(conn.sobject('Lead').create({ FirstName: 'Logged' }));
    const entry = sf.org.requestLog.at(-1)!;
    expect(entry).toMatchObject({
      user: sf.org.syncUser.id,
      method: 'POST',
      path: `/services/data/v${VERSION}/sobjects/Lead`,
      operation: 'create',
      object: 'Lead',
      fieldsWritten: ['FirstName'],
      status: 400,
      errorCodes: ['REQUIRED_FIELD_MISSING'],
    });
  });
});
