import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/sim/clock.ts';
import { MarketoInstance } from '../../../mocks/marketo/instance.ts';
import { MarketoError } from '../../../mocks/marketo/types.ts';

function fresh() {
  const clock = new VirtualClock();
  return { clock, mk: new MarketoInstance({ clock }) };
}

const attrs = (a: { attributes: Array<{ name: string; value: unknown }> }) => Object.fromEntries(a.attributes.map((x) => [x.name, x.value]));

describe('MarketoInstance: people', () => {
  it('creates a person with counter ids, timestamps and every field present (null when empty)', () => {
    const { mk } = fresh();
    const p = mk.createPerson({ email: 'a@x.test', FirstName: 'Ann' });
    expect(p).toMatchObject({ id: 1, email: 'a@x.test', firstName: 'Ann', lastName: null, sfdcType: null, createdAt: '2026-01-05T09:00:00Z', updatedAt: '2026-01-05T09:00:00Z' });
    expect(mk.createPerson({}).id).toBe(2);
    expect(mk.listActivities().map((a) => a.activityTypeId)).toEqual([12, 12]);
  });

  it('throws a clear MarketoError for a bad value, an unknown field, a read-only field or an id', () => {
    const { mk } = fresh();
    expect(() => mk.createPerson({ numberOfEmployees: 'lots' })).toThrow(new MarketoError('1001', "createPerson: Invalid value 'lots'. Required of type 'integer'"));
    expect(() => mk.createPerson({ shoeSize: 9 })).toThrow("createPerson: Field 'shoeSize' not found");
    expect(() => mk.createPerson({ createdAt: '2020-01-01T00:00:00Z' })).toThrow("Field 'createdAt' is read only");
    expect(() => mk.createPerson({ id: 5 })).toThrow(/'id' is assigned by Marketo/);
    mk.createPerson({ email: 'a@x.test' });
    expect(() => mk.updatePerson(1, { email: 'ü@x.test' })).toThrow(/updatePerson\(1\): Invalid email/);
    expect(() => mk.updatePerson(9, { city: 'Oslo' })).toThrow(/Lead 9 not found/);
    expect(mk.peopleCount).toBe(1);
  });

  it('records one Change Data Value per changed field with the actor as Reason/Source, and bumps updatedAt', () => {
    const { mk, clock } = fresh();
    mk.createPerson({ email: 'a@x.test', city: 'Oslo' });
    clock.advanceBy(60_000);
    const p = mk.updatePerson(1, { city: 'Rome', title: 'CEO', email: 'a@x.test' }, { source: 'form' });
    expect(p.updatedAt).toBe('2026-01-05T09:01:00Z');
    const changes = mk.listActivities({ typeIds: [13] });
    expect(changes.map((a) => a.change)).toEqual([
      { fieldId: expect.any(Number), name: 'city', oldValue: 'Oslo', newValue: 'Rome' },
      { fieldId: expect.any(Number), name: 'title', oldValue: null, newValue: 'CEO' },
    ]);
    expect(attrs(changes[0]!)).toEqual({ 'New Value': 'Rome', 'Old Value': 'Oslo', Reason: 'Form fill-out', Source: 'Web form fillout' });
    mk.updatePerson(1, { title: 'CTO' }, { source: 'sfdc', reason: 'Updated from SFDC' });
    expect(attrs(mk.listActivities({ typeIds: [13] }).at(-1)!)).toMatchObject({ Reason: 'Updated from SFDC', Source: 'sfdc' });
    mk.updatePerson(1, { title: 'CIO' }, { source: 'Flow: Nurture' });
    expect(attrs(mk.listActivities({ typeIds: [13] }).at(-1)!)).toMatchObject({ Reason: 'Flow: Nurture', Source: 'Flow: Nurture' });
    clock.advanceBy(60_000);
    mk.updatePerson(1, { title: 'CIO' });
    expect(mk.getPerson(1)!.updatedAt).toBe('2026-01-05T09:01:00Z');
    expect(mk.listActivities({ typeIds: [13] })).toHaveLength(4);
  });

  it('returns copies: changing a returned person changes nothing inside', () => {
    const { mk } = fresh();
    const p = mk.createPerson({ email: 'a@x.test' });
    p.email = 'b@x.test';
    expect(mk.getPerson(1)!.email).toBe('a@x.test');
  });

  it('finds by email case-insensitively, including duplicates', () => {
    const { mk } = fresh();
    mk.createPerson({ email: 'Twin@x.test' });
    mk.createPerson({ email: 'twin@X.test' });
    mk.createPerson({ email: 'other@x.test' });
    expect(mk.findByEmail('TWIN@x.test').map((p) => p.id)).toEqual([1, 2]);
    expect(mk.listPeople()).toHaveLength(3);
  });

  it('deletes with a Delete Lead activity naming the person', () => {
    const { mk } = fresh();
    mk.createPerson({ email: 'a@x.test', firstName: 'Ann', lastName: 'Lee' });
    mk.deletePerson(1);
    expect(mk.getPerson(1)).toBeUndefined();
    expect(mk.listActivities({ typeIds: [37] })).toEqual([
      expect.objectContaining({ leadId: 1, activityTypeId: 37, primaryAttributeValueId: 1, primaryAttributeValue: 'Ann Lee', attributes: [] }),
    ]);
    expect(() => mk.deletePerson(1)).toThrow(/not found/);
  });

  it('merges: winner keeps id and its values, first non-empty loser value fills each empty field, activities combined', () => {
    const { mk } = fresh();
    mk.createPerson({ email: 'w@x.test', title: 'CEO' });
    mk.createPerson({ email: 'l1@x.test', title: 'CTO', city: 'Oslo' });
    mk.createPerson({ email: 'l2@x.test', city: 'Rome', phone: '1' });
    mk.updatePerson(3, { company: 'Acme' });
    const w = mk.mergePeople(1, [2, 3]);
    expect(w).toMatchObject({ id: 1, email: 'w@x.test', title: 'CEO', city: 'Oslo', phone: '1', company: 'Acme' });
    expect(mk.listPeople().map((p) => p.id)).toEqual([1]);
    expect(mk.listActivities().every((a) => a.leadId === 1)).toBe(true);
    expect(attrs(mk.listActivities({ typeIds: [32] })[0]!)).toEqual({ 'Merge IDs': '2,3', 'Merged in Sales': false, 'Master Updated': true });
    expect(() => mk.mergePeople(1, [1])).toThrow(/into itself/);
    expect(() => mk.mergePeople(1, [7])).toThrow(new MarketoError('1004', 'Lead [7] not found'));
    expect(() => mk.mergePeople(5, [1])).toThrow(/Lead \[5\] not found/);
    expect(() => mk.mergePeople(1, [])).toThrow(/cannot be blank/);
  });

  it('adds custom fields with checks, and uses them at once', () => {
    const { mk } = fresh();
    const def = mk.addField({ name: 'leadScore', dataType: 'integer' });
    expect(def).toMatchObject({ id: 1000, name: 'leadScore', dataType: 'integer', custom: true, readOnly: false, searchable: true });
    expect(mk.addField({ name: 'bio', dataType: 'text' }).length).toBe(65535);
    expect(mk.addField({ name: 'code', dataType: 'string', length: 5 }).length).toBe(5);
    expect(() => mk.addField({ name: 'leadscore', dataType: 'string' })).toThrow(/already exists/);
    expect(() => mk.addField({ name: 'x y', dataType: 'string' })).toThrow(/Invalid field name/);
    expect(() => mk.addField({ name: 'big', dataType: 'string', length: 300 })).toThrow(/Invalid length/);
    expect(() => mk.addField({ name: 'odd', dataType: 'blob' as never })).toThrow(/Invalid dataType/);
    mk.addField({ name: 'locked', dataType: 'string', readOnly: true });
    expect(mk.createPerson({ leadScore: '12' }).leadScore).toBe(12);
    expect(() => mk.createPerson({ code: 'toolong' })).toThrow(/maximum length of 5/);
    expect(() => mk.createPerson({ locked: 'x' })).toThrow(/read only/);
  });

  it('logs SFDC activities on a person, and refuses unknown people or types', () => {
    const { mk } = fresh();
    mk.createPerson({});
    expect(mk.logActivity({ leadId: 1, activityTypeId: 21, attributes: [{ name: 'Contact ID', value: '003' }] })).toMatchObject({ id: 2, activityTypeId: 21 });
    expect(() => mk.logActivity({ leadId: 2, activityTypeId: 21 })).toThrow(/Lead 2 not found/);
    expect(() => mk.logActivity({ leadId: 1, activityTypeId: 4242 })).toThrow(/unknown activity type 4242/);
  });
});

