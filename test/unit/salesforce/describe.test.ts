import { beforeEach, describe, expect, it } from 'vitest';
import { Org } from '../../../mocks/salesforce/org.ts';

// jsforce's DescribeSObjectResult / DescribeGlobalSObjectResult / Field keys (reference §2.2).
const GLOBAL_KEYS = [
  'activateable', 'createable', 'custom', 'customSetting', 'dataTranslationEnabled', 'deepCloneable', 'deletable',
  'deprecatedAndHidden', 'feedEnabled', 'hasSubtypes', 'idEnabled', 'isInterface', 'isSubtype', 'keyPrefix', 'label',
  'labelPlural', 'layoutable', 'mergeable', 'mruEnabled', 'name', 'queryable', 'replicateable', 'retrieveable',
  'searchable', 'triggerable', 'undeletable', 'updateable', 'urls',
];
const DESCRIBE_KEYS = [
  ...GLOBAL_KEYS, 'actionOverrides', 'childRelationships', 'compactLayoutable', 'fields', 'listviewable',
  'lookupLayoutable', 'namedLayoutInfos', 'networkScopeFieldName', 'recordTypeInfos', 'searchLayoutable', 'supportedScopes',
];
const FIELD_KEYS = [
  'aggregatable', 'autoNumber', 'byteLength', 'calculated', 'calculatedFormula', 'cascadeDelete', 'caseSensitive',
  'compoundFieldName', 'controllerName', 'createable', 'custom', 'defaultValue', 'defaultValueFormula', 'defaultedOnCreate',
  'dependentPicklist', 'deprecatedAndHidden', 'digits', 'displayLocationInDecimal', 'encrypted', 'externalId',
  'extraTypeInfo', 'filterable', 'filteredLookupInfo', 'groupable', 'highScaleNumber', 'htmlFormatted', 'idLookup',
  'inlineHelpText', 'label', 'length', 'mask', 'maskType', 'name', 'nameField', 'namePointing', 'nillable',
  'permissionable', 'picklistValues', 'precision', 'queryByDistance', 'referenceTargetField', 'referenceTo',
  'relationshipName', 'relationshipOrder', 'restrictedDelete', 'restrictedPicklist', 'scale', 'soapType', 'sortable',
  'type', 'unique', 'updateable', 'writeRequiresMasterRead',
];

type Field = Record<string, unknown> & { name: string };
let org: Org;
let sync: string;
const fieldsOf = (object: string, user = sync) => (org.describe(object, user)!.fields as Field[]);
const fieldOf = (object: string, name: string, user = sync) => fieldsOf(object, user).find((f) => f.name === name);

beforeEach(() => {
  org = new Org();
  sync = org.syncUser.id;
});

