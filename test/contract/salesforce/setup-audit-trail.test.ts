/**
 * SetupAuditTrail (object reference: query() and retrieve() only, "View Setup and Configuration" needed): the org
 * writes a row for every change of a user's field access, every custom field added or deleted and every validation
 * rule made, changed, activated or deactivated; a client reads them with SOQL past a CreatedDate, cannot write
 * them, and a user without the permission cannot see the object at all.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { raw, rejection, soapConnection, useSalesforce } from './harness.ts';

const sf = useSalesforce();
let sync: Connection;
let plain: Connection;

beforeAll(async () => {
  sf.org.createUser({ username: 'plain@example.com', password: 'plain-pw', name: 'Plain User' });
  sync = await soapConnection();
  plain = await soapConnection({ username: 'plain@example.com', password: 'plain-pw' });
});

type AuditRow = { Id: string; Action: string; Section: string | null; Display: string | null; CreatedDate: string; CreatedById: string };

/** Rows made after `sinceMs` (SOQL datetime literal to the second), oldest first. */
async function rowsSince(conn: Connection, sinceMs: number): Promise<AuditRow[]> {
  const literal = new Date(Math.floor(sinceMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  const res = await conn.query<AuditRow>(`SELECT Id, Action, Section, Display, CreatedDate, CreatedById FROM SetupAuditTrail WHERE CreatedDate > ${literal} ORDER BY CreatedDate, Id`);
  return res.records;
}

/** The time now, then the clock a second on: rows made next are after the time returned. */
function tick(): number {
  const at = sf.clock.now();
  sf.clock.advanceBy(1000);
  return at;
}

describe('SetupAuditTrail rows for each kind of setup change', () => {
  it('a field access change of a user: one PermSetFlsChanged row naming the field, the old and the new access', async () => {
    const since = tick();
    sf.org.setAccess(sf.org.syncUser.id, 'Lead.Phone', 'none');
    const rows = await rowsSince(sync, since);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      Action: 'PermSetFlsChanged',
      Section: 'Manage Users',
      Display: 'Changed permission set Sync User Access: field-level security for Lead: Phone was changed from Read/Write to No Access',
      CreatedById: sf.org.adminUser.id,
    });
    expect(rows[0]!.Id.startsWith('0Ym')).toBe(true);
    expect(Date.parse(rows[0]!.CreatedDate.replace('+0000', 'Z'))).toBe(sf.clock.now());
    // Setting the access it already has changes nothing and writes nothing.
    const again = tick();
    sf.org.setAccess(sf.org.syncUser.id, 'Lead.Phone', 'none');
    expect(await rowsSince(sync, again)).toEqual([]);
    sf.org.setAccess(sf.org.syncUser.id, 'Lead.Phone', 'edit');
    expect((await rowsSince(sync, again)).map((r) => r.Display)).toEqual([
      'Changed permission set Sync User Access: field-level security for Lead: Phone was changed from No Access to Read/Write',
    ]);
  });

  it('a custom field added and deleted: one row each, in the Customize section of its object', async () => {
    const since = tick();
    sf.org.addField({ object: 'Contact', name: 'Tier__c', type: 'string', label: 'Tier' });
    sf.clock.advanceBy(1000);
    sf.org.deleteField('Contact', 'Tier__c');
    const rows = await rowsSince(sync, since);
    expect(rows.map((r) => [r.Action, r.Section, r.Display])).toEqual([
      ['createdCF', 'Customize Contacts', 'Created custom field Tier (Text)'],
      ['deletedCF', 'Customize Contacts', 'Deleted custom field Tier (Text)'],
    ]);
    // The field is gone for the API too.
    expect((await rejection(sync.query('SELECT Tier__c FROM Contact'))).errorCode).toBe('INVALID_FIELD');
  });

  it('a validation rule made, its formula changed, deactivated and activated again: one row per change', async () => {
    const since = tick();
    const rule = { object: 'Lead', name: 'Needs_Email', formula: 'ISBLANK(Email)', message: 'Email is required' };
    sf.org.setRule(rule);
    sf.org.setRule(rule); // the same rule again: nothing changed, nothing recorded
    sf.org.setRule({ ...rule, formula: 'AND(ISBLANK(Email), ISBLANK(Phone))' });
    sf.org.setRule({ ...rule, formula: 'AND(ISBLANK(Email), ISBLANK(Phone))', active: false });
    sf.org.setRule({ ...rule, formula: 'AND(ISBLANK(Email), ISBLANK(Phone))', active: true });
    const rows = await rowsSince(sync, since);
    expect(rows.map((r) => r.Action)).toEqual(['newValidation', 'changedValidationFormula', 'deactivatedValidation', 'activatedValidation']);
    expect(rows.every((r) => r.Section === 'Customize Leads')).toBe(true);
    expect(rows[1]!.Display).toContain('ISBLANK(Email)');
    sf.org.setRule({ ...rule, active: false });
  });

  it('WHERE CreatedDate > a time returns only the rows made after it', async () => {
    const t0 = tick();
    sf.org.setAccess(sf.org.syncUser.id, 'Lead.Title', 'read');
    const t1 = tick();
    sf.org.setAccess(sf.org.syncUser.id, 'Lead.Title', 'edit');
    expect((await rowsSince(sync, t0)).map((r) => r.Display)).toEqual([
      expect.stringContaining('Title was changed from Read/Write to Read Only'),
      expect.stringContaining('Title was changed from Read Only to Read/Write'),
    ]);
    expect((await rowsSince(sync, t1)).map((r) => r.Display)).toEqual([expect.stringContaining('from Read Only to Read/Write')]);
    const count = await sync.query('SELECT count() FROM SetupAuditTrail');
    expect(count.totalSize).toBeGreaterThanOrEqual(10);
  });
});

