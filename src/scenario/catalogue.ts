/**
 * The field names a scenario may use: exactly the standard fields the
 * emulators have (mocks/salesforce/standard-objects.ts for Lead, Contact and
 * Account; mocks/marketo/fields.ts for people), so a scenario cannot name a
 * field that would only fail at run time. A scenario's own custom fields
 * are added on top (see `FieldCatalogue`).
 *
 * Salesforce resolves field names case-insensitively, and so does the
 * Marketo emulator; the catalogue does too and hands back the canonical
 * spelling, so a runner and the writer see one name per field.
 */
import { Schema as MarketoSchema } from '../../mocks/marketo/fields.ts';
import { standardObjects } from '../../mocks/salesforce/standard-objects.ts';

export const SALESFORCE_OBJECTS = ['Lead', 'Contact', 'Account'] as const;
export type SalesforceObject = (typeof SALESFORCE_OBJECTS)[number];

/** A coarse type: what kind of YAML scalar the field holds. */
export type CatalogueType = 'text' | 'number' | 'boolean' | 'date' | 'datetime';

const SF_TYPE_TO_CATALOGUE: Record<string, CatalogueType> = {
  boolean: 'boolean', int: 'number', double: 'number', currency: 'number', percent: 'number',
  date: 'date', datetime: 'datetime',
};
const MKTO_TYPE_TO_CATALOGUE: Record<string, CatalogueType> = {
  boolean: 'boolean', integer: 'number', float: 'number', currency: 'number', date: 'date', datetime: 'datetime',
};

function standardSalesforceFields(): Record<SalesforceObject, Readonly<Record<string, CatalogueType>>> {
  const out = { Lead: {}, Contact: {}, Account: {} } as Record<SalesforceObject, Record<string, CatalogueType>>;
  for (const def of standardObjects()) {
    if (!isSalesforceObject(def.name)) continue;
    for (const field of def.fields.values()) out[def.name][field.name] = SF_TYPE_TO_CATALOGUE[field.type] ?? 'text';
  }
  return out;
}

/** Standard fields of Lead, Contact and Account by canonical name, as the Salesforce emulator defines them. */
export const SALESFORCE_STANDARD_FIELDS = standardSalesforceFields();

/** Marketo person fields by REST name, as the Marketo emulator defines them. */
export const MARKETO_PERSON_FIELDS: Readonly<Record<string, CatalogueType>> = Object.fromEntries(
  new MarketoSchema().all().map((f) => [f.name, MKTO_TYPE_TO_CATALOGUE[f.dataType] ?? 'text']),
);

/** Salesforce custom field types a scenario may declare (CustomFieldSpec['type'] in mocks/salesforce/types.ts). */
export const SALESFORCE_CUSTOM_FIELD_TYPES = [
  'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist',
  'boolean', 'int', 'double', 'currency', 'percent', 'date', 'datetime',
] as const;

/** Marketo custom field types (issue 3 §1). */
export const MARKETO_CUSTOM_FIELD_TYPES = [
  'string', 'text', 'email', 'phone', 'url', 'integer', 'float', 'currency', 'boolean', 'date', 'datetime',
] as const;

/** The Marketo type a Salesforce custom field arrives as when it is mirrored onto people. */
export const MARKETO_TYPE_OF_SALESFORCE_TYPE: Record<(typeof SALESFORCE_CUSTOM_FIELD_TYPES)[number], (typeof MARKETO_CUSTOM_FIELD_TYPES)[number]> = {
  string: 'string', textarea: 'text', email: 'email', phone: 'phone', url: 'url', picklist: 'string',
  multipicklist: 'text', boolean: 'boolean', int: 'integer', double: 'float', currency: 'currency',
  percent: 'float', date: 'date', datetime: 'datetime',
};

/**
 * The Marketo custom fields a world must add for a scenario's Salesforce
 * custom fields: as in Marketo's native sync, a Lead or Contact custom field
 * appears on people under the same API name (the engine pairs `__c` fields
 * by name). Fields the scenario already declares under `marketo.fields` are
 * left out.
 */
export function mirroredMarketoFields(
  salesforceFields: ReadonlyArray<{ object: SalesforceObject; name: string; type: (typeof SALESFORCE_CUSTOM_FIELD_TYPES)[number] }>,
  marketoFields: ReadonlyArray<{ name: string }> = [],
): Array<{ name: string; type: (typeof MARKETO_CUSTOM_FIELD_TYPES)[number] }> {
  const seen = new Set(marketoFields.map((f) => f.name.toLowerCase()));
  const out: Array<{ name: string; type: (typeof MARKETO_CUSTOM_FIELD_TYPES)[number] }> = [];
  for (const f of salesforceFields) {
    if (f.object === 'Account' || seen.has(f.name.toLowerCase())) continue;
    seen.add(f.name.toLowerCase());
    out.push({ name: f.name, type: MARKETO_TYPE_OF_SALESFORCE_TYPE[f.type] });
  }
  return out;
}

export function isSalesforceObject(name: string): name is SalesforceObject {
  return (SALESFORCE_OBJECTS as readonly string[]).includes(name);
}

/** One scenario's view: the standard fields plus the custom fields it declares. */
export class FieldCatalogue {
  private readonly sf = new Map<SalesforceObject, Map<string, { name: string; type: CatalogueType }>>();
  /** Keyed by lower-case name. */
  private readonly mkto = new Map<string, { name: string; type: CatalogueType }>();

  constructor() {
    for (const object of SALESFORCE_OBJECTS) {
      const byLower = new Map<string, { name: string; type: CatalogueType }>();
      for (const [name, type] of Object.entries(SALESFORCE_STANDARD_FIELDS[object])) {
        byLower.set(name.toLowerCase(), { name, type });
      }
      this.sf.set(object, byLower);
    }
    for (const [name, type] of Object.entries(MARKETO_PERSON_FIELDS)) this.mkto.set(name.toLowerCase(), { name, type });
  }

  /**
   * Adds a Salesforce custom field. Custom fields sync into Marketo under the
   * same API name (as Marketo's native sync adds them), so Lead and Contact
   * custom fields also become valid person field names.
   */
  addSalesforceField(object: SalesforceObject, name: string, sfType: string): void {
    const type = SF_TYPE_TO_CATALOGUE[sfType] ?? 'text';
    this.sf.get(object)!.set(name.toLowerCase(), { name, type });
    if (object !== 'Account' && !this.mkto.has(name.toLowerCase())) this.mkto.set(name.toLowerCase(), { name, type });
  }

  addMarketoField(name: string, mktoType: string): void {
    this.mkto.set(name.toLowerCase(), { name, type: MKTO_TYPE_TO_CATALOGUE[mktoType] ?? 'text' });
  }

  /** The canonical spelling of a Salesforce field, or undefined. */
  salesforceField(object: SalesforceObject, name: string): { name: string; type: CatalogueType } | undefined {
    return this.sf.get(object)!.get(name.toLowerCase());
  }

  salesforceFieldNames(object: SalesforceObject): string[] {
    return [...this.sf.get(object)!.values()].map((f) => f.name);
  }

  /** The canonical spelling of a person field, or undefined. */
  marketoField(name: string): { name: string; type: CatalogueType } | undefined {
    return this.mkto.get(name.toLowerCase());
  }

  marketoFieldNames(): string[] {
    return [...this.mkto.values()].map((f) => f.name);
  }
}