describe('describe', () => {
  it('has every key jsforce types, with urls on a v59.0 path', () => {
    const d = org.describe('Lead', sync)!;
    for (const k of DESCRIBE_KEYS) expect(d, k).toHaveProperty(k);
    expect(d).toMatchObject({ name: 'Lead', keyPrefix: '00Q', label: 'Lead', labelPlural: 'Leads', mergeable: true, queryable: true });
    expect((d.urls as Record<string, string>).sobject).toBe('/services/data/v59.0/sobjects/Lead');
    expect((d.urls as Record<string, string>).rowTemplate).toBe('/services/data/v59.0/sobjects/Lead/{ID}');
    for (const f of fieldsOf('Lead')) for (const k of FIELD_KEYS) expect(f, `${f.name}.${k}`).toHaveProperty(k);
    expect(org.describe('Nope', sync)).toBeUndefined();
  });

  it('describes the standard fields with their real properties', () => {
    expect(fieldOf('Lead', 'LastName')).toMatchObject({ type: 'string', length: 80, byteLength: 240, nillable: false, createable: true, updateable: true, defaultedOnCreate: false });
    expect(fieldOf('Lead', 'Company')).toMatchObject({ type: 'string', length: 255, nillable: false });
    expect(fieldOf('Lead', 'Email')).toMatchObject({ type: 'email', length: 80, nillable: true, soapType: 'xsd:string' });
    expect(fieldOf('Lead', 'Name')).toMatchObject({ type: 'string', length: 121, createable: false, updateable: false, nameField: true });
    expect(fieldOf('Lead', 'AnnualRevenue')).toMatchObject({ type: 'currency', precision: 18, scale: 0 });
    expect(fieldOf('Lead', 'NumberOfEmployees')).toMatchObject({ type: 'int', digits: 8 });
    expect(fieldOf('Lead', 'IsConverted')).toMatchObject({ type: 'boolean', createable: true, updateable: false, defaultedOnCreate: true, defaultValue: false });
    expect(fieldOf('Lead', 'OwnerId')).toMatchObject({ type: 'reference', referenceTo: ['Group', 'User'], relationshipName: 'Owner', defaultedOnCreate: true, namePointing: true });
    expect(fieldOf('Lead', 'SystemModstamp')).toMatchObject({ type: 'datetime', createable: false, updateable: false });
    const status = fieldOf('Lead', 'Status')!;
    expect(status).toMatchObject({ type: 'picklist', nillable: false, defaultedOnCreate: true, restrictedPicklist: false });
    expect(status.picklistValues).toContainEqual({ active: true, defaultValue: true, label: 'Open - Not Contacted', validFor: null, value: 'Open - Not Contacted' });
    for (const name of ['FirstName', 'LastName', 'Email', 'Company', 'Title', 'Phone', 'MobilePhone', 'LeadSource', 'Status', 'Industry', 'Rating',
      'AnnualRevenue', 'NumberOfEmployees', 'Street', 'City', 'State', 'PostalCode', 'Country', 'Website', 'HasOptedOutOfEmail',
      'Description', 'OwnerId', 'ConvertedDate', 'ConvertedAccountId', 'ConvertedContactId', 'ConvertedOpportunityId', 'MasterRecordId', 'IsDeleted']) {
      expect(fieldOf('Lead', name), `Lead.${name}`).toBeDefined();
    }
    for (const name of ['FirstName', 'LastName', 'Email', 'AccountId', 'Title', 'Phone', 'MobilePhone', 'LeadSource', 'MailingStreet',
      'MailingCity', 'MailingState', 'MailingPostalCode', 'MailingCountry', 'HasOptedOutOfEmail', 'Description', 'OwnerId']) {
      expect(fieldOf('Contact', name), `Contact.${name}`).toBeDefined();
    }
    expect(fieldOf('Contact', 'AccountId')).toMatchObject({ referenceTo: ['Account'], relationshipName: 'Account', nillable: true });
    expect(fieldOf('Account', 'Name')).toMatchObject({ nillable: false, createable: true });
    const children = org.describe('Account', sync)!.childRelationships as Array<Record<string, unknown>>;
    expect(children).toContainEqual(expect.objectContaining({ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts' }));
  });

  it('is computed per user: hidden fields are absent, read-only ones not createable or updateable', () => {
    org.setAccess(sync, 'Lead.AnnualRevenue', 'none');
    org.setAccess(sync, 'Lead.Phone', 'read');
    expect(fieldOf('Lead', 'AnnualRevenue')).toBeUndefined();
    expect(fieldOf('Lead', 'Phone')).toMatchObject({ createable: false, updateable: false });
    expect(fieldOf('Lead', 'Email')).toMatchObject({ createable: true, updateable: true });
    // Another user's view is unaffected.
    expect(fieldOf('Lead', 'AnnualRevenue', org.adminUser.id)).toBeDefined();
    expect(fieldOf('Lead', 'Phone', org.adminUser.id)).toMatchObject({ createable: true, updateable: true });
    // Back to edit.
    org.setAccess(sync, 'Lead.Phone', 'edit');
    org.setAccess(sync, 'Lead.AnnualRevenue', 'edit');
    expect(fieldOf('Lead', 'Phone')).toMatchObject({ createable: true, updateable: true });
    expect(fieldOf('Lead', 'AnnualRevenue')).toBeDefined();
  });

  it('the query context sees the same per-user view', () => {
    org.setAccess(sync, 'Lead.Phone', 'none');
    const ctx = org.queryContext(sync);
    expect(ctx.object('lead')!.fields.has('phone')).toBe(false);
    expect(ctx.object('Lead')!.fields.has('email')).toBe(true);
    expect(ctx.access('Lead', 'Phone')).toBe('none');
    expect(ctx.access('Lead', 'Email')).toBe('edit');
    expect(ctx.object('Nope')).toBeUndefined();
    expect(org.queryContext(org.adminUser.id).object('Lead')!.fields.has('phone')).toBe(true);
  });
});

describe('describeGlobal', () => {
  it('lists every object with the global keys', () => {
    const g = org.describeGlobal(sync);
    expect(g).toMatchObject({ encoding: 'UTF-8', maxBatchSize: 200 });
    const sobjects = g.sobjects as Array<Record<string, unknown>>;
    expect(sobjects.map((s) => s.name)).toEqual(expect.arrayContaining(['Lead', 'Contact', 'Account', 'User', 'Group', 'Opportunity']));
    for (const s of sobjects) for (const k of GLOBAL_KEYS) expect(s, `${s.name}.${k}`).toHaveProperty(k);
    expect(sobjects.find((s) => s.name === 'Contact')).toMatchObject({ keyPrefix: '003', createable: true, mergeable: true });
    expect(sobjects.find((s) => s.name === 'User')).toMatchObject({ keyPrefix: '005', createable: false });
  });
});
