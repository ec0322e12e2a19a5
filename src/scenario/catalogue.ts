/**
 * The field names a scenario may use. Salesforce standard fields of Lead,
 * Contact and Account follow reference/salesforce-api.md §5 (what the
 * emulator's standard objects carry); Marketo person fields follow issue 3 §1
 * and reference/marketo.md B. A scenario's own custom fields are added on top
 * (see `FieldCatalogue`).
 *
 * Salesforce resolves field names case-insensitively, so the catalogue does
 * too and hands back the canonical spelling. Marketo REST names are
 * case-sensitive: a wrong case is an unknown field with a suggestion.
 */

export const SALESFORCE_OBJECTS = ['Lead', 'Contact', 'Account'] as const;
export type SalesforceObject = (typeof SALESFORCE_OBJECTS)[number];

/** A coarse type: what kind of YAML scalar the field holds. */
export type CatalogueType = 'text' | 'number' | 'boolean' | 'date' | 'datetime' | 'id';

const AUDIT: Record<string, CatalogueType> = {
  Id: 'id', IsDeleted: 'boolean', MasterRecordId: 'id', OwnerId: 'id',
  CreatedDate: 'datetime', CreatedById: 'id', LastModifiedDate: 'datetime', LastModifiedById: 'id',
  SystemModstamp: 'datetime', LastActivityDate: 'date', LastViewedDate: 'datetime', LastReferencedDate: 'datetime',
};

const t = (names: string, type: CatalogueType): Record<string, CatalogueType> =>
  Object.fromEntries(names.split(/\s+/).filter(Boolean).map((n) => [n, type]));

const LEAD: Record<string, CatalogueType> = {
  ...AUDIT,
  ...t(`FirstName MiddleName Suffix LastName Salutation Name Title Company Street City State PostalCode Country
        GeocodeAccuracy Address Phone MobilePhone Fax Email Website Description LeadSource Status Industry Rating
        Jigsaw JigsawContactId EmailBouncedReason CompanyDunsNumber CleanStatus`, 'text'),
  ...t('Latitude Longitude AnnualRevenue NumberOfEmployees', 'number'),
  ...t('IsConverted IsUnreadByOwner HasOptedOutOfEmail DoNotCall HasOptedOutOfFax', 'boolean'),
  ...t('ConvertedDate', 'date'),
  ...t('EmailBouncedDate', 'datetime'),
  ...t('ConvertedAccountId ConvertedContactId ConvertedOpportunityId IndividualId', 'id'),
};

const CONTACT: Record<string, CatalogueType> = {
  ...AUDIT,
  ...t(`FirstName MiddleName Suffix LastName Salutation Name Title Department AssistantName Email Phone MobilePhone
        Fax HomePhone OtherPhone AssistantPhone MailingStreet MailingCity MailingState MailingPostalCode
        MailingCountry MailingAddress OtherStreet OtherCity OtherState OtherPostalCode OtherCountry OtherAddress
        LeadSource Description Jigsaw EmailBouncedReason CleanStatus`, 'text'),
  ...t('HasOptedOutOfEmail HasOptedOutOfFax DoNotCall', 'boolean'),
  ...t('Birthdate', 'date'),
  ...t('EmailBouncedDate', 'datetime'),
  ...t('AccountId ReportsToId IndividualId', 'id'),
};

const ACCOUNT: Record<string, CatalogueType> = {
  ...AUDIT,
  ...t(`Name Type AccountNumber Site AccountSource BillingStreet BillingCity BillingState BillingPostalCode
        BillingCountry BillingAddress ShippingStreet ShippingCity ShippingState ShippingPostalCode ShippingCountry
        ShippingAddress Phone Fax Website Industry Ownership TickerSymbol Description Rating Sic Jigsaw CleanStatus`,
    'text'),
  ...t('AnnualRevenue NumberOfEmployees', 'number'),
  ...t('ParentId', 'id'),
};

export const SALESFORCE_STANDARD_FIELDS: Record<SalesforceObject, Readonly<Record<string, CatalogueType>>> = {
  Lead: LEAD,
  Contact: CONTACT,
  Account: ACCOUNT,
};

