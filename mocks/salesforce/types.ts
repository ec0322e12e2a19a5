/**
 * The contract between the parts of the Salesforce emulator:
 *   org model (org.ts and friends)  ← the only owner of state
 *   SOQL engine (soql/)             ← reads through QueryContext
 *   HTTP handlers (handlers/)       ← thin Request → Response over the Org
 * Keep this file free of logic.
 *
 * Values inside the org are *API values*: exactly the JSON the REST API
 * returns for the field. Text/email/phone/url/picklist/id/reference are
 * strings, blank text is null (never ""), numbers are numbers, booleans are
 * booleans, a date is 'YYYY-MM-DD', a datetime is
 * 'YYYY-MM-DDTHH:mm:ss.SSS+0000' (fixed width, UTC, so string order is time
 * order). Field names are stored in their canonical (describe) spelling;
 * look-ups by name are case-insensitive, as in Salesforce.
 */

export type FieldType =
  | 'id' | 'string' | 'textarea' | 'email' | 'phone' | 'url' | 'picklist' | 'multipicklist'
  | 'boolean' | 'int' | 'double' | 'currency' | 'percent' | 'date' | 'datetime' | 'reference' | 'address';

export type SfValue = string | number | boolean | null;
export type SfRecord = Record<string, SfValue>;

export interface PicklistEntry {
  active: boolean;
  defaultValue: boolean;
  label: string;
  validFor: null;
  value: string;
}

export interface FieldDef {
  name: string;
  label: string;
  type: FieldType;
  /** Text length in characters (0 for non-text). */
  length: number;
  precision: number;
  scale: number;
  digits: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  custom: boolean;
  calculated: boolean;
  externalId: boolean;
  unique: boolean;
  idLookup: boolean;
  filterable: boolean;
  sortable: boolean;
  picklistValues: PicklistEntry[];
  restrictedPicklist: boolean;
  referenceTo: string[];
  relationshipName: string | null;
  /** Value given on create when the caller leaves the field out (API value). */
  defaultValue: SfValue;
}

export interface ObjectDef {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  /** Keyed by lower-case field name. */
  fields: Map<string, FieldDef>;
}

/** A user's access to one field: hidden, read-only, or read/write (field-level security). */
export type Access = 'none' | 'read' | 'edit';

/** One error as Salesforce reports it for one record. HTTP turns `statusCode` into `errorCode` for single-record calls. */
export interface SaveError {
  statusCode: string;
  message: string;
  fields: string[];
}

export type SaveResult =
  | { success: true; id: string; created?: boolean }
  | { success: false; id?: string; errors: SaveError[] };

/** Thrown by the org for request-level failures (not per record): the HTTP layer answers `status` with `[{message, errorCode, fields?}]`. */
export class SalesforceError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
    readonly status = 400,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = errorCode;
  }
}

export interface SfUser {
  id: string;
  username: string;
  password: string;
  name: string;
  /** Default access for fields not listed in `fieldAccess` (the profile). */
  defaultAccess: Access;
  /** The "View Setup and Configuration" user permission: without it SetupAuditTrail does not exist for the user. */
  viewSetup?: boolean;
}

/** What the SOQL engine may see: one user's view of the org. */
export interface QueryContext {
  /** The object as this user sees it (hidden fields absent); undefined when there is no such object. */
  object(name: string): ObjectDef | undefined;
  /** This user's access to a field (canonical names). */
  access(object: string, field: string): Access;
  /**
   * Records of an object. `includeDeleted` adds recycle-bin rows (queryAll).
   * With `modstamp`, only rows whose SystemModstamp satisfies `op value`,
   * in SystemModstamp order, at a cost proportional to the rows returned.
   */
  scan(object: string, opts: { includeDeleted: boolean; modstamp?: { op: '>' | '>='; value: string } }): Iterable<SfRecord>;
  /** One record by id (18 characters), for parent relationships like Owner.Name. */
  get(id: string): { object: string; record: SfRecord } | undefined;
  /** Virtual now in ms, for TODAY / LAST_N_DAYS:n. */
  now(): number;
}

export interface RequestLogEntry {
  seq: number;
  at: string;
  user: string | null;
  method: string;
  path: string;
  /** e.g. 'query', 'create', 'update', 'describe', 'login'. */
  operation: string;
  object?: string;
  /** Fields named by the request for reading (SELECT list, retrieve fields) in canonical spelling where known. */
  fieldsRead: string[];
  /** Fields named in a write body. */
  fieldsWritten: string[];
  status: number;
  errorCodes: string[];
  /** Number of records in a collection request. */
  records?: number;
  /** A subrequest of a composite call (the call itself is logged only when refused as a whole). */
  composite?: boolean;
}

export interface CustomFieldSpec {
  object: string;
  /** Must end in __c. */
  name: string;
  type: Exclude<FieldType, 'id' | 'reference' | 'address'>;
  label?: string;
  length?: number;
  precision?: number;
  scale?: number;
  picklistValues?: string[];
  restricted?: boolean;
  required?: boolean;
  externalId?: boolean;
  unique?: boolean;
  defaultValue?: SfValue;
}

