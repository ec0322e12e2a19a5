/**
 * The public contract of the Marketo emulator: the instance model
 * (instance.ts and its small modules) owns all state; the HTTP handlers
 * (handlers/) are thin Request → Response layers over it.
 *
 * Values inside the instance are *REST values*: exactly the JSON Marketo's
 * REST API returns for the field. Text is a string (blank is null, never ""),
 * integer/float/currency are numbers, booleans are booleans, a date is
 * 'YYYY-MM-DD', a datetime is 'YYYY-MM-DDTHH:mm:ssZ' (UTC, second precision,
 * as Marketo writes it).
 */

/** Marketo's REST data types for person fields. */
export type FieldDataType =
  | 'string' | 'text' | 'email' | 'phone' | 'url'
  | 'integer' | 'float' | 'currency' | 'boolean' | 'date' | 'datetime';

export type FieldValue = string | number | boolean | null;

export interface FieldDef {
  /** Describe id (stable per instance; custom fields continue the sequence). */
  id: number;
  /** REST API name, e.g. `firstName`; look-ups by name are case-insensitive. */
  name: string;
  displayName: string;
  dataType: FieldDataType;
  /** Maximum length in characters for text types; undefined for other types. */
  length?: number;
  /** Not writable through the REST API. */
  readOnly: boolean;
  custom: boolean;
  /** Usable as `filterType` in GET leads.json and as `lookupField` in POST leads.json. */
  searchable: boolean;
  /** Restricts a string field to these values (null is always allowed). */
  allowedValues?: readonly string[];
}

/** Custom field spec for `addField` (admin) and POST leads/schema/fields.json. */
export interface CustomFieldSpec {
  name: string;
  dataType: FieldDataType;
  displayName?: string;
  length?: number;
  readOnly?: boolean;
  /** Defaults to true for string/email/integer/phone/url, false otherwise. */
  searchable?: boolean;
}

/**
 * A person (lead) as the REST API shows it. Standard fields are listed; custom
 * fields appear under their REST names.
 */
export interface Person {
  id: number;
  createdAt: string;
  updatedAt: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  company?: string | null;
  sfdcType?: 'Lead' | 'Contact' | null;
  sfdcLeadId?: string | null;
  sfdcContactId?: string | null;
  sfdcAccountId?: string | null;
  sfdcLeadOwnerId?: string | null;
  sfdcIsDeleted?: boolean | null;
  [field: string]: FieldValue | undefined;
}

/** Fields as a caller writes them (REST names, any case). */
export type PersonInput = Record<string, unknown>;

/**
 * Who made a change. It ends up in the Change Data Value activity's
 * Reason/Source attributes. Any other string is written as given.
 */
export type ChangeSource = 'user' | 'form' | 'api' | 'sfdc' | 'merge' | 'system' | (string & {});

export interface ChangeOptions {
  source?: ChangeSource;
  /** Overrides the Reason attribute (defaults from `source`). */
  reason?: string;
}

/** One entry of Marketo's `attributes` arrays. */
export interface ActivityAttribute {
  name: string;
  value: FieldValue;
  /** Custom activity attributes carry their API name too. */
  apiName?: string;
}

export interface Activity {
  id: number;
  marketoGUID: string;
  leadId: number;
  activityDate: string;
  activityTypeId: number;
  primaryAttributeValueId?: number;
  primaryAttributeValue?: string | null;
  attributes: ActivityAttribute[];
  /** Change Data Value (13) only: the field changed, for leadchanges.json. */
  change?: { fieldId: number; name: string; oldValue: FieldValue; newValue: FieldValue };
  /** Instance time (ms) when the activity entered the log; paging tokens by date use it. */
  loggedAt: number;
}

export interface ActivityAttributeType {
  name: string;
  dataType: string;
  apiName?: string;
  description?: string;
}

export interface ActivityType {
  id: number;
  name: string;
  description?: string;
  primaryAttribute?: ActivityAttributeType;
  attributes: ActivityAttributeType[];
}

export type CustomActivityStatus = 'draft' | 'approved' | 'approved with draft';

export interface CustomActivityTypeDef {
  id: number;
  apiName: string;
  name: string;
  description?: string;
  triggerName: string;
  filterName: string;
  primaryAttribute: { apiName: string; name: string; description?: string; dataType: string };
  attributes: Array<{ apiName: string; name: string; description?: string; dataType: string }>;
  status: CustomActivityStatus;
  createdAt: string;
  updatedAt: string;
}

/** A record-level reason, as in `result[i].reasons` (codes are strings). */
export interface Reason {
  code: string;
  message: string;
}

export type SyncAction = 'createOrUpdate' | 'createOnly' | 'updateOnly' | 'createDuplicate';

export type SyncResult =
  | { id: number; status: 'created' | 'updated' }
  | { id?: number; status: 'skipped'; reasons: Reason[] };

export interface RequestLogEntry {
  seq: number;
  at: string;
  method: string;
  path: string;
  /** e.g. 'identity', 'getLeads', 'syncLeads', 'getActivities'; 'unknown' for a 610. */
  operation: string;
  /** Fields named for reading (`fields=`, filterType, leadchanges fields). */
  fieldsRead: string[];
  /** Fields named in a write body. */
  fieldsWritten: string[];
  /** HTTP status (200 for Marketo's success:false answers). */
  status: number;
  /** The envelope's `success` (false for HTTP-level failures too). */
  success: boolean;
  /** Response-level codes, then record-level reason codes, as strings. */
  errorCodes: string[];
  /** Number of records in a batch request or answer. */
  records?: number;
}

/**
 * A client's mistake or a refusal, as Marketo reports it. Thrown by the
 * instance's in-process API for bad values (with the record-level code), and
 * by the HTTP layer for response-level errors.
 */
export class MarketoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = `MarketoError ${code}`;
  }
}