describe('MarketoInstance: sync leads (the API operation)', () => {
  it('applies the same checks as people, per record, in input order', () => {
    const { mk } = fresh();
    expect(mk.syncLeads({ input: [{ email: 'a@x.test' }, { email: 'b@x.test', numberOfEmployees: 'x' }, { email: 'a@x.test', city: 'Oslo' }] })).toEqual([
      { id: 1, status: 'created' },
      { status: 'skipped', reasons: [{ code: '1001', message: "Invalid value 'x'. Required of type 'integer'" }] },
      { id: 1, status: 'updated' },
    ]);
    expect(attrs(mk.listActivities({ typeIds: [13] })[0]!)).toMatchObject({ Reason: 'Web service API', Source: 'Web service API' });
    expect(attrs(mk.listActivities({ typeIds: [12] })[0]!)).toMatchObject({ 'Source Type': 'Web service API' });
  });

  it('updateOnly without the lookup value is skipped with 1003', () => {
    const { mk } = fresh();
    expect(mk.syncLeads({ action: 'updateOnly', input: [{ city: 'Oslo' }] })).toEqual([
      { status: 'skipped', reasons: [{ code: '1003', message: "Lookup field 'email' is missing or empty" }] },
    ]);
  });

  it('createOrUpdate without the lookup value creates a new person', () => {
    const { mk } = fresh();
    expect(mk.syncLeads({ input: [{ city: 'Oslo' }, { city: 'Rome' }] })).toEqual([
      { id: 1, status: 'created' },
      { id: 2, status: 'created' },
    ]);
  });
});

