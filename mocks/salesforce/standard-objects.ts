/**
 * The standard objects of reference §5 with their real field properties.
 * Lead and Contact carry every field a Marketo sync maps; Account, User,
 * Group (queues own leads) and a minimal Opportunity (created by lead
 * conversion) carry what the sync and the conversion touch.
 */
import { KEY_PREFIXES } from './ids.ts';
import { freezeField, makeField, makeObject, systemField } from './schema.ts';
import type { FieldDef, ObjectDef } from './types.ts';

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'];
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];
/** LeadStatus values with IsConverted = true: the only ones convertLead accepts. */
export const CONVERTED_LEAD_STATUSES = ['Closed - Converted'];
const RATINGS = ['Hot', 'Warm', 'Cold'];
const INDUSTRIES = [
  'Agriculture', 'Apparel', 'Banking', 'Biotechnology', 'Chemicals', 'Communications', 'Construction', 'Consulting',
  'Education', 'Electronics', 'Energy', 'Engineering', 'Entertainment', 'Environmental', 'Finance',
  'Food & Beverage', 'Government', 'Healthcare', 'Hospitality', 'Insurance', 'Machinery', 'Manufacturing',
  'Media', 'Not For Profit', 'Recreation', 'Retail', 'Shipping', 'Technology', 'Telecommunications',
  'Transportation', 'Utilities', 'Other',
];
const ACCOUNT_TYPES = ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other'];
const OPPORTUNITY_STAGES = [
  'Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Perception Analysis',
  'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost',
];

const ref = (name: string, to: string[], opts: Parameters<typeof makeField>[2] = {}) =>
  makeField(name, 'reference', { referenceTo: to, ...opts });

/** Id, IsDeleted, MasterRecordId (mergeable objects) and the audit fields. */
function headFields(object: string, mergeable: boolean): FieldDef[] {
  const fields = [
    systemField('Id', 'id', { label: `${object} ID`, nillable: false, idLookup: true }),
    systemField('IsDeleted', 'boolean', { label: 'Deleted' }),
  ];
  if (mergeable) fields.push(systemField('MasterRecordId', 'reference', { label: 'Master Record ID', referenceTo: [object], relationshipName: 'MasterRecord' }));
  return fields;
}

function auditFields(): FieldDef[] {
  return [
    systemField('CreatedDate', 'datetime', { nillable: false }),
    systemField('CreatedById', 'reference', { label: 'Created By ID', nillable: false, referenceTo: ['User'], relationshipName: 'CreatedBy' }),
    systemField('LastModifiedDate', 'datetime', { nillable: false }),
    systemField('LastModifiedById', 'reference', { label: 'Last Modified By ID', nillable: false, referenceTo: ['User'], relationshipName: 'LastModifiedBy' }),
    systemField('SystemModstamp', 'datetime', { label: 'System Modstamp', nillable: false }),
  ];
}

function ownerField(to: string[]): FieldDef {
  // Defaults to the running user; never null.
  return ref('OwnerId', to, { label: 'Owner ID', nillable: false, defaultedOnCreate: true, relationshipName: 'Owner' });
}

