/**
 * Which fields sync (DESIGN §1.5, §1.6, §4 "Field set").
 *
 * One table of standard field pairs (issue 4 §2), plus every custom `__c`
 * field present on both sides under the same API name (Marketo keeps a
 * Salesforce field's API name when the sync creates it). The result is
 * intersected with what the sync user can read in describe; writes go only to
 * fields it can create or update.
 */
import { kindOfMarketoType, kindOfSfType, kindsCompatible } from './normalize.ts';
import type { MappedField, SfObject } from './types.ts';

/** Salesforce field ↔ Marketo field. Fields an object lacks (Contact.Company) drop out at describe time. */
export const STANDARD_FIELD_PAIRS: ReadonlyArray<readonly [sf: string, mkto: string]> = [
  ['FirstName', 'firstName'],
  ['LastName', 'lastName'],
  ['Email', 'email'],
  ['Company', 'company'],
  ['Title', 'title'],
  ['Phone', 'phone'],
  ['MobilePhone', 'mobilePhone'],
  ['LeadSource', 'leadSource'],
  ['Status', 'leadStatus'],
  ['Industry', 'industry'],
  ['Rating', 'rating'],
  ['AnnualRevenue', 'annualRevenue'],
  ['NumberOfEmployees', 'numberOfEmployees'],
  ['Street', 'address'],
  ['City', 'city'],
  ['State', 'state'],
  ['PostalCode', 'postalCode'],
  ['Country', 'country'],
  ['Website', 'website'],
  ['HasOptedOutOfEmail', 'unsubscribed'],
];

/** The Marketo fields that hold the link; the engine writes them, users' edits to them are not synced. */
export const LINK_FIELDS = ['sfdcType', 'sfdcLeadId', 'sfdcContactId', 'sfdcAccountId', 'sfdcIsDeleted'] as const;

/** A Salesforce describe field, as much of it as the engine reads. */
export interface SfFieldInfo {
  name: string;
  type: string;
  custom?: boolean;
  createable?: boolean;
  updateable?: boolean;
  calculated?: boolean;
}

/** A Marketo describe field (REST name and data type). */
export interface MarketoFieldInfo {
  name: string;
  dataType: string;
  readOnly?: boolean;
}

/**
 * The synced fields of one object. `sfFields` must be the describe **as the
 * sync user** (hidden fields are absent, read-only ones have updateable=false).
 */
export function resolveFieldSet(object: SfObject, sfFields: readonly SfFieldInfo[], mktoFields: readonly MarketoFieldInfo[]): MappedField[] {
  const sfByName = new Map(sfFields.map((f) => [f.name.toLowerCase(), f]));
  const mkByName = new Map(mktoFields.map((f) => [f.name.toLowerCase(), f]));
  const out: MappedField[] = [];
  const seen = new Set<string>();
  const add = (sf: SfFieldInfo, mk: MarketoFieldInfo) => {
    const sfKind = kindOfSfType(sf.type);
    const mkKind = kindOfMarketoType(mk.dataType);
    if (!kindsCompatible(sfKind, mkKind)) return;
    if (seen.has(sf.name.toLowerCase())) return;
    seen.add(sf.name.toLowerCase());
    const calculated = sf.calculated === true;
    out.push({
      sf: sf.name,
      mkto: mk.name,
      kind: sfKind,
      createable: sf.createable !== false && !calculated,
      updateable: sf.updateable !== false && !calculated,
      mktoWritable: mk.readOnly !== true,
    });
  };
  for (const [sfName, mkName] of STANDARD_FIELD_PAIRS) {
    const sf = sfByName.get(sfName.toLowerCase());
    const mk = mkByName.get(mkName.toLowerCase());
    if (sf && mk) add(sf, mk);
  }
  for (const sf of sfFields) {
    if (!/__c$/i.test(sf.name)) continue;
    const mk = mkByName.get(sf.name.toLowerCase());
    if (mk) add(sf, mk);
  }
  void object;
  return out;
}

/** Describe fields the engine reads besides the mapped ones, per object (only those the sync user can see are asked for). */
export const SYSTEM_FIELDS: Record<SfObject, readonly string[]> = {
  Lead: ['Id', 'IsDeleted', 'SystemModstamp', 'MasterRecordId', 'IsConverted', 'ConvertedContactId', 'ConvertedAccountId', 'CreatedById', 'CreatedDate'],
  Contact: ['Id', 'IsDeleted', 'SystemModstamp', 'MasterRecordId', 'AccountId', 'CreatedById', 'CreatedDate'],
};
