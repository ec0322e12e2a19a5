import { beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import type { SaveResult } from '../../../mocks/salesforce/types.ts';

const LEAD = { FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test' };

function errorsOf(r: SaveResult) {
  if (r.success) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r.errors;
}
function idOf(r: SaveResult): string {
  if (!r.success) throw new Error(`expected success, got ${JSON.stringify(r.errors)}`);
  return r.id;
}

let org: Org;
let clock: VirtualClock;
let sync: string;

beforeEach(() => {
  clock = new VirtualClock();
  org = new Org({ clock });
  sync = org.syncUser.id;
});

describe('create and update', () => {
  it('stores canonical field names, defaults, audit fields and the compound Name', () => {
    const id = idOf(org.create('Lead', { firstname: 'Alice', LASTNAME: 'Smith', company: 'Acme', Phone: '' }, sync));
    const row = org.get('Lead', id)!;
    expect(row).toMatchObject({
      Id: id, FirstName: 'Alice', LastName: 'Smith', Name: 'Alice Smith', Company: 'Acme', Phone: null,
      Status: 'Open - Not Contacted', OwnerId: sync, IsConverted: false, IsDeleted: false, HasOptedOutOfEmail: false,
      CreatedById: sync, LastModifiedById: sync, CreatedDate: '2026-01-05T09:00:00.000+0000',
      SystemModstamp: '2026-01-05T09:00:00.000+0000',
    });
    expect('firstname' in row).toBe(false);
  });

  it('updates audit fields, Name and SystemModstamp, and stores blank as null', () => {
    const id = idOf(org.create('Lead', LEAD, sync));
    clock.advanceBy(60_000);
    expect(org.update('Lead', id, { FirstName: 'Alicia', Title: '', Id: id.slice(0, 15) }, org.adminUser.id)).toEqual({ success: true, id });
    const row = org.get('lead', id)!;
    expect(row.Name).toBe('Alicia Smith');
    expect(row.Title).toBeNull();
    expect(row.LastModifiedById).toBe(org.adminUser.id);
    expect(row.CreatedById).toBe(sync);
    expect(row.SystemModstamp).toBe('2026-01-05T09:01:00.000+0000');
    expect(row.CreatedDate).toBe('2026-01-05T09:00:00.000+0000');
  });

  it('lets duplicates through (no duplicate rule)', () => {
    idOf(org.create('Lead', LEAD, sync));
    idOf(org.create('Lead', LEAD, sync));
    expect(org.count('Lead')).toBe(2);
  });

  it('answers unknown, malformed, wrong-object and deleted ids as Salesforce does', () => {
    const id = idOf(org.create('Lead', LEAD, sync));
    const contact = idOf(org.create('Contact', { LastName: 'C' }, sync));
    expect(errorsOf(org.update('Lead', 'bogus', { Title: 'x' }, sync))).toEqual([
      { statusCode: 'MALFORMED_ID', message: 'Lead ID: id value of incorrect type: bogus', fields: ['Id'] },
    ]);
    expect(errorsOf(org.update('Lead', contact, { Title: 'x' }, sync))[0]!.statusCode).toBe('MALFORMED_ID');
    expect(errorsOf(org.update('Lead', '00Q8d000000zzzz', { Title: 'x' }, sync))).toEqual([
      { statusCode: 'NOT_FOUND', message: 'The requested resource does not exist', fields: [] },
    ]);
    expect(org.delete('Lead', id, sync)).toEqual({ success: true, id });
    expect(errorsOf(org.update('Lead', id, { Title: 'x' }, sync))).toEqual([
      { statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] },
    ]);
    expect(() => org.create('Nope', {}, sync)).toThrow(expect.objectContaining({ errorCode: 'NOT_FOUND', status: 404 }));
  });
});

describe('pipeline stages and their errors', () => {
  it('INVALID_FIELD for an unknown field', () => {
    expect(errorsOf(org.create('Lead', { ...LEAD, Descripcion: 'x' }, sync))).toEqual([
      { statusCode: 'INVALID_FIELD', message: "No such column 'Descripcion' on sobject of type Lead", fields: [] },
    ]);
  });

  it('INVALID_FIELD_FOR_INSERT_UPDATE naming every read-only field', () => {
    expect(errorsOf(org.create('Lead', { ...LEAD, Name: 'x', CreatedDate: '2020-01-01T00:00:00Z' }, sync))).toEqual([{
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE',
      message: 'Unable to create/update fields: Name, CreatedDate. Please check the security settings of this field and verify that it is read/write for your profile or permission set.',
      fields: ['Name', 'CreatedDate'],
    }]);
  });

  it('an Id in an insert is refused, a blank one ignored', () => {
    const other = idOf(org.create('Lead', LEAD, sync));
    expect(errorsOf(org.create('Lead', { ...LEAD, Id: other }, sync))).toEqual([
      { statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: 'cannot specify Id in an insert call', fields: ['Id'] },
    ]);
    expect(org.create('Lead', { ...LEAD, Id: null }, sync).success).toBe(true);
  });

  it('IsConverted can be set on create but not on update', () => {
    const id = idOf(org.create('Lead', { ...LEAD, IsConverted: false }, sync));
    expect(errorsOf(org.update('Lead', id, { IsConverted: true }, sync))[0]).toMatchObject({
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['IsConverted'],
    });
  });

  it('INVALID_EMAIL_ADDRESS', () => {
    expect(errorsOf(org.create('Lead', { ...LEAD, Email: 'not-an-email' }, sync))).toEqual([
      { statusCode: 'INVALID_EMAIL_ADDRESS', message: 'Email: invalid email address: not-an-email', fields: ['Email'] },
    ]);
  });

  it('STRING_TOO_LONG with the label and the max length', () => {
    const long = 'x'.repeat(41);
    expect(errorsOf(org.create('Lead', { ...LEAD, City: long }, sync))).toEqual([
      { statusCode: 'STRING_TOO_LONG', message: `City: data value too large: ${long} (max length=40)`, fields: ['City'] },
    ]);
    expect(org.create('Lead', { ...LEAD, City: 'x'.repeat(40) }, sync).success).toBe(true);
  });

  it('JSON_PARSER_ERROR for numbers, booleans and dates of the wrong JSON type', () => {
    expect(errorsOf(org.create('Lead', { ...LEAD, AnnualRevenue: 'abc' }, sync))).toEqual([{
      statusCode: 'JSON_PARSER_ERROR',
      message: 'Cannot deserialize instance of double from VALUE_STRING value abc or request may be missing a required field',
      fields: [],
    }]);
    expect(errorsOf(org.create('Lead', { ...LEAD, HasOptedOutOfEmail: 'maybe' }, sync))[0]!.message).toMatch(/instance of boolean from VALUE_STRING value maybe/);
    expect(errorsOf(org.create('Lead', { ...LEAD, NumberOfEmployees: 1.5 }, sync))[0]!.message).toMatch(/instance of int from VALUE_NUMBER_FLOAT/);
    expect(errorsOf(org.create('Contact', { LastName: 'C', Birthdate: '2020-02-30' }, sync))[0]!.statusCode).toBe('JSON_PARSER_ERROR');
    // Numeric strings and boolean strings bind, as Salesforce's deserializer allows.
    const id = idOf(org.create('Lead', { ...LEAD, AnnualRevenue: '1500000', HasOptedOutOfEmail: 'true' }, sync));
    expect(org.get('Lead', id)).toMatchObject({ AnnualRevenue: 1500000, HasOptedOutOfEmail: true });
  });

  it('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST only on restricted picklists', () => {
    org.addField({ object: 'Lead', name: 'Tier__c', type: 'picklist', picklistValues: ['Gold', 'Silver'], restricted: true });
    expect(errorsOf(org.create('Lead', { ...LEAD, Tier__c: 'Bronze' }, sync))).toEqual([{
      statusCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', message: 'Tier: bad value for restricted picklist field: Bronze', fields: ['Tier__c'],
    }]);
    // Standard LeadSource is not restricted: any value goes in.
    expect(org.create('Lead', { ...LEAD, LeadSource: 'Webinar', Tier__c: 'Gold' }, sync).success).toBe(true);
  });

  it('MALFORMED_ID, FIELD_INTEGRITY_EXCEPTION and INVALID_CROSS_REFERENCE_KEY for references', () => {
    const account = idOf(org.create('Account', { Name: 'Acme' }, sync));
    expect(errorsOf(org.create('Lead', { ...LEAD, OwnerId: 'nobody' }, sync))).toEqual([
      { statusCode: 'MALFORMED_ID', message: 'Owner ID: id value of incorrect type: nobody', fields: ['OwnerId'] },
    ]);
    expect(errorsOf(org.create('Lead', { ...LEAD, OwnerId: account }, sync))).toEqual([
      { statusCode: 'FIELD_INTEGRITY_EXCEPTION', message: `Owner ID: id value of incorrect type: ${account}`, fields: ['OwnerId'] },
    ]);
    expect(errorsOf(org.create('Contact', { LastName: 'C', AccountId: '0018d000000zzzz' }, sync))[0]!.statusCode).toBe('INVALID_CROSS_REFERENCE_KEY');
    // A queue or a user may own a lead; 15-character ids are accepted and stored as 18.
    const queue = org.createQueue('Inbound');
    const lead = idOf(org.create('Lead', { ...LEAD, OwnerId: queue.slice(0, 15) }, sync));
    expect(org.get('Lead', lead)!.OwnerId).toBe(queue);
    const c = idOf(org.create('Contact', { LastName: 'C', AccountId: account.slice(0, 15) }, sync));
    expect(org.get('Contact', c)!.AccountId).toBe(account);
  });

  it('REQUIRED_FIELD_MISSING names every missing field, also when an update blanks one', () => {
    expect(errorsOf(org.create('Lead', { FirstName: 'A' }, sync))).toEqual([
      { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName, Company]', fields: ['LastName', 'Company'] },
    ]);
    expect(errorsOf(org.create('Account', {}, sync))[0]!.fields).toEqual(['Name']);
    const id = idOf(org.create('Lead', LEAD, sync));
    expect(errorsOf(org.update('Lead', id, { Company: '' }, sync))).toEqual([
      { statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] },
    ]);
    expect(errorsOf(org.update('Lead', id, { Status: null }, sync))[0]!.fields).toEqual(['Status']);
    expect(org.get('Lead', id)!.Company).toBe('Acme');
  });

  it('runs the stages in order: the first failing stage decides', () => {
    org.setRule({ object: 'Lead', name: 'Always', formula: 'true', message: 'never saves' });
    // unknown field beats read-only, format, required and rules
    expect(errorsOf(org.create('Lead', { Bogus__c: 1, Name: 'x', Email: 'bad' }, sync))[0]!.statusCode).toBe('INVALID_FIELD');
    // read-only beats format, required and rules
    expect(errorsOf(org.create('Lead', { Name: 'x', Email: 'bad' }, sync))[0]!.statusCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    // format beats required and rules
    expect(errorsOf(org.create('Lead', { Email: 'bad' }, sync))[0]!.statusCode).toBe('INVALID_EMAIL_ADDRESS');
    // required beats rules
    expect(errorsOf(org.create('Lead', { Email: 'a@b.test' }, sync))[0]!.statusCode).toBe('REQUIRED_FIELD_MISSING');
    expect(errorsOf(org.create('Lead', LEAD, sync))).toEqual([{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'never saves', fields: [] }]);
    expect(org.count('Lead')).toBe(0);
  });
});

describe('field-level security in writes', () => {
  it('a hidden field is INVALID_FIELD, a read-only one INVALID_FIELD_FOR_INSERT_UPDATE, for that user only', () => {
    org.setAccess(sync, 'Lead.AnnualRevenue', 'none');
    org.setAccess(sync, 'Lead.Phone', 'read');
    expect(errorsOf(org.create('Lead', { ...LEAD, AnnualRevenue: 5 }, sync))).toEqual([
      { statusCode: 'INVALID_FIELD', message: "No such column 'AnnualRevenue' on sobject of type Lead", fields: [] },
    ]);
    expect(errorsOf(org.create('Lead', { ...LEAD, Phone: '555' }, sync))[0]).toMatchObject({
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Phone'],
    });
    expect(org.create('Lead', { ...LEAD, Phone: '555', AnnualRevenue: 5 }, org.adminUser.id).success).toBe(true);
  });

  it('required fields and Id cannot be restricted; system fields are at most readable', () => {
    expect(() => org.setAccess(sync, 'Lead.LastName', 'read')).toThrow(/Lead\.LastName is a required field/);
    expect(() => org.setAccess(sync, 'Lead.Company', 'none')).toThrow(/required/);
    expect(() => org.setAccess(sync, 'Lead.Id', 'none')).toThrow(/always readable/);
    expect(() => org.setAccess(sync, 'Lead.Nope', 'read')).toThrow(/no field 'Nope' on Lead/);
    expect(() => org.setAccess(sync, 'Nope.Phone', 'read')).toThrow(/known object/);
    org.setAccess(sync, 'Lead.SystemModstamp', 'edit');
    expect(org.access(sync, 'Lead', 'SystemModstamp')).toBe('read');
    expect(org.access(sync, 'Lead', 'lastname')).toBe('edit');
    org.setAccess(sync, 'Lead.SystemModstamp', 'none');
    expect(org.access(sync, 'Lead', 'SystemModstamp')).toBe('none');
  });

  it('a user created with read access by default can read but not write optional fields', () => {
    const viewer = org.createUser({ username: 'viewer@example.com', password: 'pw', name: 'Vi Ewer', defaultAccess: 'read' });
    expect(org.access(viewer.id, 'Lead', 'Title')).toBe('read');
    expect(errorsOf(org.create('Lead', { ...LEAD, Title: 'CEO' }, viewer.id))[0]).toMatchObject({
      statusCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['FirstName', 'Email', 'Title'],
    });
    expect(org.create('Lead', { LastName: 'x', Company: 'y' }, viewer.id).success).toBe(true);
  });
});

describe('custom fields', () => {
  it('adds each supported type and binds values to it', () => {
    const specs = [
      { name: 'Nick__c', type: 'string', length: 10, value: 'nick', stored: 'nick' },
      { name: 'Notes__c', type: 'textarea', length: 1000, value: 'long notes', stored: 'long notes' },
      { name: 'Work_Email__c', type: 'email', value: 'w@x.test', stored: 'w@x.test' },
      { name: 'Fax2__c', type: 'phone', value: '+1 555', stored: '+1 555' },
      { name: 'Home__c', type: 'url', value: 'https://x.test', stored: 'https://x.test' },
      { name: 'Color__c', type: 'picklist', picklistValues: ['Red', 'Blue'], value: 'Green', stored: 'Green' },
      { name: 'Vip__c', type: 'boolean', value: true, stored: true },
      { name: 'Visits__c', type: 'int', value: 7, stored: 7 },
      { name: 'Score__c', type: 'double', scale: 2, value: 3.14159, stored: 3.14 },
      { name: 'Budget__c', type: 'currency', value: '12.5', stored: 12.5 },
      { name: 'Share__c', type: 'percent', value: 50, stored: 50 },
      { name: 'Since__c', type: 'date', value: '2025-12-31', stored: '2025-12-31' },
      { name: 'Seen__c', type: 'datetime', value: '2026-01-05T10:00:00+01:00', stored: '2026-01-05T09:00:00.000+0000' },
    ] as const;
    const body: Record<string, unknown> = { ...LEAD };
    for (const s of specs) {
      const { value: _v, stored: _s, ...spec } = s;
      const def = org.addField({ object: 'Lead', ...spec } as never);
      expect(def).toMatchObject({ name: s.name, type: s.type, custom: true });
      body[s.name] = s.value;
    }
    const id = idOf(org.create('Lead', body, sync));
    const row = org.get('Lead', id)!;
    for (const s of specs) expect(row[s.name], s.name).toEqual(s.stored);
    expect(errorsOf(org.create('Lead', { ...LEAD, Nick__c: 'x'.repeat(11) }, sync))[0]!.statusCode).toBe('STRING_TOO_LONG');
    expect(errorsOf(org.create('Lead', { ...LEAD, Work_Email__c: 'nope' }, sync))[0]!.statusCode).toBe('INVALID_EMAIL_ADDRESS');
    expect(errorsOf(org.create('Lead', { ...LEAD, Since__c: 'yesterday' }, sync))[0]!.statusCode).toBe('JSON_PARSER_ERROR');
  });

  it('shows up in describe, backfills existing rows, honours required and defaults', () => {
    const before = idOf(org.create('Lead', LEAD, sync));
    org.addField({ object: 'Lead', name: 'Opt_In__c', type: 'boolean', defaultValue: true });
    org.addField({ object: 'Lead', name: 'Region__c', type: 'picklist', picklistValues: ['EMEA', 'AMER'], defaultValue: 'EMEA' });
    org.addField({ object: 'Contact', name: 'Code__c', type: 'string', length: 8, required: true });
    expect(org.get('Lead', before)).toMatchObject({ Opt_In__c: true, Region__c: null });
    const after = idOf(org.create('Lead', LEAD, sync));
    expect(org.get('Lead', after)).toMatchObject({ Opt_In__c: true, Region__c: 'EMEA' });
    expect(errorsOf(org.create('Contact', { LastName: 'C' }, sync))[0]!.fields).toEqual(['Code__c']);
    const fields = (org.describe('Lead', sync)!.fields as Array<{ name: string }>).map((f) => f.name);
    expect(fields).toContain('Region__c');
  });

  it('rejects bad specs with a message naming the field', () => {
    expect(() => org.addField({ object: 'Lead', name: 'Score', type: 'double' })).toThrow(/Lead\.Score.*__c/);
    expect(() => org.addField({ object: 'Nope', name: 'X__c', type: 'double' })).toThrow(/no object named Nope/);
    org.addField({ object: 'Lead', name: 'X__c', type: 'double' });
    expect(() => org.addField({ object: 'Lead', name: 'x__c', type: 'double' })).toThrow(/already has/);
    expect(() => org.addField({ object: 'Lead', name: 'P__c', type: 'picklist' })).toThrow(/picklistValues/);
    expect(() => org.addField({ object: 'Lead', name: 'S__c', type: 'string', length: 300 })).toThrow(/length/);
    expect(() => org.addField({ object: 'Lead', name: 'Q__c', type: 'reference' as never })).toThrow(/unsupported type/);
  });

  it('DUPLICATE_VALUE for a unique custom field, after validation rules', () => {
    org.addField({ object: 'Contact', name: 'Badge__c', type: 'string', length: 20, unique: true });
    const first = idOf(org.create('Contact', { LastName: 'A', Badge__c: 'B-1' }, sync));
    expect(errorsOf(org.create('Contact', { LastName: 'B', Badge__c: 'b-1' }, sync))).toEqual([
      { statusCode: 'DUPLICATE_VALUE', message: `duplicate value found: Badge__c duplicates value on record with id: ${first}`, fields: ['Badge__c'] },
    ]);
    expect(org.update('Contact', first, { Badge__c: 'B-1', Title: 'x' }, sync).success).toBe(true);
    org.update('Contact', first, { Badge__c: 'B-2' }, sync);
    expect(org.create('Contact', { LastName: 'B', Badge__c: 'B-1' }, sync).success).toBe(true);
  });

  it('upserts by an external id field: creates, then updates', () => {
    org.addField({ object: 'Lead', name: 'Ext_Id__c', type: 'string', length: 40, externalId: true });
    const created = org.upsert('Lead', 'Ext_Id__c', 'M-1', LEAD, sync);
    expect(created).toMatchObject({ success: true, created: true });
    const updated = org.upsert('Lead', 'ext_id__c', 'm-1', { Title: 'CFO' }, sync);
    expect(updated).toEqual({ success: true, id: idOf(created), created: false });
    expect(org.get('Lead', idOf(created))).toMatchObject({ Title: 'CFO', Ext_Id__c: 'M-1' });
    // A second record with the same external id makes the match ambiguous: HTTP 300 with the ids.
    const twin = idOf(org.create('Lead', { ...LEAD, Ext_Id__c: 'm-1' }, sync));
    expect(() => org.upsert('Lead', 'Ext_Id__c', 'M-1', {}, sync)).toThrow(
      expect.objectContaining({ errorCode: 'MULTIPLE_CHOICES', status: 300, fields: [idOf(created), twin].sort() }),
    );
    // Deleted rows do not match; changed values are found under their new value.
    org.delete('Lead', twin, sync);
    org.update('Lead', idOf(created), { Ext_Id__c: 'M-2' }, sync);
    expect(org.upsert('Lead', 'Ext_Id__c', 'M-2', { Title: 'CEO' }, sync)).toMatchObject({ id: idOf(created), created: false });
    expect(org.upsert('Lead', 'Ext_Id__c', 'M-1', LEAD, sync)).toMatchObject({ created: true });
    expect(() => org.upsert('Lead', 'Nope__c', 'x', LEAD, sync)).toThrow(expect.objectContaining({ errorCode: 'NOT_FOUND', status: 404 }));
    expect(() => org.upsert('Lead', 'Email', 'x', LEAD, sync)).toThrow(expect.objectContaining({ errorCode: 'INVALID_FIELD' }));
  });
});
