// The SOQL engine over the real org model (mocks/salesforce/org.ts), not the test fake.
import { describe, expect, it } from 'vitest';
import { Org } from '../../../mocks/salesforce/org.ts';
import { runQuery } from '../../../mocks/salesforce/soql/index.ts';
import { SalesforceError } from '../../../mocks/salesforce/types.ts';
import { iso, VirtualClock } from '../../../src/sim/clock.ts';

const opts = { includeDeleted: false, apiVersion: '59.0' };

function created(org: Org, fields: Record<string, unknown>): string {
  const r = org.create('Lead', fields, org.adminUser.id);
  if (!r.success) throw new Error(JSON.stringify(r.errors));
  return r.id;
}

describe('SOQL through Org.queryContext', () => {
  it('polls SystemModstamp, follows Owner, and hides fields the user cannot read', () => {
    const clock = new VirtualClock(Date.UTC(2024, 0, 1));
    const org = new Org({ clock });
    const a = created(org, { LastName: 'Smith', Company: 'Acme', Phone: '555-0100' });
    clock.advanceBy(60_000);
    const watermark = iso(clock.now());
    clock.advanceBy(60_000);
    const b = created(org, { LastName: 'Jones', Company: 'Globex' });
    clock.advanceBy(60_000);
    expect(org.update('Lead', a, { Title: 'CFO' }, org.adminUser.id).success).toBe(true);

    const ctx = org.queryContext(org.syncUser.id);
    const soql = `SELECT Id, LastName, Title, Owner.Name FROM Lead WHERE SystemModstamp > ${watermark.replace(/\.\d+Z$/, 'Z')} ORDER BY SystemModstamp, Id`;
    const out = runQuery(soql, ctx, opts);
    expect(out.records.map((r) => r.Id)).toEqual([b, a]);
    expect(out.records[1]).toMatchObject({ LastName: 'Smith', Title: 'CFO', Owner: { attributes: { type: 'User' }, Name: 'Admin User' } });
    expect(out.fieldsRead).toEqual(['Id', 'LastName', 'Title', 'Owner.Name', 'SystemModstamp']);

    org.setAccess(org.syncUser.id, 'Lead.Phone', 'none');
    const hidden = org.queryContext(org.syncUser.id);
    expect(() => runQuery('SELECT Phone FROM Lead', hidden, opts)).toThrow(SalesforceError);
    expect(() => runQuery('SELECT Phone FROM Lead', hidden, opts)).toThrow(/No such column 'Phone' on entity 'Lead'/);
    expect(runQuery('SELECT Phone FROM Lead ORDER BY Phone NULLS LAST', org.queryContext(org.adminUser.id), opts).records[0]!.Phone).toBe('555-0100');
  });

  it('queryAll sees deleted leads, query does not', () => {
    const org = new Org({ clock: new VirtualClock(Date.UTC(2024, 0, 1)) });
    const gone = created(org, { LastName: 'Gone', Company: 'X' });
    created(org, { LastName: 'Kept', Company: 'X' });
    expect(org.delete('Lead', gone, org.adminUser.id).success).toBe(true);
    const ctx = org.queryContext(org.syncUser.id);
    expect(runQuery('SELECT COUNT() FROM Lead', ctx, opts).totalSize).toBe(1);
    expect(runQuery('SELECT Id FROM Lead WHERE IsDeleted = true', ctx, { ...opts, includeDeleted: true }).records.map((r) => r.Id)).toEqual([gone]);
  });
});