/** Marketo person fields by REST name (issue 3 §1, reference B/A8). */
export const MARKETO_PERSON_FIELDS: Readonly<Record<string, CatalogueType>> = {
  ...t(`email firstName lastName company title phone mobilePhone leadSource leadStatus industry rating address
        city state postalCode country website sfdcType sfdcLeadId sfdcContactId sfdcAccountId sfdcLeadOwnerId`,
    'text'),
  ...t('id annualRevenue numberOfEmployees', 'number'),
  ...t('unsubscribed sfdcIsDeleted', 'boolean'),
  ...t('createdAt updatedAt', 'datetime'),
};

/** Salesforce custom field types a scenario may declare (CustomFieldSpec['type'] in mocks/salesforce/types.ts). */
export const SALESFORCE_CUSTOM_FIELD_TYPES = [
  'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist',
  'boolean', 'int', 'double', 'currency', 'percent', 'date', 'datetime',
] as const;

/** Marketo custom field types (issue 3 §1). */
export const MARKETO_CUSTOM_FIELD_TYPES = [
  'string', 'text', 'email', 'phone', 'url', 'integer', 'float', 'currency', 'boolean', 'date', 'datetime',
] as const;

const SF_TYPE_TO_CATALOGUE: Record<string, CatalogueType> = {
  boolean: 'boolean', int: 'number', double: 'number', currency: 'number', percent: 'number',
  date: 'date', datetime: 'datetime',
};
const MKTO_TYPE_TO_CATALOGUE: Record<string, CatalogueType> = {
  boolean: 'boolean', integer: 'number', float: 'number', currency: 'number', date: 'date', datetime: 'datetime',
};

export function isSalesforceObject(name: string): name is SalesforceObject {
  return (SALESFORCE_OBJECTS as readonly string[]).includes(name);
}

/** One scenario's view: the standard fields plus the custom fields it declares. */
export class FieldCatalogue {
  private readonly sf = new Map<SalesforceObject, Map<string, { name: string; type: CatalogueType }>>();
  private readonly mkto = new Map<string, CatalogueType>();

  constructor() {
    for (const object of SALESFORCE_OBJECTS) {
      const byLower = new Map<string, { name: string; type: CatalogueType }>();
      for (const [name, type] of Object.entries(SALESFORCE_STANDARD_FIELDS[object])) {
        byLower.set(name.toLowerCase(), { name, type });
      }
      this.sf.set(object, byLower);
    }
    for (const [name, type] of Object.entries(MARKETO_PERSON_FIELDS)) this.mkto.set(name, type);
  }

  /**
   * Adds a Salesforce custom field. Custom fields sync into Marketo under the
   * same API name (as Marketo's native sync adds them), so Lead and Contact
   * custom fields also become valid person field names.
   */
  addSalesforceField(object: SalesforceObject, name: string, sfType: string): void {
    const type = SF_TYPE_TO_CATALOGUE[sfType] ?? 'text';
    this.sf.get(object)!.set(name.toLowerCase(), { name, type });
    if (object !== 'Account' && !this.mkto.has(name)) this.mkto.set(name, type);
  }

  addMarketoField(name: string, mktoType: string): void {
    this.mkto.set(name, MKTO_TYPE_TO_CATALOGUE[mktoType] ?? 'text');
  }

  /** The canonical spelling of a Salesforce field, or undefined. */
  salesforceField(object: SalesforceObject, name: string): { name: string; type: CatalogueType } | undefined {
    return this.sf.get(object)!.get(name.toLowerCase());
  }

  salesforceFieldNames(object: SalesforceObject): string[] {
    return [...this.sf.get(object)!.values()].map((f) => f.name);
  }

  marketoField(name: string): { name: string; type: CatalogueType } | undefined {
    const type = this.mkto.get(name);
    return type === undefined ? undefined : { name, type };
  }

  marketoFieldNames(): string[] {
    return [...this.mkto.keys()];
  }
}
