import { describe, expect, it } from 'vitest';
import { atVersion, describeTextStats } from '../../../mocks/salesforce/describe.ts';
import { Org } from '../../../mocks/salesforce/org.ts';

/** What the describe endpoint answered before its text was cached: the describe written out, URLs re-pointed. */
const fresh = (org: Org, object: string, userId: string, version = '59.0') => {
  const d = org.describe(object, userId);
  return d === undefined ? undefined : atVersion(JSON.stringify(d), version);
};

/** describeText's answer, and whether it came from the cache. */
function described(org: Org, object: string, userId: string, version = '59.0') {
  const before = describeTextStats();
  const text = org.describeText(object, userId, version);
  const after = describeTextStats();
  return { text, cached: after.reused > before.reused && after.built === before.built };
}

const OBJECTS = ['Lead', 'Contact', 'Account', 'Opportunity', 'User', 'Group', 'SetupAuditTrail'];

describe('describe texts (cached across views and orgs)', () => {
  it('are the describe written out, for every object, user and API version', () => {
    const org = new Org();
    for (const user of [org.syncUser.id, org.adminUser.id]) {
      for (const object of OBJECTS) {
        for (const version of ['59.0', '31.0', '66.0']) {
          const text = org.describeText(object, user, version);
          expect(text, `${object} v${version}`).toBe(fresh(org, object, user, version));
          expect(JSON.parse(text!)).toEqual(JSON.parse(JSON.stringify(org.describe(object, user))
            .split('/services/data/v59.0/').join(`/services/data/v${version}/`)));
        }
      }
    }
    expect(org.describeText('Lead', org.syncUser.id, '50.0')).toContain('"/services/data/v50.0/sobjects/Lead/describe"');
  });

  it('a second org with the same schema and permissions answers from the cache, with the same text', () => {
    const a = new Org();
    const first = described(a, 'Lead', a.syncUser.id);
    const b = new Org();
    const second = described(b, 'Lead', b.syncUser.id);
    expect(second.cached).toBe(true);
    expect(second.text).toBe(first.text);
    expect(second.text).toBe(fresh(b, 'Lead', b.syncUser.id));
  });

  it('misses after each change to what the describe says, and then says what a fresh describe says', () => {
    const org = new Org();
    const sync = org.syncUser.id;
    const check = (label: string, object = 'Lead') => {
      const { text, cached } = described(org, object, sync);
      expect(text, label).toBe(fresh(org, object, sync));
      return { text, cached };
    };
    const base = check('start').text;
    expect(check('again').cached).toBe(true);

    org.setAccess(sync, 'Lead.Title', 'read');
    const readOnly = check('Title read-only');
    expect(readOnly.text).not.toBe(base);
    expect(JSON.parse(readOnly.text!).fields.find((f: { name: string }) => f.name === 'Title')).toMatchObject({ createable: false, updateable: false });

    org.setAccess(sync, 'Lead.Title', 'none');
    const hidden = check('Title hidden');
    expect(hidden.text).not.toBe(readOnly.text);
    expect(JSON.parse(hidden.text!).fields.some((f: { name: string }) => f.name === 'Title')).toBe(false);

    org.setAccess(sync, 'Lead.Title', 'edit');
    expect(check('Title editable again').text).toBe(base);

    org.addField({ object: 'Lead', name: 'Score__c', type: 'double', precision: 18, scale: 0 });
    const added = check('custom field added');
    expect(added.cached).toBe(false);
    expect(JSON.parse(added.text!).fields.at(-1)).toMatchObject({ name: 'Score__c', type: 'double', custom: true });

    // A custom reference to Lead would change Lead's childRelationships; a field on Contact changes Contact only.
    const contact = check('Contact', 'Contact').text;
    org.addField({ object: 'Contact', name: 'Tier__c', type: 'picklist', picklistValues: ['Gold', 'Silver'], defaultValue: 'Gold' });
    const contactAdded = check('Contact field added', 'Contact');
    expect(contactAdded.cached).toBe(false);
    expect(contactAdded.text).not.toBe(contact);
    expect(check('Lead unchanged by a Contact field').text).toBe(added.text);

    org.deleteField('Lead', 'Score__c');
    expect(check('custom field deleted').text).toBe(base);

    org.setViewSetup(sync, false);
    expect(org.describeText('SetupAuditTrail', sync, '59.0')).toBeUndefined();
    org.setViewSetup(sync, true);
    expect(check('View Setup back', 'SetupAuditTrail').text).toBeDefined();
  });

  it('a custom field added alike to two orgs is one definition: the second org answers from the cache', () => {
    const spec = { object: 'Lead', name: 'Rank__c', type: 'string', length: 40, externalId: true } as const;
    const a = new Org();
    a.addField(spec);
    const first = described(a, 'Lead', a.syncUser.id);
    const b = new Org();
    b.addField(spec);
    const second = described(b, 'Lead', b.syncUser.id);
    expect(second.cached).toBe(true);
    expect(second.text).toBe(first.text);
    // The same name with another length is another field, described as such.
    const c = new Org();
    c.addField({ ...spec, length: 41 });
    const third = described(c, 'Lead', c.syncUser.id);
    expect(third.cached).toBe(false);
    expect(third.text).toBe(fresh(c, 'Lead', c.syncUser.id));
    expect(third.text).toContain('"length":41');
  });

  it('shared field definitions are frozen: no org can change another org\'s schema', () => {
    const a = new Org();
    const b = new Org();
    const lead = a.objectDef('Lead')!.fields.get('title')!;
    expect(b.objectDef('Lead')!.fields.get('title')).toBe(lead);
    expect(Object.isFrozen(lead)).toBe(true);
    expect(() => {
      (lead as { label: string }).label = 'Changed';
    }).toThrow(TypeError);
    a.addField({ object: 'Lead', name: 'Only_A__c', type: 'string' });
    expect(b.objectDef('Lead')!.fields.has('only_a__c')).toBe(false);
  });
});
