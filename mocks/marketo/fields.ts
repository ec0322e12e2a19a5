/**
 * The person schema: Marketo's standard lead fields under their REST names,
 * plus custom fields added by an admin.
 *
 * The sync fields (sfdcType, sfdcLeadId, sfdcContactId, sfdcAccountId,
 * sfdcLeadOwnerId, sfdcIsDeleted) are read-only in a real instance whose
 * native Salesforce sync is enabled. This emulator models an instance where
 * the native CRM sync is NOT enabled, so an external sync engine keeps the
 * links on the person: they are writable through POST /rest/v1/leads.json,
 * and sfdcLeadId/sfdcContactId/sfdcAccountId/sfdcLeadOwnerId work as
 * lookupField and filterType (reference A8 lists them as dedupe keys).
 */
import type { CustomFieldSpec, FieldDataType, FieldDef } from './types.ts';
import { MarketoError } from './types.ts';

const TEXT_LENGTH = 255;
const LONG_TEXT_LENGTH = 65535;

type Std = [name: string, displayName: string, dataType: FieldDataType, extra?: Partial<FieldDef>];

const STANDARD: Std[] = [
  ['id', 'Id', 'integer', { readOnly: true, searchable: true }],
  ['email', 'Email Address', 'email', { searchable: true }],
  ['firstName', 'First Name', 'string'],
  ['lastName', 'Last Name', 'string'],
  ['company', 'Company Name', 'string'],
  ['title', 'Job Title', 'string'],
  ['phone', 'Phone Number', 'phone'],
  ['mobilePhone', 'Mobile Phone Number', 'phone'],
  ['leadSource', 'Person Source', 'string'],
  ['leadStatus', 'Person Status', 'string'],
  ['industry', 'Industry', 'string'],
  ['rating', 'Person Rating', 'string'],
  ['annualRevenue', 'Annual Revenue', 'currency'],
  ['numberOfEmployees', 'Num Employees', 'integer'],
  ['address', 'Address', 'text', { length: LONG_TEXT_LENGTH }],
  ['city', 'City', 'string'],
  ['state', 'State', 'string'],
  ['postalCode', 'Postal Code', 'string'],
  ['country', 'Country', 'string'],
  ['website', 'Website', 'url'],
  ['unsubscribed', 'Unsubscribed', 'boolean'],
  ['createdAt', 'Created At', 'datetime', { readOnly: true }],
  ['updatedAt', 'Updated At', 'datetime', { readOnly: true }],
  ['sfdcType', 'SFDC Type', 'string', { allowedValues: ['Lead', 'Contact'] }],
  ['sfdcLeadId', 'SFDC Lead ID', 'string', { length: 18, searchable: true }],
  ['sfdcContactId', 'SFDC Contact ID', 'string', { length: 18, searchable: true }],
  ['sfdcAccountId', 'SFDC Account ID', 'string', { length: 18, searchable: true }],
  ['sfdcLeadOwnerId', 'SFDC Lead Owner ID', 'string', { length: 18, searchable: true }],
  ['sfdcIsDeleted', 'SFDC Is Deleted', 'boolean'],
];

const TEXT_TYPES = new Set<FieldDataType>(['string', 'text', 'email', 'phone', 'url']);
export const DATA_TYPES: readonly FieldDataType[] = [
  'string', 'text', 'email', 'phone', 'url', 'integer', 'float', 'currency', 'boolean', 'date', 'datetime',
];
const SEARCHABLE_BY_DEFAULT = new Set<FieldDataType>(['string', 'email', 'integer', 'phone', 'url']);

export function isTextType(t: FieldDataType): boolean {
  return TEXT_TYPES.has(t);
}

/** The fields GET leads.json returns when `fields` is not given (reference B4). */
export const DEFAULT_READ_FIELDS = ['id', 'updatedAt', 'lastName', 'email', 'createdAt', 'firstName'];

export class Schema {
  private readonly byLower = new Map<string, FieldDef>();
  private nextId = 1;

  constructor() {
    for (const [name, displayName, dataType, extra] of STANDARD) {
      this.put({
        id: this.nextId++,
        name,
        displayName,
        dataType,
        length: isTextType(dataType) ? TEXT_LENGTH : undefined,
        readOnly: false,
        custom: false,
        searchable: false,
        ...extra,
      });
    }
    // Leave room so custom field ids look like a real instance's.
    this.nextId = 1000;
  }

  private put(def: FieldDef): void {
    this.byLower.set(def.name.toLowerCase(), def);
  }

  /** The field by REST name, case-insensitive. */
  get(name: string): FieldDef | undefined {
    return this.byLower.get(name.toLowerCase());
  }

  all(): FieldDef[] {
    return [...this.byLower.values()];
  }

  add(spec: CustomFieldSpec): FieldDef {
    const name = typeof spec.name === 'string' ? spec.name.trim() : '';
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new MarketoError('1003', `Invalid field name '${String(spec.name)}': use letters, digits and _ starting with a letter`);
    }
    if (this.get(name)) throw new MarketoError('1017', `Field '${name}' already exists`);
    if (!DATA_TYPES.includes(spec.dataType)) {
      throw new MarketoError('1003', `Invalid dataType '${String(spec.dataType)}' for field '${name}': one of ${DATA_TYPES.join(', ')}`);
    }
    let length: number | undefined;
    if (isTextType(spec.dataType)) {
      const max = spec.dataType === 'text' ? LONG_TEXT_LENGTH : TEXT_LENGTH;
      length = spec.length ?? max;
      if (!Number.isInteger(length) || length < 1 || length > max) {
        throw new MarketoError('1003', `Invalid length ${String(spec.length)} for field '${name}': 1 to ${max}`);
      }
    }
    const def: FieldDef = {
      id: this.nextId++,
      name,
      displayName: spec.displayName ?? name,
      dataType: spec.dataType,
      length,
      readOnly: spec.readOnly ?? false,
      custom: true,
      searchable: spec.searchable ?? SEARCHABLE_BY_DEFAULT.has(spec.dataType),
    };
    this.put(def);
    return def;
  }
}
