/**
 * The activity log, as Marketo keeps it: an append-only list with
 * increasing ids, typed by the real standard type ids (reference B7), plus
 * custom activity types (ids from 100000, at most 10 types of at most 20
 * attributes, created as a draft and usable once approved).
 */
import type {
  Activity,
  ActivityAttribute,
  ActivityType,
  CustomActivityTypeDef,
  FieldValue,
} from './types.ts';
import { MarketoError } from './types.ts';
import { marketoDatetime } from './values.ts';

export const ACTIVITY = {
  visitWebpage: 1,
  fillOutForm: 2,
  newLead: 12,
  changeDataValue: 13,
  syncLeadToSfdc: 19,
  convertLead: 21,
  changeScore: 22,
  changeOwner: 23,
  sfdcActivity: 26,
  syncLeadUpdatesToSfdc: 28,
  deleteLeadFromSfdc: 29,
  sfdcActivityUpdated: 30,
  sfdcMergeLeads: 31,
  mergeLeads: 32,
  deleteLead: 37,
  pushLeadToMarketo: 145,
} as const;

const s = (name: string, dataType = 'string') => ({ name, dataType });

/** Standard types served by types.json. Attributes are those the emulator writes, plus the common ones. */
export const STANDARD_TYPES: ActivityType[] = [
  { id: 1, name: 'Visit Webpage', description: 'User visits a web page', primaryAttribute: s('Webpage ID', 'integer'), attributes: [s('Client IP Address'), s('Query Parameters'), s('Referrer URL')] },
  { id: 2, name: 'Fill Out Form', description: 'User fills out and submits a form', primaryAttribute: s('Webform ID', 'integer'), attributes: [s('Client IP Address'), s('Form Fields', 'text')] },
  { id: 3, name: 'Click Link', description: 'User clicks a link', primaryAttribute: s('Link ID', 'integer'), attributes: [] },
  { id: 6, name: 'Send Email', description: 'Send an email', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 7, name: 'Email Delivered', description: 'Email is delivered', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 8, name: 'Email Bounced', description: 'Email bounces', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 9, name: 'Unsubscribe Email', description: 'Person unsubscribes', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 10, name: 'Open Email', description: 'Person opens an email', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 11, name: 'Click Email', description: 'Person clicks a link in an email', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 12, name: 'New Lead', description: 'New person', attributes: [s('Source Type'), s('Created Date', 'date'), s('Form Name'), s('List Name'), s('SFDC Type')] },
  { id: 13, name: 'Change Data Value', description: 'Changed attribute value for a person', primaryAttribute: s('Attribute Name', 'integer'), attributes: [s('New Value'), s('Old Value'), s('Reason'), s('Source')] },
  { id: 19, name: 'Sync Lead to SFDC', description: 'Person is synced to SFDC', attributes: [s('Assign To'), s('Reason'), s('Result')] },
  { id: 21, name: 'Convert Lead', description: 'Person is converted in SFDC', attributes: [s('Account ID'), s('Contact ID'), s('Opportunity ID')] },
  { id: 22, name: 'Change Score', description: 'Change a person score', primaryAttribute: s('Scoring Attribute', 'integer'), attributes: [s('Change Value'), s('New Value', 'integer'), s('Old Value', 'integer'), s('Reason')] },
  { id: 23, name: 'Change Owner', description: 'Change the owner of a person', attributes: [s('New SFDC Owner ID'), s('Old SFDC Owner ID')] },
  { id: 24, name: 'Add to List', description: 'Person is added to a list', primaryAttribute: s('List ID', 'integer'), attributes: [] },
  { id: 25, name: 'Remove from List', description: 'Person is removed from a list', primaryAttribute: s('List ID', 'integer'), attributes: [] },
  { id: 26, name: 'SFDC Activity', description: 'SFDC task or event', attributes: [s('Subject')] },
  { id: 27, name: 'Email Bounced Soft', description: 'Email soft-bounces', primaryAttribute: s('Mailing ID', 'integer'), attributes: [] },
  { id: 28, name: 'Sync Lead Updates to SFDC', description: 'Person changes are synced to SFDC', attributes: [s('Reason'), s('Result')] },
  { id: 29, name: 'Delete Lead from SFDC', description: 'Person is deleted from SFDC', attributes: [s('SFDC ID')] },
  { id: 30, name: 'SFDC Activity Updated', description: 'SFDC task or event updated', attributes: [s('Subject')] },
  { id: 31, name: 'SFDC Merge Leads', description: 'Persons merged in SFDC', attributes: [s('Merge IDs')] },
  { id: 32, name: 'Merge Leads', description: 'Persons merged in Marketo', attributes: [s('Merge IDs'), s('Merged in Sales', 'boolean'), s('Master Updated', 'boolean')] },
  { id: 34, name: 'Add to Opportunity', description: 'Person added to an opportunity', attributes: [] },
  { id: 35, name: 'Remove from Opportunity', description: 'Person removed from an opportunity', attributes: [] },
  { id: 36, name: 'Update Opportunity', description: 'Opportunity updated', attributes: [] },
  { id: 37, name: 'Delete Lead', description: 'Person is deleted', attributes: [s('Remove from CRM', 'boolean')] },
  { id: 38, name: 'Send Alert', description: 'Send an alert', attributes: [] },
  { id: 42, name: 'Add to SFDC Campaign', description: 'Person added to an SFDC campaign', attributes: [s('Status')] },
  { id: 43, name: 'Remove from SFDC Campaign', description: 'Person removed from an SFDC campaign', attributes: [] },
  { id: 44, name: 'Change Status in SFDC Campaign', description: 'Campaign member status changed', attributes: [s('New Status'), s('Old Status')] },
  { id: 46, name: 'Interesting Moment', description: 'Interesting moment', attributes: [s('Description')] },
  { id: 47, name: 'Request Campaign', description: 'Campaign requested', attributes: [s('Source')] },
  { id: 100, name: 'Change Lead Partition', description: 'Person moved to another partition', attributes: [] },
  { id: 104, name: 'Change Status in Progression', description: 'Program status changed', attributes: [] },
  { id: 110, name: 'Call Webhook', description: 'Webhook called', attributes: [] },
  { id: 145, name: 'Push Lead to Marketo', description: 'Person pushed through the API', attributes: [s('Source'), s('Reason')] },
  { id: 300, name: 'Sync Lead to Microsoft', description: 'Person is synced to Microsoft', attributes: [] },
];