describe('SetupAuditTrail is read-only and describe-able', () => {
  it('describe shows its documented fields, none writable, and the object neither createable nor updateable', async () => {
    const d = await sync.sobject('SetupAuditTrail').describe();
    expect(d).toMatchObject({ name: 'SetupAuditTrail', keyPrefix: '0Ym', createable: false, updateable: false, deletable: false, queryable: true });
    expect(d.fields.map((f) => f.name)).toEqual([
      'Id', 'Action', 'Section', 'Display', 'CreatedDate', 'CreatedById', 'DelegateUser', 'CreatedByContext', 'CreatedByIssuer', 'ResponsibleNamespacePrefix',
    ]);
    expect(d.fields.some((f) => f.createable || f.updateable)).toBe(false);
  });

  it('create, update and delete are refused with INVALID_TYPE_FOR_OPERATION; retrieve by id works', async () => {
    const created = await raw(sync, 'POST', '/sobjects/SetupAuditTrail', JSON.stringify({ Action: 'forged' }));
    expect(created.status).toBe(400);
    expect(await created.json()).toEqual([expect.objectContaining({ errorCode: 'INVALID_TYPE_FOR_OPERATION' })]);
    const [row] = await rowsSince(sync, 0);
    const updated = await raw(sync, 'PATCH', `/sobjects/SetupAuditTrail/${row!.Id}`, JSON.stringify({ Display: 'forged' }));
    expect(updated.status).toBe(400);
    expect(((await updated.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('INVALID_TYPE_FOR_OPERATION');
    const deleted = await raw(sync, 'DELETE', `/sobjects/SetupAuditTrail/${row!.Id}`);
    expect(deleted.status).toBe(400);
    expect(((await deleted.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('INVALID_TYPE_FOR_OPERATION');
    const got = await sync.sobject('SetupAuditTrail').retrieve(row!.Id);
    expect(got['Display']).toBe(row!.Display);
  });
});

describe('without View Setup and Configuration the object does not exist', () => {
  it('a query fails INVALID_TYPE, describe is NOT_FOUND, describeGlobal omits it; granting the permission shows it', async () => {
    const q = await rejection(plain.query('SELECT Id FROM SetupAuditTrail'));
    expect(q.errorCode).toBe('INVALID_TYPE');
    expect(q.message).toContain("sObject type 'SetupAuditTrail' is not supported.");
    const d = await raw(plain, 'GET', '/sobjects/SetupAuditTrail/describe');
    expect(d.status).toBe(404);
    expect(((await d.json()) as Array<{ errorCode: string }>)[0]!.errorCode).toBe('NOT_FOUND');
    const global = await plain.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).not.toContain('SetupAuditTrail');
    expect(global.sobjects.map((s) => s.name)).toContain('Lead');

    const plainUser = sf.org.userByUsername('plain@example.com')!;
    sf.org.setViewSetup(plainUser.id, true);
    const rows = await plain.query<AuditRow>('SELECT Id, Action FROM SetupAuditTrail ORDER BY CreatedDate DESC, Id DESC LIMIT 1');
    expect(rows.records[0]?.Action).toBe('PermSetEnableUserPerm');
    sf.org.setViewSetup(plainUser.id, false);
    expect((await rejection(plain.query('SELECT Id FROM SetupAuditTrail'))).errorCode).toBe('INVALID_TYPE');
  });

  it('the sync user loses it like any user: its queries fail from then on', async () => {
    sf.org.setViewSetup(sf.org.syncUser.id, false);
    try {
      expect((await rejection(sync.query('SELECT Id FROM SetupAuditTrail'))).errorCode).toBe('INVALID_TYPE');
    } finally {
      sf.org.setViewSetup(sf.org.syncUser.id, true);
    }
    await expect(sync.query('SELECT Id FROM SetupAuditTrail LIMIT 1')).resolves.toBeTruthy();
  });
});
