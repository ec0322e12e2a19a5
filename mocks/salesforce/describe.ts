/**
 * describe / describeGlobal in the shape jsforce types them
 * (DescribeSObjectResult, DescribeGlobalSObjectResult, Field: reference
 * §2.2), computed from one user's view of an object. URLs carry a fixed API
 * version, v59.0: the HTTP layer serves every version from the same model.
 */
import { MERGEABLE_OBJECTS, READ_ONLY_OBJECTS, SETUP_OBJECTS } from './standard-objects.ts';
import type { Describe, FieldDef, ObjectDef } from './types.ts';

export const DESCRIBE_API_VERSION = '59.0';
const base = `/services/data/v${DESCRIBE_API_VERSION}/sobjects`;

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string',
  phone: 'xsd:string', url: 'xsd:string', picklist: 'xsd:string', multipicklist: 'xsd:string', boolean: 'xsd:boolean',
  int: 'xsd:int', double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double', date: 'xsd:date',
  datetime: 'xsd:dateTime', address: 'urn:address',
};

export function globalEntry(object: ObjectDef): Describe {
  const writable = !READ_ONLY_OBJECTS.has(object.name);
  // SetupAuditTrail: query() and retrieve() only (object reference); no layouts, search, triggers or replication.
  const setup = SETUP_OBJECTS.has(object.name);
  return {
    activateable: false,
    createable: writable,
    custom: object.custom,
    customSetting: false,
    dataTranslationEnabled: false,
    deepCloneable: false,
    deletable: writable,
    deprecatedAndHidden: false,
    feedEnabled: false,
    hasSubtypes: false,
    idEnabled: true,
    isInterface: false,
    isSubtype: false,
    keyPrefix: object.keyPrefix,
    label: object.label,
    labelPlural: object.labelPlural,
    layoutable: !setup,
    mergeable: MERGEABLE_OBJECTS.has(object.name),
    mruEnabled: !setup,
    name: object.name,
    queryable: true,
    replicateable: !setup,
    retrieveable: true,
    searchable: !setup,
    triggerable: !setup,
    undeletable: writable,
    updateable: writable,
    urls: {
      rowTemplate: `${base}/${object.name}/{ID}`,
      defaultValues: `${base}/${object.name}/defaultValues?recordTypeId&fields`,
      describe: `${base}/${object.name}/describe`,
      sobject: `${base}/${object.name}`,
    },
  };
}

export function describeGlobal(objects: ObjectDef[]): Describe {
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects: objects.map(globalEntry) };
}

/** describe(object) for the object as one user sees it (hidden fields already removed, read-only ones flagged). */
export function describeObject(view: ObjectDef, childRelationships: Describe[] = []): Describe {
  const entry = globalEntry(view);
  return {
    ...entry,
    actionOverrides: [],
    childRelationships,
    compactLayoutable: true,
    fields: [...view.fields.values()].map(describeField),
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [
      {
        active: true,
        available: true,
        defaultRecordTypeMapping: true,
        developerName: 'Master',
        master: true,
        name: 'Master',
        recordTypeId: '012000000000000AAA',
        urls: { layout: `${base}/${view.name}/describe/layouts/012000000000000AAA` },
      },
    ],
    searchLayoutable: true,
    supportedScopes: [{ label: 'All ' + view.labelPlural.toLowerCase(), name: 'everything' }],
    urls: {
      ...(entry.urls as Record<string, string>),
      compactLayouts: `${base}/${view.name}/describe/compactLayouts`,
      approvalLayouts: `${base}/${view.name}/describe/approvalLayouts`,
      uiDetailTemplate: `https://syncsim.my.salesforce.com/{ID}`,
      quickActions: `${base}/${view.name}/quickActions`,
      listviews: `${base}/${view.name}/listviews`,
      layouts: `${base}/${view.name}/describe/layouts`,
    },
  };
}

export function describeField(f: FieldDef): Describe {
  const text = f.length > 0;
  return {
    aggregatable: f.type !== 'textarea' && f.type !== 'boolean',
    aiPredictionField: false,
    autoNumber: false,
    byteLength: text ? f.length * 3 : 0,
    calculated: f.calculated,
    calculatedFormula: null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable,
    custom: f.custom,
    defaultValue: f.type === 'boolean' ? f.defaultValue : null,
    defaultValueFormula: f.type !== 'boolean' && f.type !== 'picklist' && f.defaultValue !== null ? JSON.stringify(f.defaultValue) : null,
    defaultedOnCreate: f.defaultedOnCreate,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.digits,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId,
    extraTypeInfo: f.type === 'textarea' ? 'plaintextarea' : null,
    filterable: f.filterable,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: f.type !== 'textarea' && f.type !== 'double' && f.type !== 'currency' && f.type !== 'percent' && f.type !== 'datetime',
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.idLookup,
    inlineHelpText: null,
    label: f.label,
    length: f.length,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.name === 'Name',
    namePointing: f.referenceTo.length > 1,
    nillable: f.nillable,
    permissionable: f.nillable && f.name !== 'Id' && (f.createable || f.updateable),
    picklistValues: f.picklistValues.map((p) => ({ ...p })),
    polymorphicForeignKey: f.referenceTo.length > 1,
    precision: f.precision,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: [...f.referenceTo],
    relationshipName: f.relationshipName,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: f.restrictedPicklist,
    scale: f.scale,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[f.type] ?? 'xsd:string',
    sortable: f.sortable,
    type: f.type,
    unique: f.unique,
    updateable: f.updateable,
    writeRequiresMasterRead: false,
  };
}