const CUSTOM_BASE_ID = 100000;
export const MAX_CUSTOM_TYPES = 10;
export const MAX_CUSTOM_ATTRIBUTES = 20;
/** Data types a custom activity attribute may have (DEV-activities). */
export const CUSTOM_ATTRIBUTE_TYPES = ['string', 'text', 'integer', 'float', 'boolean', 'date', 'datetime', 'email', 'phone', 'link', 'currency'];

export interface NewActivity {
  leadId: number;
  activityTypeId: number;
  /** Defaults to the log time. */
  activityDate?: string;
  primaryAttributeValueId?: number;
  primaryAttributeValue?: string | null;
  attributes?: ActivityAttribute[];
  change?: Activity['change'];
}

export class ActivityLog {
  private readonly entries: Activity[] = [];
  private readonly custom = new Map<string, CustomActivityTypeDef>();
  private nextCustomId = CUSTOM_BASE_ID;

  constructor(private readonly now: () => number) {}

  /** The id the next activity will get (ids start at 1 and never skip). */
  get nextId(): number {
    return this.entries.length + 1;
  }

  private lastDate: { at: number; text: string } | undefined;

  /** Now as Marketo prints it; one string shared by the activities of one moment (a batch writes hundreds). */
  private date(): string {
    const at = this.now();
    if (this.lastDate?.at !== at) this.lastDate = { at, text: marketoDatetime(at) };
    return this.lastDate.text;
  }