function lead(): ObjectDef {
  return makeObject('Lead', 'Lead', 'Leads', KEY_PREFIXES.Lead!, [
    ...headFields('Lead', true),
    makeField('LastName', 'string', { length: 80, nillable: false }),
    makeField('FirstName', 'string', { length: 40 }),
    makeField('Salutation', 'picklist', { length: 40, picklist: SALUTATIONS }),
    systemField('Name', 'string', { label: 'Full Name', length: 121, nillable: false }),
    makeField('Title', 'string', { length: 128 }),
    makeField('Company', 'string', { length: 255, nillable: false }),
    makeField('Street', 'textarea', { length: 255 }),
    makeField('City', 'string', { length: 40 }),
    makeField('State', 'string', { label: 'State/Province', length: 80 }),
    makeField('PostalCode', 'string', { label: 'Zip/Postal Code', length: 20 }),
    makeField('Country', 'string', { length: 80 }),
    makeField('Phone', 'phone', { length: 40 }),
    makeField('MobilePhone', 'phone', { label: 'Mobile Phone', length: 40 }),
    makeField('Fax', 'phone', { length: 40 }),
    makeField('Email', 'email', { length: 80 }),
    makeField('Website', 'url', { length: 255 }),
    makeField('Description', 'textarea', { length: 32000 }),
    makeField('LeadSource', 'picklist', { length: 40, picklist: LEAD_SOURCES }),
    makeField('Status', 'picklist', { length: 40, nillable: false, picklist: LEAD_STATUSES, picklistDefault: 'Open - Not Contacted' }),
    makeField('Industry', 'picklist', { length: 40, picklist: INDUSTRIES }),
    makeField('Rating', 'picklist', { length: 40, picklist: RATINGS }),
    makeField('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
    makeField('NumberOfEmployees', 'int', { label: 'Employees', digits: 8 }),
    ownerField(['Group', 'User']),
    makeField('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
    makeField('DoNotCall', 'boolean', { label: 'Do Not Call' }),
    makeField('HasOptedOutOfFax', 'boolean', { label: 'Fax Opt Out' }),
    // Createable (data migration) but only convertLead may change it afterwards.
    makeField('IsConverted', 'boolean', { label: 'Converted', updateable: false }),
    systemField('ConvertedDate', 'date', { label: 'Converted Date', defaultedOnCreate: false }),
    systemField('ConvertedAccountId', 'reference', { label: 'Converted Account ID', referenceTo: ['Account'], relationshipName: 'ConvertedAccount', defaultedOnCreate: false }),
    systemField('ConvertedContactId', 'reference', { label: 'Converted Contact ID', referenceTo: ['Contact'], relationshipName: 'ConvertedContact', defaultedOnCreate: false }),
    systemField('ConvertedOpportunityId', 'reference', { label: 'Converted Opportunity ID', referenceTo: ['Opportunity'], relationshipName: 'ConvertedOpportunity', defaultedOnCreate: false }),
    makeField('IsUnreadByOwner', 'boolean', { label: 'Unread By Owner' }),
    ...auditFields(),
    systemField('LastActivityDate', 'date', { defaultedOnCreate: false }),
    makeField('EmailBouncedReason', 'string', { length: 255 }),
    makeField('EmailBouncedDate', 'datetime', { createable: false }),
  ]);
}

function contact(): ObjectDef {
  return makeObject('Contact', 'Contact', 'Contacts', KEY_PREFIXES.Contact!, [
    ...headFields('Contact', true),
    ref('AccountId', ['Account'], { label: 'Account ID' }),
    makeField('LastName', 'string', { length: 80, nillable: false }),
    makeField('FirstName', 'string', { length: 40 }),
    makeField('Salutation', 'picklist', { length: 40, picklist: SALUTATIONS }),
    systemField('Name', 'string', { label: 'Full Name', length: 121, nillable: false }),
    makeField('MailingStreet', 'textarea', { label: 'Mailing Street', length: 255 }),
    makeField('MailingCity', 'string', { label: 'Mailing City', length: 40 }),
    makeField('MailingState', 'string', { label: 'Mailing State/Province', length: 80 }),
    makeField('MailingPostalCode', 'string', { label: 'Mailing Zip/Postal Code', length: 20 }),
    makeField('MailingCountry', 'string', { label: 'Mailing Country', length: 80 }),
    makeField('Phone', 'phone', { label: 'Business Phone', length: 40 }),
    makeField('Fax', 'phone', { label: 'Business Fax', length: 40 }),
    makeField('MobilePhone', 'phone', { label: 'Mobile Phone', length: 40 }),
    makeField('HomePhone', 'phone', { label: 'Home Phone', length: 40 }),
    makeField('OtherPhone', 'phone', { label: 'Other Phone', length: 40 }),
    ref('ReportsToId', ['Contact'], { label: 'Reports To ID' }),
    makeField('Email', 'email', { length: 80 }),
    makeField('Title', 'string', { length: 128 }),
    makeField('Department', 'string', { length: 80 }),
    makeField('Birthdate', 'date'),
    makeField('LeadSource', 'picklist', { length: 40, picklist: LEAD_SOURCES }),
    makeField('Description', 'textarea', { label: 'Contact Description', length: 32000 }),
    ownerField(['User']),
    makeField('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
    makeField('DoNotCall', 'boolean', { label: 'Do Not Call' }),
    makeField('HasOptedOutOfFax', 'boolean', { label: 'Fax Opt Out' }),
    ...auditFields(),
    systemField('LastActivityDate', 'date', { defaultedOnCreate: false }),
    makeField('EmailBouncedReason', 'string', { length: 255 }),
    makeField('EmailBouncedDate', 'datetime', { createable: false }),
  ]);
}

function account(): ObjectDef {
  return makeObject('Account', 'Account', 'Accounts', KEY_PREFIXES.Account!, [
    ...headFields('Account', true),
    makeField('Name', 'string', { label: 'Account Name', length: 255, nillable: false }),
    makeField('Type', 'picklist', { label: 'Account Type', length: 40, picklist: ACCOUNT_TYPES }),
    ref('ParentId', ['Account'], { label: 'Parent Account ID' }),
    makeField('BillingStreet', 'textarea', { label: 'Billing Street', length: 255 }),
    makeField('BillingCity', 'string', { label: 'Billing City', length: 40 }),
    makeField('BillingState', 'string', { label: 'Billing State/Province', length: 80 }),
    makeField('BillingPostalCode', 'string', { label: 'Billing Zip/Postal Code', length: 20 }),
    makeField('BillingCountry', 'string', { label: 'Billing Country', length: 80 }),
    makeField('Phone', 'phone', { label: 'Account Phone', length: 40 }),
    makeField('Fax', 'phone', { label: 'Account Fax', length: 40 }),
    makeField('Website', 'url', { length: 255 }),
    makeField('Industry', 'picklist', { length: 40, picklist: INDUSTRIES }),
    makeField('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
    makeField('NumberOfEmployees', 'int', { label: 'Employees', digits: 8 }),
    makeField('Rating', 'picklist', { label: 'Account Rating', length: 40, picklist: RATINGS }),
    makeField('AccountSource', 'picklist', { label: 'Account Source', length: 40, picklist: LEAD_SOURCES }),
    makeField('Description', 'textarea', { label: 'Account Description', length: 32000 }),
    ownerField(['User']),
    ...auditFields(),
    systemField('LastActivityDate', 'date', { defaultedOnCreate: false }),
  ]);
}

function opportunity(): ObjectDef {
  return makeObject('Opportunity', 'Opportunity', 'Opportunities', KEY_PREFIXES.Opportunity!, [
    ...headFields('Opportunity', false),
    ref('AccountId', ['Account'], { label: 'Account ID' }),
    makeField('Name', 'string', { label: 'Name', length: 120, nillable: false }),
    makeField('StageName', 'picklist', { label: 'Stage', length: 255, nillable: false, picklist: OPPORTUNITY_STAGES, restricted: true }),
    makeField('CloseDate', 'date', { label: 'Close Date', nillable: false }),
    makeField('Amount', 'currency', { precision: 18, scale: 2 }),
    makeField('LeadSource', 'picklist', { length: 40, picklist: LEAD_SOURCES }),
    makeField('Description', 'textarea', { length: 32000 }),
    ownerField(['User']),
    ...auditFields(),
  ]);
}

function user(): ObjectDef {
  // Users are set up by the org's admin API (createUser), not through sObject writes.
  return makeObject('User', 'User', 'Users', KEY_PREFIXES.User!, [
    ...headFields('User', false).filter((f) => f.name !== 'IsDeleted'),
    makeField('Username', 'string', { length: 80, nillable: false, unique: true, idLookup: true }),
    makeField('LastName', 'string', { length: 80, nillable: false }),
    makeField('FirstName', 'string', { length: 40 }),
    systemField('Name', 'string', { label: 'Full Name', length: 121, nillable: false }),
    makeField('Email', 'email', { length: 128, nillable: false }),
    makeField('Alias', 'string', { length: 8, nillable: false }),
    makeField('IsActive', 'boolean', { label: 'Active' }),
    makeField('Title', 'string', { length: 80 }),
    ...auditFields(),
  ]);
}

function group(): ObjectDef {
  return makeObject('Group', 'Group', 'Groups', KEY_PREFIXES.Group!, [
    ...headFields('Group', false).filter((f) => f.name !== 'IsDeleted'),
    makeField('Name', 'string', { length: 40, nillable: false }),
    makeField('DeveloperName', 'string', { label: 'Developer Name', length: 80 }),
    makeField('Type', 'picklist', { length: 40, nillable: false, restricted: true, picklist: ['Queue', 'Regular', 'Role', 'Organization'] }),
    makeField('Email', 'email', { length: 255 }),
    ...auditFields(),
  ]);
}

/** SetupAuditTrail's real key prefix. */
export const SETUP_AUDIT_TRAIL_PREFIX = '0Ym';

/**
 * Setup changes (object reference: SetupAuditTrail): query() and retrieve() only, every field read-only. Rows are
 * written by the org itself (Org.recordSetupChange) when a user's field access, a custom field or a validation rule
 * changes. No LastModified fields or SystemModstamp: a row never changes.
 */
function setupAuditTrail(): ObjectDef {
  return makeObject('SetupAuditTrail', 'Setup Audit Trail', 'Setup Audit Trail', SETUP_AUDIT_TRAIL_PREFIX, [
    systemField('Id', 'id', { label: 'Setup Audit Trail ID', nillable: false, idLookup: true }),
    systemField('Action', 'string', { length: 255, nillable: false }),
    systemField('Section', 'string', { length: 255 }),
    systemField('Display', 'string', { length: 1000 }),
    systemField('CreatedDate', 'datetime', { nillable: false }),
    systemField('CreatedById', 'reference', { label: 'Created By ID', referenceTo: ['User'], relationshipName: 'CreatedBy' }),
    systemField('DelegateUser', 'string', { label: 'Delegate User', length: 80 }),
    systemField('CreatedByContext', 'string', { label: 'Created By Context', length: 255 }),
    systemField('CreatedByIssuer', 'string', { label: 'Created By Issuer', length: 255 }),
    systemField('ResponsibleNamespacePrefix', 'string', { label: 'Responsible Namespace Prefix', length: 15 }),
  ]);
}

let templates: readonly ObjectDef[] | undefined;

/**
 * Fresh definitions of every standard object: each org owns its objects and their field maps (custom fields are
 * added to them), while the standard fields themselves are built once and shared, frozen, by every org (issue 8: a
 * fuzz campaign makes one org per run; shared fields also let describes be cached across orgs, describe.ts).
 */
export function standardObjects(): ObjectDef[] {
  templates ??= [lead(), contact(), account(), opportunity(), user(), group(), setupAuditTrail()].map((def) => {
    for (const f of def.fields.values()) freezeField(f);
    return def;
  });
  return templates.map((def) => ({ ...def, fields: new Map(def.fields) }));
}

/** Objects that can be merged (reference §7.2). */
export const MERGEABLE_OBJECTS: ReadonlySet<string> = new Set(['Lead', 'Contact', 'Account']);
/** Objects whose rows the sObject API may not create, update or delete here (set up by the admin API instead). */
export const READ_ONLY_OBJECTS: ReadonlySet<string> = new Set(['User', 'Group', 'SetupAuditTrail']);
/** Objects only a user with the "View Setup and Configuration" permission can see (to others they do not exist). */
export const SETUP_OBJECTS: ReadonlySet<string> = new Set(['SetupAuditTrail']);
/** Objects with a compound Name computed from FirstName + LastName. */
export const PERSON_NAME_OBJECTS: ReadonlySet<string> = new Set(['Lead', 'Contact', 'User']);
