import { beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { rejection, soapConnection, useSalesforce } from './harness.ts';

const sf = useSalesforce();
let sync: Connection;
let limited: Connection;
let limitedId: string;

beforeAll(async () => {
  const user = sf.org.createUser({ username: 'limited@example.com', password: 'limited-pw', name: 'Limited User' });
  limitedId = user.id;
  sf.org.setAccess(user.id, 'Lead.AnnualRevenue', 'none');
  sf.org.setAccess(user.id, 'Lead.Title', 'read');
  sync = await soapConnection();
  limited = await soapConnection({ username: 'limited@example.com', password: 'limited-pw' });
});

describe('field-level security per user: none / read / edit', () => {
  it('describe is computed for the calling user', async () => {
    const mine = await limited.sobject('Lead').describe();
    const fields = new Map(mine.fields.map((f) => [f.name, f]));
    expect(fields.has('AnnualRevenue')).toBe(false);
    expect(fields.get('Title')).toMatchObject({ createable: false, updateable: false });
    expect(fields.get('Phone')).toMatchObject({ createable: true, updateable: true });
    const theirs = await sync.sobject('Lead').describe();
    expect(theirs.fields.map((f) => f.name)).toContain('AnnualRevenue');
  });

  it('a hidden field reads as a non-existent one in SOQL and retrieve', async () => {
    const q = await rejection(limited.query('SELECT Id, AnnualRevenue FROM Lead'));
    expect(q.errorCode).toBe('INVALID_FIELD');
    const { id } = await sync.sobject('Lead').create({ LastName: 'Fls', Company: 'F', AnnualRevenue: 5, Title: 'CTO' });
    const r = await rejection(limited.sobject('Lead').retrieve(id!, { fields: ['AnnualRevenue'] }));
    expect(r.errorCode).toBe('INVALID_FIELD');
    const whole = await limited.sobject('Lead').retrieve(id!);
    expect(whole).not.toHaveProperty('AnnualRevenue');
    expect(whole['Title']).toBe('CTO');
  });

  it('writes: hidden → INVALID_FIELD, read-only → INVALID_FIELD_FOR_INSERT_UPDATE, edit → saved', async () => {
    const hidden = await rejection(limited.sobject('Lead').create({ LastName: 'X', Company: 'Y', AnnualRevenue: 1 }));
    expect(hidden.errorCode).toBe('INVALID_FIELD');
    const readOnly = await rejection(limited.sobject('Lead').create({ LastName: 'X', Company: 'Y', Title: 'Boss' }));
    expect(readOnly.errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect(readOnly.data?.['fields']).toEqual(['Title']);
    const ok = await limited.sobject('Lead').create({ LastName: 'X', Company: 'Y', Phone: '555-0100' });
    expect(ok.success).toBe(true);
    expect(sf.org.get('Lead', ok.id!)?.['CreatedById']).toBe(limitedId);
  });

  it('the request log records who named which fields', async () => {
    await rejection(limited.query('SELECT Id, AnnualRevenue FROM Lead'));
    const entry = sf.org.requestLog.at(-1)!;
    expect(entry).toMatchObject({ user: limitedId, operation: 'query', status: 400, errorCodes: ['INVALID_FIELD'] });
  });
});

describe('validation rules', () => {
  it('FIELD_CUSTOM_VALIDATION_EXCEPTION carries the message and the error field', async () => {
    sf.org.setRule({ object: 'Lead', name: 'Hot_Needs_Phone', formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: 'Hot leads need a phone number', field: 'Phone' });
    const err = await rejection(sync.sobject('Lead').create({ LastName: 'H', Company: 'C', Rating: 'Hot' }));
    expect(err.errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(err.message).toBe('Hot leads need a phone number');
    expect(err.data?.['fields']).toEqual(['Phone']);
    const ok = await sync.sobject('Lead').create({ LastName: 'H', Company: 'C', Rating: 'Hot', Phone: '1' });
    expect(ok.success).toBe(true);
    const batch = await sync.sobject('Lead').create([{ LastName: 'H2', Company: 'C', Rating: 'Hot' }, { LastName: 'H3', Company: 'C' }]);
    expect(batch[0]).toEqual({ success: false, errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'Hot leads need a phone number', fields: ['Phone'] }] });
    expect(batch[1]!.success).toBe(true);
    sf.org.setRule({ object: 'Lead', name: 'Hot_Needs_Phone', formula: 'AND(ISPICKVAL(Rating, "Hot"), ISBLANK(Phone))', message: 'Hot leads need a phone number', field: 'Phone', active: false });
    expect((await sync.sobject('Lead').create({ LastName: 'H4', Company: 'C', Rating: 'Hot' })).success).toBe(true);
  });

  it('ISCHANGED and PRIORVALUE see the stored value; top-of-page rules have no fields', async () => {
    sf.org.setRule({ object: 'Lead', name: 'Ceo_Locked', formula: 'AND(ISCHANGED(Title), PRIORVALUE(Title) = "CEO")', message: 'The CEO title is locked' });
    const { id } = await sync.sobject('Lead').create({ LastName: 'P', Company: 'C', Title: 'CEO' });
    const err = await rejection(sync.sobject('Lead').update({ Id: id!, Title: 'CFO' }));
    expect(err.errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    expect(err.message).toBe('The CEO title is locked');
    expect(err.data?.['fields']).toEqual([]);
    expect((await sync.sobject('Lead').update({ Id: id!, Phone: '2' })).success).toBe(true);
  });

  it('ISNEW() applies on insert only', async () => {
    sf.org.setRule({ object: 'Contact', name: 'New_Needs_Email', formula: 'AND(ISNEW(), ISBLANK(Email))', message: 'New contacts need an email', field: 'Email' });
    const err = await rejection(sync.sobject('Contact').create({ LastName: 'N' }));
    expect(err.errorCode).toBe('FIELD_CUSTOM_VALIDATION_EXCEPTION');
    const { id } = await sync.sobject('Contact').create({ LastName: 'N', Email: 'n@x.test' });
    expect((await sync.sobject('Contact').update({ Id: id!, Email: null })).success).toBe(true);
  });
});
