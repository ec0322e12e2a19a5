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
  return { ...describeHead(view, childRelationships), fields: [...view.fields.values()].map(describeField), ...describeTail(view) };
}

/**
 * The describe's properties before `fields`, in order: the describeGlobal entry's (its `urls` where the entry has
 * them, with the describe's longer list), then those up to `fields`.
 */
function describeHead(view: ObjectDef, childRelationships: Describe[]): Describe {
  const entry = globalEntry(view);
  return {
    ...entry,
    urls: {
      ...(entry.urls as Record<string, string>),
      compactLayouts: `${base}/${view.name}/describe/compactLayouts`,
      approvalLayouts: `${base}/${view.name}/describe/approvalLayouts`,
      uiDetailTemplate: `https://syncsim.my.salesforce.com/{ID}`,
      quickActions: `${base}/${view.name}/quickActions`,
      listviews: `${base}/${view.name}/listviews`,
      layouts: `${base}/${view.name}/describe/layouts`,
    },
    actionOverrides: [],
    childRelationships,
    compactLayoutable: true,
  };
}

/** The describe's properties after `fields`, in order. */
function describeTail(view: ObjectDef): Describe {
  return {
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

// ---------------------------------------------------------------------------- describe texts, cached

/** The JSON text of each field definition's describe: definitions are frozen and shared by orgs (schema.ts). */
const fieldTexts = new WeakMap<FieldDef, string>();
/** A number per field definition, for the describe cache's keys (one definition, one number, in every org). */
const fieldNumbers = new WeakMap<FieldDef, number>();
let nextFieldNumber = 0;
/** Describe texts by everything they are made of (see describeText); cleared when full. */
const describeTexts = new Map<string, string>();
const DESCRIBE_TEXTS_KEPT = 256;
const textStats = { built: 0, reused: 0 };

/** How many describe texts were put together and how many answered from the cache (tests and benches). */
export function describeTextStats(): { built: number; reused: number } {
  return { ...textStats };
}

function fieldText(f: FieldDef): string {
  let text = fieldTexts.get(f);
  if (text === undefined) fieldTexts.set(f, (text = JSON.stringify(describeField(f))));
  return text;
}

function fieldNumber(f: FieldDef): number {
  let n = fieldNumbers.get(f);
  if (n === undefined) fieldNumbers.set(f, (n = nextFieldNumber++));
  return n;
}

/**
 * `JSON.stringify(describeObject(view, childRelationships))` with its URLs at API `version`, without building it
 * again for a view seen before, in this org or another (issue 8: a fuzz campaign's orgs, one per run, describe the
 * same ~60 KB Lead every few cycles). The key is everything the text is made of: the version, the object's own
 * properties, its child relationships, and its fields in order, each by its definition (a frozen definition always
 * describes the same, and a read-only view of a field is a definition of its own, field-security.ts). So a
 * permission change, a field added or deleted, or any other change to what the describe would say gives another
 * key. Only a field definition that is not frozen is described afresh, as it could still change.
 */
export function describeText(view: ObjectDef, childRelationships: Describe[], version: string): string {
  // A view never changes once handed out, so its texts are also kept by the view itself (no key to build while the
  // same view is asked again), for as long as the child relationships given with it are the same list.
  let kept = textsByView.get(view);
  if (!kept || kept.children !== childRelationships) textsByView.set(view, (kept = { children: childRelationships, texts: new Map() }));
  let text = kept.texts.get(version);
  if (text !== undefined) textStats.reused++;
  else {
    const made = keyedDescribeText(view, childRelationships, version);
    if (!made.shared) return made.text;
    kept.texts.set(version, (text = made.text));
  }
  return text;
}

const textsByView = new WeakMap<ObjectDef, { children: Describe[]; texts: Map<string, string> }>();

/** describeText through the cache by key; `shared` false when a field is not frozen (described afresh, not kept). */
function keyedDescribeText(view: ObjectDef, childRelationships: Describe[], version: string): { text: string; shared: boolean } {
  let numbers = '';
  for (const f of view.fields.values()) {
    if (!Object.isFrozen(f)) return { text: atVersion(JSON.stringify(describeObject(view, childRelationships)), version), shared: false };
    numbers += `${fieldNumber(f)},`;
  }
  const key = `${JSON.stringify([version, view.name, view.label, view.labelPlural, view.keyPrefix, view.custom])}\n${JSON.stringify(childRelationships)}\n${numbers}`;
  let text = describeTexts.get(key);
  if (text !== undefined) textStats.reused++;
  else {
    textStats.built++;
    if (describeTexts.size >= DESCRIBE_TEXTS_KEPT) describeTexts.clear();
    // JSON.stringify's text of the whole, put together from its parts: head, the fields' own texts, tail.
    const head = JSON.stringify(describeHead(view, childRelationships));
    const tail = JSON.stringify(describeTail(view));
    const fields = Array.from(view.fields.values(), fieldText).join(',');
    text = atVersion(`${head.slice(0, -1)},"fields":[${fields}],${tail.slice(1)}`, version);
    describeTexts.set(key, text);
  }
  return { text, shared: true };
}

/** A describe's JSON text with its URLs re-pointed from DESCRIBE_API_VERSION to `version`. */
export function atVersion(text: string, version: string): string {
  const from = `/services/data/v${DESCRIBE_API_VERSION}/`;
  const to = `/services/data/v${version}/`;
  return from === to ? text : text.split(from).join(to);
}