describe('MarketoInstance: activity pages', () => {
  it('scans at most activityScanSpan ids per page and reports where to resume', () => {
    const clock = new VirtualClock();
    const mk = new MarketoInstance({ clock, activityScanSpan: 10 });
    for (let i = 0; i < 25; i++) mk.createPerson({});
    const onlyOdd = (a: { leadId: number }) => a.leadId % 2 === 1;
    expect(mk.pageActivities(1, 300, onlyOdd)).toMatchObject({ nextId: 11, moreResult: true });
    expect(mk.pageActivities(1, 300, onlyOdd).items.map((a) => a.id)).toEqual([1, 3, 5, 7, 9]);
    expect(mk.pageActivities(1, 2, onlyOdd)).toMatchObject({ nextId: 4, moreResult: true });
    expect(mk.pageActivities(21, 300, onlyOdd)).toMatchObject({ nextId: 26, moreResult: false });
    expect(mk.pageActivities(26, 300, onlyOdd)).toEqual({ items: [], nextId: 26, moreResult: false });
    expect(() => new MarketoInstance({ activityScanSpan: 0 })).toThrow(RangeError);
  });

  it('holds requests until released', async () => {
    const { mk } = fresh();
    await mk.passGate();
    const release = mk.holdRequests();
    let passed = false;
    const p = mk.passGate().then(() => (passed = true));
    await Promise.resolve();
    expect(passed).toBe(false);
    release();
    await p;
    expect(passed).toBe(true);
  });
});

describe('MarketoInstance: compact storage and look-ups', () => {
  it('a look-up follows a value from one person to two and back, and a cleared value reads null', () => {
    const { mk } = fresh();
    const a = mk.createPerson({ email: 'a@x.test', sfdcLeadId: '00Q000000000001AAA', city: 'Oslo' });
    const b = mk.createPerson({ email: 'b@x.test' });
    const ids = (email: string) => mk.syncLeads({ action: 'updateOnly', lookupField: 'email', input: [{ email, title: 'T' }] });
    expect(mk.filterLeads('sfdcLeadId', '00Q000000000001AAA')).toEqual([a.id]);
    mk.updatePerson(b.id, { email: 'A@x.test' }); // two holders of one (case-insensitive) email
    expect(mk.filterLeads('email', 'a@x.test')).toEqual([a.id, b.id]);
    expect(ids('a@x.test')[0]).toMatchObject({ status: 'skipped', reasons: [{ code: '1007' }] });
    mk.updatePerson(a.id, { email: 'c@x.test' }); // back to one
    expect(mk.filterLeads('email', 'a@x.test')).toEqual([b.id]);
    expect(ids('a@x.test')[0]).toMatchObject({ id: b.id, status: 'updated' });
    mk.updatePerson(a.id, { city: null, sfdcLeadId: null });
    expect(mk.getPerson(a.id)).toMatchObject({ city: null, sfdcLeadId: null, email: 'c@x.test' });
    expect(mk.filterLeads('sfdcLeadId', '00Q000000000001AAA')).toEqual([]);
    mk.deletePerson(b.id);
    expect(mk.filterLeads('email', 'a@x.test')).toEqual([]);
  });
});