export interface ValidationRuleSpec {
  object: string;
  name: string;
  formula: string;
  message: string;
  /** Error location: a field name, or none for the top of the page. */
  field?: string;
  active?: boolean;
}

export interface ConvertLeadOptions {
  convertedStatus?: string;
  accountId?: string;
  contactId?: string;
  doNotCreateOpportunity?: boolean;
  opportunityName?: string;
  overwriteLeadSource?: boolean;
  ownerId?: string;
}

export interface ConvertLeadResult {
  success: boolean;
  leadId: string;
  accountId: string | null;
  contactId: string | null;
  opportunityId: string | null;
  errors: SaveError[];
}

export interface MergeResult {
  success: boolean;
  id: string;
  mergedRecordIds: string[];
  updatedRelatedIds: string[];
  errors: SaveError[];
}

/** jsforce's DescribeSObjectResult / DescribeGlobalSObjectResult, loosely typed. */
export type Describe = Record<string, unknown>;

/**
 * The org model. The HTTP handlers and the simulator's people both go
 * through it; `userId` is always the acting user, and every record
 * operation runs the full save pipeline (DESIGN, issue 2 §2).
 */
export interface OrgApi {
  readonly orgId: string;
  readonly clock: { now(): number };

  // users, sessions, permissions
  readonly syncUser: SfUser;
  readonly adminUser: SfUser;
  createUser(spec: { username: string; password: string; name: string; defaultAccess?: Access; viewSetup?: boolean }): SfUser;
  user(id: string): SfUser | undefined;
  userByUsername(username: string): SfUser | undefined;
  /** Field-level security: `Lead.Phone` style names; compound or system fields follow the real rules. */
  setAccess(userId: string, objectField: string, access: Access): void;
  access(userId: string, object: string, field: string): Access;
  /** A new session token for the user; expires `sessionTtlMs` after its last use on the clock. */
  openSession(userId: string): string;
  /** The user of a live session, or undefined when unknown or expired. Touches the session. */
  sessionUser(token: string): SfUser | undefined;
  expireSessions(): void;
  /** Optional (added by the HTTP layer): ends one session (SOAP logout, OAuth revoke). */
  closeSession?(token: string): void;

  // schema
  objectDef(name: string): ObjectDef | undefined;
  objectNames(): string[];
  addField(spec: CustomFieldSpec): FieldDef;
  describeGlobal(userId: string): Describe;
  describe(object: string, userId: string): Describe | undefined;
  /** `JSON.stringify(describe(object, userId))` with its URLs at API `version` (e.g. '59.0'). */
  describeText(object: string, userId: string, version: string): string | undefined;
  queryContext(userId: string): QueryContext;

  // validation rules
  setRule(spec: ValidationRuleSpec): void;
  rules(object: string): ValidationRuleSpec[];

  // records (all through the save pipeline, as `userId`)
  get(object: string, id: string, opts?: { includeDeleted?: boolean }): SfRecord | undefined;
  /** Which object an id belongs to (by key prefix), or undefined. Accepts 15 or 18 characters. */
  objectOfId(id: string): string | undefined;
  create(object: string, fields: Record<string, unknown>, userId: string): SaveResult;
  update(object: string, id: string, fields: Record<string, unknown>, userId: string): SaveResult;
  upsert(object: string, externalField: string, value: string, fields: Record<string, unknown>, userId: string): SaveResult;
  delete(object: string, id: string, userId: string): SaveResult;
  convertLead(leadId: string, userId: string, opts?: ConvertLeadOptions): ConvertLeadResult;
  merge(object: string, masterId: string, loserIds: string[], userId: string, masterFields?: Record<string, unknown>): MergeResult;
  /** Ids changed (SystemModstamp) in [start, end), and the deleted ones, as getUpdated/getDeleted answer. */
  updated(object: string, startMs: number, endMs: number): { ids: string[]; latestDateCovered: string };
  deleted(object: string, startMs: number, endMs: number): {
    deletedRecords: Array<{ id: string; deletedDate: string }>;
    earliestDateAvailable: string;
    latestDateCovered: string;
  };
  count(object: string, opts?: { includeDeleted?: boolean }): number;

  // limits and the request log
  /** Counts one API request; false (and nothing counted) once the daily allowance is spent. */
  countApiRequest(): boolean;
  apiUsage(): { used: number; max: number };
  limits(): Record<string, { Max: number; Remaining: number }>;
  readonly requestLog: RequestLogEntry[];
  logRequest(entry: Omit<RequestLogEntry, 'seq' | 'at'>): RequestLogEntry;

  /**
   * Optional (added by the HTTP layer, for `allOrNone`): marks the state of
   * the records; `rollback()` undoes every record change made since,
   * `release()` keeps them. The caller calls exactly one of the two.
   */
  savepoint?(): { rollback(): void; release(): void };
}