  append(a: NewActivity): Activity {
    const id = this.nextId;
    const entry: Activity = {
      id,
      marketoGUID: String(id),
      leadId: a.leadId,
      activityDate: a.activityDate ?? this.date(),
      activityTypeId: a.activityTypeId,
      ...(a.primaryAttributeValueId !== undefined ? { primaryAttributeValueId: a.primaryAttributeValueId } : {}),
      ...(a.primaryAttributeValue !== undefined ? { primaryAttributeValue: a.primaryAttributeValue } : {}),
      attributes: a.attributes ?? [],
      ...(a.change ? { change: a.change } : {}),
      loggedAt: this.now(),
    };
    this.entries.push(entry);
    return entry;
  }

  /** The activity with this id (ids are positions + 1). */
  byId(id: number): Activity | undefined {
    return this.entries[id - 1];
  }

  all(): readonly Activity[] {
    return this.entries;
  }

  /** First id logged at or after `ms` (the next id if none): where a date paging token starts. */
  firstIdSince(ms: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid]!.loggedAt < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }

  /** A merge moves the losers' history onto the winner ("activity logs are merged", reference A13). */
  reassign(fromLeadId: number, toLeadId: number): void {
    for (const e of this.entries) if (e.leadId === fromLeadId) e.leadId = toLeadId;
  }

  // ---- types -------------------------------------------------------------

  /** Standard types and the custom types that have an approved version. */
  types(): ActivityType[] {
    const custom = [...this.custom.values()]
      .filter((t) => t.status !== 'draft')
      .map((t) => ({
        id: t.id,
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        primaryAttribute: { name: t.primaryAttribute.name, dataType: t.primaryAttribute.dataType },
        attributes: t.attributes.map((a) => ({ name: a.name, dataType: a.dataType })),
      }));
    return [...STANDARD_TYPES, ...custom];
  }

  isKnownType(id: number): boolean {
    return STANDARD_TYPES.some((t) => t.id === id) || [...this.custom.values()].some((t) => t.id === id);
  }

  customTypes(): CustomActivityTypeDef[] {
    return [...this.custom.values()].map(cloneType);
  }

  customType(apiName: string): CustomActivityTypeDef | undefined {
    const t = this.custom.get(apiName);
    return t ? cloneType(t) : undefined;
  }

  customTypeById(id: number): CustomActivityTypeDef | undefined {
    const t = [...this.custom.values()].find((x) => x.id === id);
    return t ? cloneType(t) : undefined;
  }

  createCustomType(spec: {
    apiName: unknown;
    name: unknown;
    description?: unknown;
    triggerName: unknown;
    filterName: unknown;
    primaryAttribute: unknown;
  }): CustomActivityTypeDef {
    const apiName = requireString(spec.apiName, 'apiName');
    const name = requireString(spec.name, 'name');
    const triggerName = requireString(spec.triggerName, 'triggerName');
    const filterName = requireString(spec.filterName, 'filterName');
    if (spec.primaryAttribute === null || typeof spec.primaryAttribute !== 'object') {
      throw new MarketoError('701', 'primaryAttribute cannot be blank');
    }
    const pa = spec.primaryAttribute as Record<string, unknown>;
    const primaryAttribute = {
      apiName: requireString(pa.apiName, 'primaryAttribute.apiName'),
      name: requireString(pa.name, 'primaryAttribute.name'),
      dataType: attributeType(pa.dataType ?? 'string', 'primaryAttribute.dataType'),
      ...(typeof pa.description === 'string' ? { description: pa.description } : {}),
    };
    if (this.custom.has(apiName)) throw new MarketoError('1017', `Activity type '${apiName}' already exists`);
    for (const t of this.custom.values()) {
      if (t.name === name) throw new MarketoError('1017', `Activity type with name '${name}' already exists`);
    }
    if (this.custom.size >= MAX_CUSTOM_TYPES) {
      throw new MarketoError('1027', `Max custom activity types limit (${MAX_CUSTOM_TYPES}) reached`);
    }
    const at = marketoDatetime(this.now());
    const def: CustomActivityTypeDef = {
      id: this.nextCustomId++,
      apiName,
      name,
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      triggerName,
      filterName,
      primaryAttribute,
      attributes: [],
      status: 'draft',
      createdAt: at,
      updatedAt: at,
    };
    this.custom.set(apiName, def);
    return cloneType(def);
  }

  addCustomAttributes(apiName: string, attrs: unknown): CustomActivityTypeDef {
    const t = this.mustCustom(apiName);
    if (!Array.isArray(attrs) || attrs.length === 0) throw new MarketoError('701', 'attributes cannot be blank');
    const added = attrs.map((raw, i) => {
      if (raw === null || typeof raw !== 'object') throw new MarketoError('1003', `attributes[${i}] must be an object`);
      const a = raw as Record<string, unknown>;
      return {
        apiName: requireString(a.apiName, `attributes[${i}].apiName`),
        name: requireString(a.name, `attributes[${i}].name`),
        dataType: attributeType(a.dataType ?? 'string', `attributes[${i}].dataType`),
        ...(typeof a.description === 'string' ? { description: a.description } : {}),
      };
    });
    for (const a of added) {
      if (a.apiName === t.primaryAttribute.apiName || t.attributes.some((x) => x.apiName === a.apiName)) {
        throw new MarketoError('1017', `Attribute '${a.apiName}' already exists on '${apiName}'`);
      }
    }
    if (t.attributes.length + added.length > MAX_CUSTOM_ATTRIBUTES) {
      throw new MarketoError('1028', `Max attributes limit (${MAX_CUSTOM_ATTRIBUTES}) reached for '${apiName}'`);
    }
    t.attributes.push(...added);
    this.touchDraft(t);
    return cloneType(t);
  }

  approveCustomType(apiName: string): CustomActivityTypeDef {
    const t = this.mustCustom(apiName);
    if (t.status === 'approved') throw new MarketoError('709', `Activity type '${apiName}' has no draft to approve`);
    t.status = 'approved';
    t.updatedAt = marketoDatetime(this.now());
    return cloneType(t);
  }

  private touchDraft(t: CustomActivityTypeDef): void {
    if (t.status === 'approved') t.status = 'approved with draft';
    t.updatedAt = marketoDatetime(this.now());
  }

  private mustCustom(apiName: string): CustomActivityTypeDef {
    const t = this.custom.get(apiName);
    if (!t) throw new MarketoError('1013', `Activity type '${apiName}' not found`);
    return t;
  }
}

function cloneType(t: CustomActivityTypeDef): CustomActivityTypeDef {
  return { ...t, primaryAttribute: { ...t.primaryAttribute }, attributes: t.attributes.map((a) => ({ ...a })) };
}

function requireString(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.trim() === '') throw new MarketoError('701', `${what} cannot be blank`);
  return v.trim();
}

function attributeType(v: unknown, what: string): string {
  if (typeof v !== 'string' || !CUSTOM_ATTRIBUTE_TYPES.includes(v)) {
    throw new MarketoError('1003', `Invalid ${what} '${String(v)}': one of ${CUSTOM_ATTRIBUTE_TYPES.join(', ')}`);
  }
  return v;
}

/** An attribute value for a custom activity, checked loosely against its data type. */
export function checkAttributeValue(dataType: string, v: unknown): FieldValue | undefined {
  if (v === null || v === undefined) return null;
  switch (dataType) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : undefined;
    case 'float':
    case 'currency':
      return typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
    case 'boolean':
      return typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : undefined;
    default:
      return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
  }
}
