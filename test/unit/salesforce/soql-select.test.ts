import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../mocks/salesforce/soql/index.ts';
import { FakeContext, lead, sfId } from './soql-fake.ts';

const opts = { includeDeleted: false, apiVersion: '59.0' };

function org(): FakeContext {
  return new FakeContext()
    .add('User', { Id: sfId('005', 1), Name: 'Ada Admin', Email: 'ada@org.test' })
    .add('Group', { Id: sfId('00G', 1), Name: 'West Queue' })
    .add('Contact', { Id: sfId('003', 1), FirstName: 'Cy', LastName: 'Conv', Email: 'cy@acme.test', IsDeleted: false })
    .add('Lead',
      lead(1, { FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test', OwnerId: sfId('005', 1), ConvertedContactId: sfId('003', 1) }),
      lead(2, { FirstName: 'Bob', LastName: 'Jones', Company: 'Globex', OwnerId: sfId('00G', 1) }),
      lead(3, { LastName: 'Nobody', Company: 'Initech' }));
}

describe('SELECT', () => {
  it('returns attributes first, then the fields in SELECT order with their canonical spelling', () => {
    const out = runQuery('select company, ID, lastname from lead where lastname = \'Smith\'', org(), opts);
    expect(out.object).toBe('Lead');
    expect(out.totalSize).toBe(1);
    expect(out.records[0]).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v59.0/sobjects/Lead/${sfId('00Q', 1)}` },
      Company: 'Acme',
      Id: sfId('00Q', 1),
      LastName: 'Smith',
    });
    expect(Object.keys(out.records[0]!)).toEqual(['attributes', 'Company', 'Id', 'LastName']);
  });

  it('gives null for blank fields, never omits them', () => {
    const out = runQuery(`SELECT FirstName, Email FROM Lead WHERE Id = '${sfId('00Q', 3)}'`, org(), opts);
    expect(out.records[0]).toMatchObject({ FirstName: null, Email: null });
  });

  it('COUNT() gives totalSize and no records', () => {
    const out = runQuery('SELECT COUNT() FROM Lead', org(), opts);
    expect(out).toMatchObject({ totalSize: 3, records: [], object: 'Lead', fieldsRead: [] });
    expect(runQuery("SELECT COUNT() FROM Lead WHERE Company LIKE '%E_%'", org(), opts).totalSize).toBe(2);
  });

  it('parent relationship fields come back nested, with their own attributes, or null', () => {
    const out = runQuery('SELECT Id, Owner.Name, ConvertedContact.Email, convertedcontact.firstname FROM Lead ORDER BY Id', org(), opts);
    const [a, b, c] = out.records;
    expect(a).toEqual({
      attributes: { type: 'Lead', url: `/services/data/v59.0/sobjects/Lead/${sfId('00Q', 1)}` },
      Id: sfId('00Q', 1),
      Owner: { attributes: { type: 'User', url: `/services/data/v59.0/sobjects/User/${sfId('005', 1)}` }, Name: 'Ada Admin' },
      ConvertedContact: {
        attributes: { type: 'Contact', url: `/services/data/v59.0/sobjects/Contact/${sfId('003', 1)}` },
        Email: 'cy@acme.test',
        FirstName: 'Cy',
      },
    });
    // A polymorphic owner can be a queue.
    expect(b!.Owner).toEqual({ attributes: { type: 'Group', url: `/services/data/v59.0/sobjects/Group/${sfId('00G', 1)}` }, Name: 'West Queue' });
    expect(b!.ConvertedContact).toBeNull();
    expect(c!.Owner).toBeNull();
    expect(out.fieldsRead).toEqual(['Id', 'Owner.Name', 'ConvertedContact.Email', 'ConvertedContact.FirstName']);
  });

  it('filters and sorts on parent fields', () => {
    const out = runQuery("SELECT LastName FROM Lead WHERE Owner.Name LIKE 'ada%'", org(), opts);
    expect(out.records.map((r) => r.LastName)).toEqual(['Smith']);
    const sorted = runQuery('SELECT LastName FROM Lead ORDER BY Owner.Name DESC', org(), opts);
    expect(sorted.records.map((r) => r.LastName)).toEqual(['Jones', 'Smith', 'Nobody']);
    expect(sorted.fieldsRead).toEqual(['LastName', 'Owner.Name']);
  });

  it('accepts the FROM alias as a prefix', () => {
    const out = runQuery("SELECT l.LastName FROM Lead l WHERE l.Company = 'Acme' ORDER BY l.LastName", org(), opts);
    expect(out.records.map((r) => r.LastName)).toEqual(['Smith']);
    expect(out.fieldsRead).toEqual(['LastName', 'Company']);
  });

  it('uses the apiVersion in every url', () => {
    const out = runQuery('SELECT Id FROM Lead LIMIT 1', org(), { includeDeleted: false, apiVersion: '62.0' });
    expect(out.records[0]!.attributes).toEqual({ type: 'Lead', url: `/services/data/v62.0/sobjects/Lead/${sfId('00Q', 1)}` });
  });

  it('fieldsRead lists every field named in SELECT, WHERE and ORDER BY once, canonically', () => {
    const out = runQuery(
      "SELECT email, LASTNAME FROM Lead WHERE (Company = 'Acme' OR email != null) AND systemmodstamp > 2023-01-01T00:00:00Z ORDER BY lastname, CreatedDate DESC",
      org(), opts);
    expect(out.fieldsRead).toEqual(['Email', 'LastName', 'Company', 'SystemModstamp', 'CreatedDate']);
  });
});
