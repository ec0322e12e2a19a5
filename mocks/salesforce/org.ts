/**
 * The in-memory Salesforce org: schema, users and field-level security,
 * validation rules, records, limits, sessions and the request log. The only
 * owner of state in the emulator; the SOQL engine reads it through
 * `queryContext`, the HTTP handlers and the simulator's people call its
 * methods as a named user, and every record write goes through the same
 * save pipeline (save-pipeline.ts), so an edit by a person is
 * indistinguishable from one made in the UI.
 */
import { VirtualClock } from '../../src/sim/clock.ts';
import type { Clock } from '../../src/sim/clock.ts';
import { ApiLimits } from './api-limits.ts';
import { describeGlobal, describeObject, describeText } from './describe.ts';
import { FieldSecurity } from './field-security.ts';
import { coerceValue, sfDate, sfDateTime } from './field-values.ts';
import type { ReferenceLookup } from './field-values.ts';
import { IdFactory, KEY_PREFIXES, isSalesforceId, keyPrefixOf, to18 } from './ids.ts';
import { ModstampIndex } from './modstamp-index.ts';
import { ValueIndex } from './value-index.ts';
import { runSavePipeline } from './save-pipeline.ts';
import { canonicalField, isTextType, makeField, rowBuilder, type RowBuilder } from './schema.ts';
import { Sessions } from './sessions.ts';
import {
  CONVERTED_LEAD_STATUSES, MERGEABLE_OBJECTS, PERSON_NAME_OBJECTS, READ_ONLY_OBJECTS, SETUP_OBJECTS, standardObjects,
} from './standard-objects.ts';
import { SalesforceError } from './types.ts';
import type {
  Access, ConvertLeadOptions, ConvertLeadResult, CustomFieldSpec, Describe, FieldDef, MergeResult, ObjectDef, OrgApi,
  QueryContext, RequestLogEntry, SaveError, SaveResult, SfRecord, SfUser, SfValue, ValidationRuleSpec,
} from './types.ts';
import { RuleDefinitionError, compileRule } from './validation-rules.ts';
import type { CompiledRule } from './validation-rules.ts';

export interface OrgOptions {
  clock?: Clock;
  /** Daily API request allowance (default 100,000, a production org's base). */
  dailyApiLimit?: number;
  /** Session timeout after inactivity (default 2 hours, Salesforce's default). */
  sessionTtlMs?: number;
  /** 15- or 18-character organization id (00D...). */
  orgId?: string;
}

/** A formula that failed at run time during a save (the rule was skipped). */
export interface RuleRuntimeError {
  at: string;
  object: string;
  rule: string;
  recordId: string | null;
  message: string;
}

/** One undoable change, for savepoints. */
type JournalEntry =
  | { kind: 'row'; object: string; id: string; before: SfRecord | undefined; at: { stamp: string; seq: number } | undefined }
  | { kind: 'deletion'; object: string; id: string };

const DAY = 86_400_000;
const MINUTE = 60_000;
const NOT_FOUND_MESSAGE = 'The requested resource does not exist';
/** getUpdated looks back at most 30 days, getDeleted 15 (reference §2.4). */
const UPDATED_WINDOW_MS = 30 * DAY;
const DELETED_WINDOW_MS = 15 * DAY;

const err = (statusCode: string, message: string, fields: string[] = []): SaveError => ({ statusCode, message, fields });
const failed = (...errors: SaveError[]): SaveResult => ({ success: false, errors });

export class Org implements OrgApi {
  readonly orgId: string;
  readonly clock: Clock;
  readonly syncUser: SfUser;
  readonly adminUser: SfUser;
  readonly requestLog: RequestLogEntry[] = [];
  /** Validation rules whose formula failed while a record was saved (they did not block the save). */
  readonly ruleRuntimeErrors: RuleRuntimeError[] = [];

  private readonly ids = new IdFactory();
  private readonly objects = new Map<string, ObjectDef>();
  private readonly objectByPrefix = new Map<string, ObjectDef>();
  private readonly records = new Map<string, Map<string, SfRecord>>();
  private readonly stamps = new Map<string, ModstampIndex>();
  /** Per object: external-id and unique custom fields by value. */
  private readonly values = new Map<string, ValueIndex>();
  private readonly deletions = new Map<string, Array<{ id: string; at: number }>>();
  private readonly compiledRules = new Map<string, CompiledRule[]>();
  /** userId → custom permission names (lower case), for $Permission in rules. */
  private readonly customPermissions = new Map<string, Set<string>>();
  /** Custom Lead fields copied on conversion (mapLeadField). */
  private leadMappings: Array<{ leadField: string; object: string; field: string }> = [];
  private readonly users = new Map<string, SfUser>();
  private readonly security = new FieldSecurity();
  private readonly sessions: Sessions;
  private readonly limitsCounter: ApiLimits;
  private readonly createdAt: number;
  private schemaVersion = 0;
  /** describe() answers by the view they describe (see describe). */
  private readonly describeCache = new WeakMap<ObjectDef, Describe>();
  /** userId → object name → the user's view of it, for the schema and field-security versions it was made at. */
  private readonly viewCache = new Map<string, Map<string, { schema: number; security: number; view: ObjectDef }>>();

  constructor(opts: OrgOptions = {}) {
    this.clock = opts.clock ?? new VirtualClock();
    this.createdAt = this.clock.now();
    if (opts.orgId !== undefined && (!isSalesforceId(opts.orgId) || !opts.orgId.startsWith(KEY_PREFIXES.Organization!))) {
      throw new SalesforceError('MALFORMED_ID', `orgId must be a 15- or 18-character id starting with 00D, not ${JSON.stringify(opts.orgId)}`);
    }
    this.orgId = opts.orgId !== undefined ? to18(opts.orgId) : this.ids.next(KEY_PREFIXES.Organization!);
    this.sessions = new Sessions(this.clock, this.orgId.slice(0, 15), opts.sessionTtlMs ?? 2 * 3_600_000);
    this.limitsCounter = new ApiLimits(this.clock, opts.dailyApiLimit ?? 100_000);
    for (const def of standardObjects()) this.registerObject(def);

    this.adminUser = this.createUser({ username: 'admin@example.com', password: 'admin-password', name: 'Admin User', viewSetup: true });
    // An integration user usually has View Setup and Configuration (it reads describes and the audit trail).
    this.syncUser = this.createUser({ username: 'sync@example.com', password: 'sync-password', name: 'Sync User', viewSetup: true });
  }

  // ---------------------------------------------------------------- users, sessions, permissions

  createUser(spec: { username: string; password: string; name: string; defaultAccess?: Access; viewSetup?: boolean }): SfUser {
    if (!spec.username || this.userByUsername(spec.username)) {
      throw new SalesforceError('DUPLICATE_USERNAME', `Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations.: ${spec.username}`, 400, ['Username']);
    }
    const id = this.ids.next(KEY_PREFIXES.User!);
    const user: SfUser = {
      id, username: spec.username, password: spec.password, name: spec.name, defaultAccess: spec.defaultAccess ?? 'edit', viewSetup: spec.viewSetup ?? false,
    };
    this.users.set(id, user);
    const parts = spec.name.trim().split(/\s+/);
    const lastName = parts.length > 1 ? parts.slice(1).join(' ') : parts[0] ?? spec.username;
    const firstName = parts.length > 1 ? parts[0]! : null;
    const creator = this.adminUser?.id ?? id;
    this.insertSystemRecord('User', id, {
      Username: spec.username,
      FirstName: firstName,
      LastName: lastName,
      Email: spec.username,
      Alias: (spec.username.split('@')[0] ?? 'user').slice(0, 8),
      IsActive: true,
    }, creator);
    return user;
  }

  /** A queue (Group of Type Queue) that can own leads. Not part of OrgApi: an admin operation. */
  createQueue(name: string): string {
    const id = this.ids.next(KEY_PREFIXES.Group!);
    this.insertSystemRecord('Group', id, { Name: name, DeveloperName: name.replace(/[^A-Za-z0-9]+/g, '_'), Type: 'Queue' }, this.adminUser.id);
    return id;
  }

  user(id: string): SfUser | undefined {
    // Users are kept by canonical 18-character id, the form every session and call carries: found as given, the
    // id needs no checking or converting.
    return this.users.get(id) ?? (isSalesforceId(id) ? this.users.get(to18(id)) : undefined);
  }

  userByUsername(username: string): SfUser | undefined {
    const wanted = username.toLowerCase();
    for (const u of this.users.values()) if (u.username.toLowerCase() === wanted) return u;
    return undefined;
  }

  setAccess(userId: string, objectField: string, access: Access): void {
    const user = this.requireUser(userId);
    const dot = objectField.indexOf('.');
    const def = dot > 0 ? this.objectDef(objectField.slice(0, dot)) : undefined;
    if (!def) throw new SalesforceError('INVALID_TYPE', `setAccess: '${objectField}' must be Object.Field with a known object`);
    const field = def.fields.get(objectField.slice(dot + 1).toLowerCase());
    if (!field) throw new SalesforceError('INVALID_FIELD', `setAccess: no field '${objectField.slice(dot + 1)}' on ${def.name}`);
    const before = this.security.get(user, def, field);
    this.security.set(user, def, field, access);
    const after = this.security.get(user, def, field);
    if (after !== before) {
      // UNCONFIRMED Action code and Display text (the object reference documents neither list); the shape follows
      // audit rows seen in the wild. The emulator keeps field security per user: each user's own permission set.
      this.recordSetupChange('PermSetFlsChanged', 'Manage Users',
        `Changed permission set ${permissionSetOf(user)}: field-level security for ${def.label}: ${field.label} was changed from ${ACCESS_TEXT[before]} to ${ACCESS_TEXT[after]}`);
    }
  }

  /**
   * Grants or revokes the "View Setup and Configuration" user permission (PermissionsViewSetup). Without it the user
   * cannot see SetupAuditTrail at all. Not part of OrgApi: an admin operation.
   */
  setViewSetup(userId: string, granted: boolean): void {
    const user = this.requireUser(userId);
    if ((user.viewSetup === true) === granted) return;
    user.viewSetup = granted;
    // UNCONFIRMED Action codes and Display text, as for field-level security.
    this.recordSetupChange(granted ? 'PermSetEnableUserPerm' : 'PermSetDisableUserPerm', 'Manage Users',
      `Changed permission set ${permissionSetOf(user)}: View Setup and Configuration was changed from ${granted ? 'False to True' : 'True to False'}`);
  }

  /**
   * Writes one SetupAuditTrail row, made by the admin user now: how the org records its own setup changes (field
   * access, custom fields, validation rules). Public so a simulator can record other setup changes too.
   */
  recordSetupChange(action: string, section: string | null, display: string): string {
    const def = this.requireObject('SetupAuditTrail');
    const id = this.ids.next(def.keyPrefix);
    this.insertSystemRecord('SetupAuditTrail', id, { Action: action, Section: section, Display: display }, this.adminUser.id);
    return id;
  }

  /**
   * Grants or revokes a custom permission (`$Permission.Name` in validation
   * rules, the usual way to let an integration user bypass a rule). Not part of OrgApi.
   */
  setCustomPermission(userId: string, name: string, granted: boolean): void {
    const user = this.requireUser(userId);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) throw new SalesforceError('INVALID_INPUT', `custom permission name ${JSON.stringify(name)} must use letters, digits and underscores`);
    let set = this.customPermissions.get(user.id);
    if (!set) this.customPermissions.set(user.id, (set = new Set()));
    if (granted) set.add(name.toLowerCase());
    else set.delete(name.toLowerCase());
  }

  access(userId: string, object: string, field: string): Access {
    const user = this.user(userId);
    const def = this.objectDef(object);
    const f = def?.fields.get(field.toLowerCase());
    if (!user || !def || !f) return 'none';
    return this.security.get(user, def, f);
  }

  openSession(userId: string): string {
    return this.sessions.open(this.requireUser(userId).id);
  }

  sessionUser(token: string): SfUser | undefined {
    const id = this.sessions.userOf(token);
    return id === undefined ? undefined : this.users.get(id);
  }

  expireSessions(): void {
    this.sessions.expireAll();
  }

  closeSession(token: string): void {
    this.sessions.close(token);
  }

  // ---------------------------------------------------------------- schema

  objectDef(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  objectNames(): string[] {
    return [...this.objects.values()].map((o) => o.name);
  }

  addField(spec: CustomFieldSpec): FieldDef {
    const def = this.objectDef(spec.object);
    const where = `custom field ${spec.object}.${spec.name}`;
    const bad = (why: string) => new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `${where}: ${why}`);
    if (!def) throw bad(`no object named ${spec.object}`);
    if (!/^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*__c$/.test(spec.name ?? '')) {
      throw bad('the name must start with a letter, use letters, digits and single underscores, and end in __c');
    }
    if (def.fields.has(spec.name.toLowerCase())) throw bad(`${def.name} already has a field named ${spec.name}`);
    const built = customFieldDef(spec, bad);
    if (built.defaultValue !== null && built.type !== 'boolean') {
      const checked = coerceValue(built, built.defaultValue, () => ({ object: undefined, exists: false, deleted: false }));
      if (!checked.ok) throw bad(`bad default value: ${checked.error.message}`);
      built.defaultValue = checked.value;
    }
    // Frozen and shared with every org that adds the same field (describes are cached by field definition).
    const field = canonicalField(built);
    def.fields.set(field.name.toLowerCase(), field);
    // Existing rows get null, except checkboxes, which are never null.
    const rows = this.table(def.name);
    const fill: SfValue = field.type === 'boolean' ? field.defaultValue ?? false : null;
    for (const [id, row] of rows) rows.set(id, Object.freeze({ ...row, [field.name]: fill }));
    if (field.externalId || field.unique) this.values.get(def.name)!.addField(field.name, rows);
    this.schemaVersion++;
    // UNCONFIRMED Action code and Display text.
    this.recordSetupChange('createdCF', customizeSection(def), `Created custom field ${field.label} (${FIELD_TYPE_TEXT[field.type] ?? field.type})`);
    return field;
  }

  /**
   * Deletes a custom field (Setup's Delete): its values go from every row, its grants from field security and any
   * lead field mapping that used it. Refused for a standard field and for a field a validation rule names, as
   * Setup refuses them. Not part of OrgApi: an admin operation.
   */
  deleteField(object: string, name: string): void {
    const def = this.objectDef(object);
    const where = `custom field ${object}.${name}`;
    const bad = (why: string) => new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `${where}: ${why}`);
    if (!def) throw bad(`no object named ${object}`);
    const field = def.fields.get(String(name).toLowerCase());
    if (!field) throw bad(`${def.name} has no field named ${name}`);
    if (!field.custom) throw bad('a standard field cannot be deleted');
    const word = new RegExp(`\\b${field.name}\\b`, 'i');
    const rule = (this.compiledRules.get(def.name) ?? []).find((r) => word.test(r.spec.formula));
    // UNCONFIRMED wording; Setup refuses to delete a field a validation rule references.
    if (rule) throw bad(`it is referenced by validation rule ${rule.spec.name}; remove the reference first`);
    def.fields.delete(field.name.toLowerCase());
    const rows = this.table(def.name);
    for (const [id, row] of rows) {
      const { [field.name]: _gone, ...rest } = row;
      rows.set(id, Object.freeze(rest));
    }
    if (field.externalId || field.unique) {
      const index = new ValueIndex();
      for (const f of def.fields.values()) if (f.externalId || f.unique) index.addField(f.name, rows);
      this.values.set(def.name, index);
    }
    this.leadMappings = this.leadMappings.filter((m) => !(def.name === 'Lead' ? m.leadField === field.name : m.object === def.name && m.field === field.name));
    this.security.forget(def, field);
    this.schemaVersion++;
    // UNCONFIRMED Action code and Display text.
    this.recordSetupChange('deletedCF', customizeSection(def), `Deleted custom field ${field.label} (${FIELD_TYPE_TEXT[field.type] ?? field.type})`);
  }

  describeGlobal(userId: string): Describe {
    const user = this.requireUser(userId);
    return describeGlobal([...this.objects.values()].filter((def) => this.canSee(user, def)));
  }

  /**
   * The describe as this user sees the object. Built once per view: a view is
   * rebuilt whenever the schema or field security changes (view()), so the
   * same view always describes the same. Callers must not mutate the answer.
   */
  describe(object: string, userId: string): Describe | undefined {
    const def = this.objectDef(object);
    const user = this.requireUser(userId);
    if (!def || !this.canSee(user, def)) return undefined;
    const view = this.view(user, def);
    let described = this.describeCache.get(view);
    if (!described) {
      described = describeObject(view, this.childRelationships(def.name));
      this.describeCache.set(view, described);
    }
    return described;
  }

  /** describe()'s JSON text, its URLs at API `version` (`'59.0'`); cached by what it is made of (describe.ts). */
  describeText(object: string, userId: string, version: string): string | undefined {
    const def = this.objectDef(object);
    const user = this.requireUser(userId);
    if (!def || !this.canSee(user, def)) return undefined;
    return describeText(this.view(user, def), this.childRelationships(def.name), version);
  }

  queryContext(userId: string): QueryContext {
    const user = this.requireUser(userId);
    // One per user: it reads the org and the user as they are when asked, so it can be handed out again (and
    // making its five closures per query was a measurable share of a query's cost).
    let ctx = this.contexts.get(user.id);
    if (!ctx) this.contexts.set(user.id, (ctx = this.newQueryContext(user)));
    return ctx;
  }

  private readonly contexts = new Map<string, QueryContext>();

  private newQueryContext(user: SfUser): QueryContext {
    return {
      object: (name) => {
        const def = this.objectDef(name);
        return def && this.canSee(user, def) ? this.view(user, def) : undefined;
      },
      access: (object, field) => this.access(user.id, object, field),
      scan: (object, opts) => this.scan(object, opts),
      get: (id) => {
        const object = this.objectOfId(id);
        const row = object === undefined ? undefined : this.table(object).get(to18(id));
        return object !== undefined && row ? { object, record: row } : undefined;
      },
      now: () => this.clock.now(),
    };
  }

  /**
   * Maps a Lead field onto a Contact, Account or Opportunity field for
   * conversion, as Setup's "Map Lead Fields" does for custom fields
   * (`mapLeadField('Score__c', 'Contact.Score__c')`). Not part of OrgApi.
   */
  mapLeadField(leadField: string, target: string): void {
    const bad = (why: string) => new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `lead field mapping ${leadField} → ${target}: ${why}`);
    const from = this.requireObject('Lead').fields.get(leadField.toLowerCase());
    if (!from || !from.custom) throw bad('only custom Lead fields can be mapped');
    const dot = target.indexOf('.');
    const object = dot > 0 ? target.slice(0, dot) : '';
    const def = ['Contact', 'Account', 'Opportunity'].includes(object) ? this.requireObject(object) : undefined;
    if (!def) throw bad('the target must be Contact.Field, Account.Field or Opportunity.Field');
    const to = def.fields.get(target.slice(dot + 1).toLowerCase());
    if (!to || !to.custom) throw bad(`no custom field ${target.slice(dot + 1)} on ${object}`);
    const compatible = from.type === to.type || (isTextType(from.type) && (to.type === 'string' || to.type === 'textarea'));
    if (!compatible) throw bad(`a ${from.type} field cannot be mapped onto a ${to.type} field`);
    this.leadMappings = this.leadMappings.filter((m) => m.leadField !== from.name);
    this.leadMappings.push({ leadField: from.name, object, field: to.name });
  }

  // ---------------------------------------------------------------- validation rules

  setRule(spec: ValidationRuleSpec): void {
    const def = this.objectDef(spec.object);
    if (!def) throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `validation rule ${spec.object}.${spec.name}: no object named ${spec.object}`);
    let compiled: CompiledRule;
    try {
      compiled = compileRule(spec, def, this.requireObject('User'));
    } catch (e) {
      if (e instanceof RuleDefinitionError) throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', e.message);
      throw e;
    }
    const list = this.compiledRules.get(def.name) ?? [];
    const at = list.findIndex((r) => r.spec.name.toLowerCase() === spec.name.toLowerCase());
    const prior = at >= 0 ? list[at]!.spec : undefined;
    if (at >= 0) list[at] = compiled;
    else list.push(compiled);
    this.compiledRules.set(def.name, list);
    this.auditRuleChange(def, prior, compiled.spec);
  }

  /** SetupAuditTrail rows for a validation rule made or changed (one per kind of change; UNCONFIRMED codes and texts). */
  private auditRuleChange(def: ObjectDef, prior: ValidationRuleSpec | undefined, spec: ValidationRuleSpec): void {
    const section = customizeSection(def);
    const named = `${def.label} validation ${spec.name}`;
    if (!prior) {
      this.recordSetupChange('newValidation', section, `Created new ${named}${spec.active === false ? ' (inactive)' : ''}`);
      return;
    }
    if (prior.formula !== spec.formula) this.recordSetupChange('changedValidationFormula', section, `Changed validation formula for ${named} from "${prior.formula}" to "${spec.formula}"`);
    if (prior.message !== spec.message || (prior.field ?? null) !== (spec.field ?? null)) {
      this.recordSetupChange('changedValidationMessage', section, `Changed error message for ${named} from "${prior.message}" to "${spec.message}"`);
    }
    if ((prior.active !== false) !== (spec.active !== false)) {
      this.recordSetupChange(spec.active === false ? 'deactivatedValidation' : 'activatedValidation', section, `${spec.active === false ? 'Deactivated' : 'Activated'} ${named}`);
    }
  }

  rules(object: string): ValidationRuleSpec[] {
    const def = this.objectDef(object);
    return (def ? this.compiledRules.get(def.name) ?? [] : []).map((r) => ({ ...r.spec }));
  }

  // ---------------------------------------------------------------- records

  get(object: string, id: string, opts: { includeDeleted?: boolean } = {}): SfRecord | undefined {
    const def = this.objectDef(object);
    if (!def || !isSalesforceId(id)) return undefined;
    const row = this.table(def.name).get(to18(id));
    if (!row || (row.IsDeleted === true && !opts.includeDeleted)) return undefined;
    return { ...row };
  }

  objectOfId(id: string): string | undefined {
    return isSalesforceId(id) ? this.objectByPrefix.get(keyPrefixOf(id))?.name : undefined;
  }

  create(object: string, fields: Record<string, unknown>, userId: string): SaveResult {
    const def = this.requireObject(object);
    const user = this.requireUser(userId);
    if (READ_ONLY_OBJECTS.has(def.name)) return failed(notWritable(def, 'inserted'));
    const outcome = this.pipeline(def, user, fields, undefined);
    if (!outcome.ok) return failed(...outcome.errors);
    const duplicate = this.uniqueViolation(def, outcome.record, undefined);
    if (duplicate) return failed(duplicate);
    const id = this.ids.next(def.keyPrefix);
    this.commit(def, id, outcome.record, user.id, true);
    return { success: true, id };
  }

  update(object: string, id: string, fields: Record<string, unknown>, userId: string): SaveResult {
    const def = this.requireObject(object);
    const user = this.requireUser(userId);
    const found = this.findWritable(def, id);
    if ('error' in found) return { success: false, ...(isSalesforceId(id) ? { id: to18(id) } : {}), errors: [found.error] };
    if (READ_ONLY_OBJECTS.has(def.name)) return { success: false, id: found.id, errors: [notWritable(def, 'updated')] };
    const body = withoutOwnId(fields, found.id);
    const outcome = this.pipeline(def, user, body, found.row);
    if (!outcome.ok) return { success: false, id: found.id, errors: outcome.errors };
    const duplicate = this.uniqueViolation(def, outcome.record, found.id);
    if (duplicate) return { success: false, id: found.id, errors: [duplicate] };
    this.commit(def, found.id, outcome.record, user.id, false);
    return { success: true, id: found.id };
  }

  upsert(object: string, externalField: string, value: string, fields: Record<string, unknown>, userId: string): SaveResult {
    const def = this.requireObject(object);
    const user = this.requireUser(userId);
    const field = def.fields.get(externalField.toLowerCase());
    if (!field || this.security.get(user, def, field) === 'none') {
      throw new SalesforceError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${externalField}`, 404);
    }
    if (field.name === 'Id') {
      if (value === '' || value === undefined || value === null) {
        const r = this.create(def.name, fields, user.id);
        return r.success ? { ...r, created: true } : r;
      }
      const r = this.update(def.name, value, fields, user.id);
      return r.success ? { ...r, created: false } : r;
    }
    if (!field.externalId) {
      // UNCONFIRMED wording; the code and status match Salesforce's answer for a non-external-id field.
      throw new SalesforceError('INVALID_FIELD', `Field ${field.name} is not a valid external ID field for ${def.name}`, 400);
    }
    const rows = this.table(def.name);
    const matches = this.values.get(def.name)!.find(field.name, value).filter((id) => rows.get(id)?.IsDeleted !== true).sort();
    if (matches.length > 1) {
      // HTTP 300 Multiple Choices; the matching ids ride in `fields` so the HTTP layer can list their URLs.
      throw new SalesforceError('MULTIPLE_CHOICES', `${matches.length} records match ${field.name} = ${value}`, 300, matches);
    }
    const body = { ...withoutKey(fields, field.name), [field.name]: value };
    if (matches.length === 0) {
      const r = this.create(def.name, body, user.id);
      return r.success ? { ...r, created: true } : r;
    }
    const r = this.update(def.name, matches[0]!, withoutKey(fields, field.name), user.id);
    return r.success ? { ...r, created: false } : r;
  }

  delete(object: string, id: string, userId: string): SaveResult {
    const def = this.requireObject(object);
    const user = this.requireUser(userId);
    const found = this.find(def, id);
    if ('error' in found) return { success: false, ...(isSalesforceId(id) ? { id: to18(id) } : {}), errors: [found.error] };
    if (READ_ONLY_OBJECTS.has(def.name)) return { success: false, id: found.id, errors: [notWritable(def, 'deleted')] };
    this.softDelete(def, found.id, user.id, null);
    return { success: true, id: found.id };
  }

  convertLead(leadId: string, userId: string, opts: ConvertLeadOptions = {}): ConvertLeadResult {
    const user = this.requireUser(userId);
    const lead = this.requireObject('Lead');
    const result = (errors: SaveError[]): ConvertLeadResult => ({
      success: false, leadId: isSalesforceId(leadId) ? to18(leadId) : leadId, accountId: null, contactId: null, opportunityId: null, errors,
    });
    const found = this.findWritable(lead, leadId);
    if ('error' in found) return result([found.error]);
    const row = found.row;

    const status = opts.convertedStatus ?? CONVERTED_LEAD_STATUSES[0]!;
    if (!CONVERTED_LEAD_STATUSES.includes(status)) return result([err('INVALID_STATUS', `invalid convertedStatus: ${status}`)]);

    const now = this.clock.now();
    const str = (f: string) => row[f] ?? null;
    const ownerId = opts.ownerId !== undefined ? this.refOf(opts.ownerId, 'User') : (keyPrefixOf(String(row.OwnerId)) === KEY_PREFIXES.User ? row.OwnerId : user.id);
    if (ownerId === undefined) return result([err('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${opts.ownerId}`, ['ownerId'])]);

    // Existing account / contact: they must exist, and the contact must belong to the account.
    let accountId: string | null = null;
    if (opts.accountId !== undefined) {
      accountId = this.refOf(opts.accountId, 'Account') ?? null;
      if (!accountId) return result([err('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${opts.accountId}`, ['accountId'])]);
    }
    let contactId: string | null = null;
    if (opts.contactId !== undefined) {
      contactId = this.refOf(opts.contactId, 'Contact') ?? null;
      if (!contactId) return result([err('INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id: ${opts.contactId}`, ['contactId'])]);
      if (!accountId || this.table('Contact').get(contactId)!.AccountId !== accountId) {
        return result([err('INVALID_CROSS_REFERENCE_KEY', 'contactId must belong to the accountId given', ['contactId'])]);
      }
    }

    // The standard lead field mapping (Company → Account.Name, address → Billing*/Mailing*, ...).
    const accountValues: Record<string, SfValue> = {
      Name: str('Company'), BillingStreet: str('Street'), BillingCity: str('City'), BillingState: str('State'),
      BillingPostalCode: str('PostalCode'), BillingCountry: str('Country'), Phone: str('Phone'), Fax: str('Fax'),
      Website: str('Website'), Industry: str('Industry'), AnnualRevenue: str('AnnualRevenue'),
      NumberOfEmployees: str('NumberOfEmployees'), Rating: str('Rating'), AccountSource: str('LeadSource'), OwnerId: ownerId,
    };
    const contactValues: Record<string, SfValue> = {
      FirstName: str('FirstName'), LastName: str('LastName'), Salutation: str('Salutation'), Title: str('Title'),
      Email: str('Email'), Phone: str('Phone'), MobilePhone: str('MobilePhone'), Fax: str('Fax'), LeadSource: str('LeadSource'),
      Description: str('Description'), HasOptedOutOfEmail: str('HasOptedOutOfEmail'), DoNotCall: str('DoNotCall'),
      HasOptedOutOfFax: str('HasOptedOutOfFax'), MailingStreet: str('Street'), MailingCity: str('City'),
      MailingState: str('State'), MailingPostalCode: str('PostalCode'), MailingCountry: str('Country'), OwnerId: ownerId,
    };

    const opportunityValues: Record<string, SfValue> = {
      Name: opts.opportunityName ?? `${String(row.Company ?? row.LastName)}-`,
      StageName: 'Prospecting',
      // Salesforce proposes the last day of the current quarter; the emulator uses that too.
      CloseDate: endOfQuarter(now),
      LeadSource: str('LeadSource'),
      OwnerId: ownerId,
    };
    const byObject: Record<string, Record<string, SfValue>> = { Account: accountValues, Contact: contactValues, Opportunity: opportunityValues };
    for (const m of this.leadMappings) byObject[m.object]![m.field] = str(m.leadField);

    // Plan every write first, so a failure leaves nothing half-converted.
    type Write = { def: ObjectDef; id: string | undefined; record: SfRecord };
    const writes: Write[] = [];
    const plan = (object: string, id: string | undefined, values: Record<string, SfValue>): SaveError[] | string => {
      const def = this.requireObject(object);
      const prior = id ? this.table(object).get(id) : undefined;
      // Merging into an existing record only fills its empty fields (LeadSource too when overwriteLeadSource).
      const body = prior
        ? Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== null && (prior[k] === null || (k === 'LeadSource' && opts.overwriteLeadSource)) && k !== 'OwnerId'))
        : Object.fromEntries(Object.entries(values).filter(([, v]) => v !== null));
      const outcome = this.pipeline(def, this.systemUserFor(user), body, prior);
      if (!outcome.ok) return outcome.errors;
      const newId = id ?? this.ids.next(def.keyPrefix);
      writes.push({ def, id: newId, record: outcome.record });
      this.pendingIds.add(newId);
      return newId;
    };
    try {
      const accountOutcome = plan('Account', accountId ?? undefined, accountValues);
      if (typeof accountOutcome !== 'string') return result(accountOutcome);
      accountId = accountOutcome;
      const contactOutcome = plan('Contact', contactId ?? undefined, { ...contactValues, AccountId: accountId });
      if (typeof contactOutcome !== 'string') return result(contactOutcome);
      contactId = contactOutcome;
      let opportunityId: string | null = null;
      if (!opts.doNotCreateOpportunity) {
        const oppOutcome = plan('Opportunity', undefined, { ...opportunityValues, AccountId: accountId });
        if (typeof oppOutcome !== 'string') return result(oppOutcome);
        opportunityId = oppOutcome;
      }

      for (const w of writes) this.commit(w.def, w.id!, w.record, user.id, !this.table(w.def.name).has(w.id!));
      // The lead itself is changed by the system: no field-level security and no validation rules.
      this.commit(lead, found.id, {
        ...row,
        IsConverted: true,
        ConvertedDate: sfDate(now),
        ConvertedAccountId: accountId,
        ConvertedContactId: contactId,
        ConvertedOpportunityId: opportunityId,
        Status: status,
      }, user.id, false);
      return { success: true, leadId: found.id, accountId, contactId, opportunityId, errors: [] };
    } finally {
      this.pendingIds.clear();
    }
  }

  merge(object: string, masterId: string, loserIds: string[], userId: string, masterFields: Record<string, unknown> = {}): MergeResult {
    const user = this.requireUser(userId);
    const def = this.requireObject(object);
    const result = (errors: SaveError[]): MergeResult => ({
      success: false, id: isSalesforceId(masterId) ? to18(masterId) : masterId, mergedRecordIds: [], updatedRelatedIds: [], errors,
    });
    if (!MERGEABLE_OBJECTS.has(def.name)) return result([err('INVALID_TYPE', `Cannot merge records of type ${def.name}: only Lead, Contact and Account can be merged`)]);
    if (loserIds.length === 0) return result([err('REQUIRED_FIELD_MISSING', 'Required fields are missing: [recordToMergeIds]', ['recordToMergeIds'])]);
    // UNCONFIRMED code; the limit (3 records including the master) is documented.
    if (loserIds.length > 2) return result([err('LIMIT_EXCEEDED', 'A merge request can merge at most 2 records into the master record')]);
    const master = this.findWritable(def, masterId);
    if ('error' in master) return result([master.error]);
    const losers: string[] = [];
    for (const id of loserIds) {
      const loser = this.findWritable(def, id);
      if ('error' in loser) return result([loser.error]);
      if (loser.id === master.id) return result([err('INVALID_ID_FIELD', 'The master record cannot be merged with itself', ['recordToMergeIds'])]);
      if (!losers.includes(loser.id)) losers.push(loser.id);
    }
    const outcome = this.pipeline(def, user, withoutOwnId(masterFields, master.id), master.row);
    if (!outcome.ok) return result(outcome.errors);

    this.commit(def, master.id, outcome.record, user.id, false);
    const updatedRelatedIds: string[] = [];
    for (const loser of losers) {
      this.softDelete(def, loser, user.id, master.id);
      // Child records move to the master, as Salesforce re-parents them.
      if (def.name === 'Account') {
        for (const child of ['Contact', 'Opportunity']) {
          const childDef = this.requireObject(child);
          for (const [cid, crow] of this.table(child)) {
            if (crow.AccountId === loser && crow.IsDeleted !== true) {
              this.commit(childDef, cid, { ...crow, AccountId: master.id }, user.id, false);
              updatedRelatedIds.push(cid);
            }
          }
        }
      }
    }
    return { success: true, id: master.id, mergedRecordIds: losers, updatedRelatedIds, errors: [] };
  }

  updated(object: string, startMs: number, endMs: number): { ids: string[]; latestDateCovered: string } {
    const def = this.requireObject(object);
    const [start, end] = this.replicationWindow(startMs, endMs, UPDATED_WINDOW_MS);
    const ids: string[] = [];
    const rows = this.table(def.name);
    for (const id of this.index(def.name).after('>=', sfDateTime(start), sfDateTime(end))) {
      if (rows.get(id)?.IsDeleted !== true) ids.push(id);
    }
    return { ids, latestDateCovered: sfDateTime(end) };
  }

  deleted(object: string, startMs: number, endMs: number) {
    const def = this.requireObject(object);
    const [start, end] = this.replicationWindow(startMs, endMs, DELETED_WINDOW_MS);
    const rows = this.table(def.name);
    const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
    for (const d of this.deletions.get(def.name) ?? []) {
      // Still in the recycle bin (not undeleted, not purged) and deleted inside the window.
      if (d.at >= start && d.at < end && rows.get(d.id)?.IsDeleted === true) deletedRecords.push({ id: d.id, deletedDate: sfDateTime(d.at) });
    }
    const earliest = Math.max(floorMinute(this.createdAt), floorMinute(this.clock.now() - DELETED_WINDOW_MS));
    return { deletedRecords, earliestDateAvailable: sfDateTime(earliest), latestDateCovered: sfDateTime(end) };
  }

  count(object: string, opts: { includeDeleted?: boolean } = {}): number {
    const def = this.objectDef(object);
    if (!def) return 0;
    let n = 0;
    for (const row of this.table(def.name).values()) if (opts.includeDeleted || row.IsDeleted !== true) n++;
    return n;
  }

  /**
   * Marks the state of the records (for allOrNone): `rollback()` undoes
   * every record change made since, `release()` keeps them. Savepoints
   * nest. Ids issued meanwhile are not reused after a rollback, as in
   * Salesforce.
   */
  savepoint(): { rollback(): void; release(): void } {
    const journal: JournalEntry[] = [];
    this.journals.push(journal);
    const close = () => {
      const at = this.journals.lastIndexOf(journal);
      if (at < 0) throw new Error('savepoint already rolled back or released');
      // Changes inside a released inner savepoint still belong to the outer one.
      const inner = this.journals.splice(at);
      return inner.flat();
    };
    return {
      rollback: () => {
        const entries = close();
        for (let i = entries.length - 1; i >= 0; i--) this.undo(entries[i]!);
      },
      release: () => {
        const entries = close();
        this.journals[this.journals.length - 1]?.push(...entries);
      },
    };
  }

  // ---------------------------------------------------------------- limits and the request log

  countApiRequest(): boolean {
    return this.limitsCounter.count();
  }

  apiUsage(): { used: number; max: number } {
    return this.limitsCounter.usage();
  }

  limits(): Record<string, { Max: number; Remaining: number }> {
    const { used, max } = this.apiUsage();
    let rows = 0;
    for (const t of this.records.values()) rows += t.size;
    // Salesforce counts most records as 2 KB of data storage.
    const dataMb = Math.ceil((rows * 2) / 1024);
    return {
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      ConcurrentSyncReportRuns: { Max: 20, Remaining: 20 },
      DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) },
      DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
      DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
      DailyBulkV2QueryJobs: { Max: 10_000, Remaining: 10_000 },
      DailyStreamingApiEvents: { Max: 1_000_000, Remaining: 1_000_000 },
      DataStorageMB: { Max: 5_120, Remaining: Math.max(0, 5_120 - dataMb) },
      FileStorageMB: { Max: 20_480, Remaining: 20_480 },
      HourlyTimeBasedWorkflow: { Max: 1_000, Remaining: 1_000 },
      SingleEmail: { Max: 5_000, Remaining: 5_000 },
    };
  }

  logRequest(entry: Omit<RequestLogEntry, 'seq' | 'at'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: this.requestLog.length + 1, at: sfDateTime(this.clock.now()), ...entry };
    this.requestLog.push(full);
    return full;
  }

  // ---------------------------------------------------------------- internals

  private registerObject(def: ObjectDef): void {
    this.objects.set(def.name.toLowerCase(), def);
    this.objectByPrefix.set(def.keyPrefix, def);
    this.records.set(def.name, new Map());
    this.stamps.set(def.name, new ModstampIndex());
    this.values.set(def.name, new ValueIndex());
  }

  private table(object: string): Map<string, SfRecord> {
    return this.records.get(object)!;
  }

  private index(object: string): ModstampIndex {
    return this.stamps.get(object)!;
  }

  private requireObject(name: string): ObjectDef {
    const def = typeof name === 'string' ? this.objectDef(name) : undefined;
    if (!def) throw new SalesforceError('NOT_FOUND', NOT_FOUND_MESSAGE, 404);
    return def;
  }

  private requireUser(id: string): SfUser {
    const user = this.user(id);
    if (!user) throw new SalesforceError('INVALID_CROSS_REFERENCE_KEY', `no user with id ${JSON.stringify(id)} in this org`);
    return user;
  }

  /** A user with edit on everything, acting for `user` (system work such as lead conversion). */
  private systemUserFor(user: SfUser): SfUser {
    return { ...user, id: `system:${user.id}`, defaultAccess: 'edit' };
  }

  /** Setup objects exist only for users with View Setup and Configuration (SOQL then says INVALID_TYPE, REST NOT_FOUND). */
  private canSee(user: SfUser, def: ObjectDef): boolean {
    return user.viewSetup === true || !SETUP_OBJECTS.has(def.name);
  }

  private view(user: SfUser, def: ObjectDef): ObjectDef {
    // Asked several times a request (every query, describe and record write): no key strings built per call.
    let byObject = this.viewCache.get(user.id);
    if (!byObject) this.viewCache.set(user.id, (byObject = new Map()));
    const cached = byObject.get(def.name);
    if (cached && cached.schema === this.schemaVersion && cached.security === this.security.version) return cached.view;
    const view = this.security.view(user, def);
    byObject.set(def.name, { schema: this.schemaVersion, security: this.security.version, view });
    return view;
  }

  /** childRelationships by object, for the schema version they were worked out at (every describe asks). */
  private readonly children = new Map<string, { schema: number; list: Describe[] }>();

  private childRelationships(object: string): Describe[] {
    const kept = this.children.get(object);
    if (kept && kept.schema === this.schemaVersion) return kept.list;
    const list = this.findChildRelationships(object);
    this.children.set(object, { schema: this.schemaVersion, list });
    return list;
  }

  private findChildRelationships(object: string): Describe[] {
    const plural: Record<string, string> = { 'Contact.AccountId': 'Contacts', 'Opportunity.AccountId': 'Opportunities', 'Contact.ReportsToId': 'ReportsTo' };
    const out: Describe[] = [];
    for (const child of this.objects.values()) {
      for (const f of child.fields.values()) {
        if (f.type !== 'reference' || !f.referenceTo.includes(object)) continue;
        out.push({
          cascadeDelete: false, childSObject: child.name, deprecatedAndHidden: false, field: f.name,
          junctionIdListNames: [], junctionReferenceTo: [], relationshipName: plural[`${child.name}.${f.name}`] ?? null, restrictedDelete: false,
        });
      }
    }
    return out;
  }

  /** Ids planned by a conversion in progress, not stored yet, that its later records may reference. */
  private readonly pendingIds = new Set<string>();

  private lookup: ReferenceLookup = (id) => {
    const object = this.objectOfId(id);
    const row = object === undefined ? undefined : this.table(object).get(id);
    return { object, exists: row !== undefined || this.pendingIds.has(id), deleted: row?.IsDeleted === true };
  };

  private pipeline(def: ObjectDef, user: SfUser, input: Record<string, unknown>, prior: SfRecord | undefined) {
    const system = user.id.startsWith('system:');
    const realUser = system ? user.id.slice('system:'.length) : user.id;
    return runSavePipeline({
      object: def,
      access: system ? () => 'edit' : (f) => this.security.get(user, def, f),
      input,
      prior,
      insertDefaults: { OwnerId: realUser },
      lookup: this.lookup,
      rules: this.compiledRules.get(def.name) ?? [],
      now: this.clock.now(),
      user: this.table('User').get(realUser),
      permissions: this.customPermissions.get(realUser),
      onRuleError: (rule, message) => this.ruleRuntimeErrors.push({
        at: sfDateTime(this.clock.now()), object: def.name, rule: rule.spec.name, recordId: (prior?.Id as string | undefined) ?? null, message,
      }),
    });
  }

  private readonly journals: JournalEntry[][] = [];

  private undo(entry: JournalEntry): void {
    const rows = this.table(entry.object);
    if (entry.kind === 'deletion') {
      this.deletions.get(entry.object)?.pop();
    } else if (entry.before === undefined) {
      this.values.get(entry.object)!.replace(entry.id, rows.get(entry.id), undefined);
      rows.delete(entry.id);
      this.index(entry.object).remove(entry.id);
    } else {
      // Fields added since the savepoint come back as they were backfilled.
      const def = this.requireObject(entry.object);
      const restored: SfRecord = {};
      for (const f of def.fields.values()) restored[f.name] = f.name in entry.before ? entry.before[f.name]! : rows.get(entry.id)?.[f.name] ?? null;
      this.values.get(entry.object)!.replace(entry.id, rows.get(entry.id), restored);
      rows.set(entry.id, Object.freeze(restored));
      if (entry.at) this.index(entry.object).restore(entry.id, entry.at);
    }
  }

  /** Stores a record: audit fields, compound Name, SystemModstamp (on every change, system ones too). */
  private commit(def: ObjectDef, id: string, values: SfRecord, userId: string, isInsert: boolean): void {
    const now = sfDateTime(this.clock.now());
    const row: SfRecord = { ...values, Id: id };
    if (isInsert) {
      row.CreatedDate = now;
      row.CreatedById = userId;
      if ('IsDeleted' in row || def.fields.has('isdeleted')) row.IsDeleted = false;
    }
    row.LastModifiedDate = now;
    row.LastModifiedById = userId;
    row.SystemModstamp = now;
    if (PERSON_NAME_OBJECTS.has(def.name)) {
      row.Name = [row.FirstName, row.LastName].filter((p) => typeof p === 'string' && p !== '').join(' ') || null;
    }
    // Keep the describe order of fields in every stored row.
    const ordered = this.rowOf(def)(row);
    const before = this.table(def.name).get(id);
    const journal = this.journals[this.journals.length - 1];
    if (journal) {
      const at = before ? this.index(def.name).position(id, before.SystemModstamp as string) : undefined;
      journal.push({ kind: 'row', object: def.name, id, before, at });
    }
    this.values.get(def.name)!.replace(id, before, ordered);
    this.table(def.name).set(id, Object.freeze(ordered));
    this.index(def.name).touch(id, now);
  }

  /** The object's stored-row builder (schema.ts rowBuilder) for its fields as they are now. */
  private rowOf(def: ObjectDef): RowBuilder {
    let kept = this.rowBuilders.get(def.name);
    if (!kept || kept.version !== this.schemaVersion) {
      this.rowBuilders.set(def.name, (kept = { version: this.schemaVersion, build: rowBuilder(def.fields.values()) }));
    }
    return kept.build;
  }

  private readonly rowBuilders = new Map<string, { version: number; build: RowBuilder }>();

  private insertSystemRecord(object: string, id: string, values: Record<string, SfValue>, userId: string): void {
    const def = this.requireObject(object);
    const row: SfRecord = {};
    for (const f of def.fields.values()) row[f.name] = f.defaultValue ?? (f.type === 'boolean' ? false : null);
    this.commit(def, id, { ...row, ...values }, userId, true);
  }

  private softDelete(def: ObjectDef, id: string, userId: string, masterId: string | null): void {
    const row = this.table(def.name).get(id)!;
    this.commit(def, id, { ...row, IsDeleted: true, ...(masterId ? { MasterRecordId: masterId } : {}) }, userId, false);
    let log = this.deletions.get(def.name);
    if (!log) this.deletions.set(def.name, (log = []));
    log.push({ id, at: this.clock.now() });
    this.journals[this.journals.length - 1]?.push({ kind: 'deletion', object: def.name, id });
  }

  /** The live or deleted row for `id` of `def`, or the error a write would get. */
  private find(def: ObjectDef, id: string): { id: string; row: SfRecord } | { error: SaveError } {
    if (!isSalesforceId(id) || keyPrefixOf(id) !== def.keyPrefix) {
      return { error: err('MALFORMED_ID', `${def.label} ID: id value of incorrect type: ${id}`, ['Id']) };
    }
    const id18 = to18(id);
    const row = this.table(def.name).get(id18);
    if (!row) return { error: err('NOT_FOUND', NOT_FOUND_MESSAGE) };
    if (row.IsDeleted === true) return { error: err('ENTITY_IS_DELETED', 'entity is deleted') };
    return { id: id18, row };
  }

  /** Like find, and a converted lead cannot be written. */
  private findWritable(def: ObjectDef, id: string): { id: string; row: SfRecord } | { error: SaveError } {
    const found = this.find(def, id);
    if ('row' in found && def.name === 'Lead' && found.row.IsConverted === true) {
      return { error: err('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead') };
    }
    return found;
  }

  /** An existing, live record of `object` with this id, as 18 characters. */
  private refOf(id: string, object: string): string | undefined {
    if (!isSalesforceId(id) || this.objectOfId(id) !== object) return undefined;
    const row = this.table(object).get(to18(id));
    return row && row.IsDeleted !== true ? to18(id) : undefined;
  }

  private uniqueViolation(def: ObjectDef, record: SfRecord, selfId: string | undefined): SaveError | undefined {
    const rows = this.table(def.name);
    for (const f of def.fields.values()) {
      if (!f.unique || !f.custom || record[f.name] === null) continue;
      const other = this.values.get(def.name)!.find(f.name, record[f.name]).find((id) => id !== selfId && rows.get(id)?.IsDeleted !== true);
      if (other !== undefined) {
        return err('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${other}`, [f.name]);
      }
    }
    return undefined;
  }

  private *scan(object: string, opts: { includeDeleted: boolean; modstamp?: { op: '>' | '>='; value: string } }): Generator<SfRecord> {
    const def = this.objectDef(object);
    if (!def) return;
    const rows = this.table(def.name);
    if (opts.modstamp) {
      for (const id of this.index(def.name).after(opts.modstamp.op, opts.modstamp.value)) {
        const row = rows.get(id);
        if (row && (opts.includeDeleted || row.IsDeleted !== true)) yield row;
      }
      return;
    }
    for (const row of rows.values()) if (opts.includeDeleted || row.IsDeleted !== true) yield row;
  }

  /** getUpdated/getDeleted windows: seconds are ignored; start must precede end, within the look-back. */
  private replicationWindow(startMs: number, endMs: number, lookBackMs: number): [number, number] {
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
      throw new SalesforceError('INVALID_REPLICATION_DATE', 'start and end must be valid dates');
    }
    const start = floorMinute(startMs);
    const end = floorMinute(Math.min(endMs, this.clock.now()));
    if (start >= end) throw new SalesforceError('INVALID_REPLICATION_DATE', 'startDate must chronologically precede endDate by more than one minute');
    if (start < floorMinute(this.clock.now() - lookBackMs)) {
      throw new SalesforceError('INVALID_REPLICATION_DATE', `startDate cannot be more than ${lookBackMs / DAY} days ago`);
    }
    return [start, end];
  }
}

const ACCESS_TEXT: Record<Access, string> = { none: 'No Access', read: 'Read Only', edit: 'Read/Write' };

/** Setup's field type names, for audit texts like "Created custom field Score (Number)". */
const FIELD_TYPE_TEXT: Partial<Record<string, string>> = {
  string: 'Text', textarea: 'Long Text Area', email: 'Email', phone: 'Phone', url: 'URL', picklist: 'Picklist',
  multipicklist: 'Picklist (Multi-Select)', boolean: 'Checkbox', int: 'Number', double: 'Number', currency: 'Currency',
  percent: 'Percent', date: 'Date', datetime: 'Date/Time',
};

/** The Setup menu section an object's fields and rules live in ("Customize Leads"). */
function customizeSection(def: ObjectDef): string {
  return `Customize ${def.labelPlural}`;
}

/** The permission set that holds a user's field access here (the emulator keeps field security per user). */
function permissionSetOf(user: SfUser): string {
  return `${user.name} Access`;
}

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE) * MINUTE;
}

function endOfQuarter(ms: number): string {
  const d = new Date(ms);
  const quarterEndMonth = Math.floor(d.getUTCMonth() / 3) * 3 + 3;
  return sfDate(Date.UTC(d.getUTCFullYear(), quarterEndMonth, 0));
}

function notWritable(def: ObjectDef, verb: string): SaveError {
  // The emulator sets users and queues up through its admin API only.
  return err('INVALID_TYPE_FOR_OPERATION', `entity type cannot be ${verb}: ${def.name}`);
}

/** Update bodies may repeat the record's own Id (collections require it); drop it then. */
function withoutOwnId(fields: Record<string, unknown>, id18: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k.toLowerCase() === 'id' && typeof v === 'string' && isSalesforceId(v) && to18(v) === id18) continue;
    out[k] = v;
  }
  return out;
}

function withoutKey(fields: Record<string, unknown>, name: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([k]) => k.toLowerCase() !== name.toLowerCase()));
}

/** The FieldDef of a custom field spec, with Salesforce's defaults per type. */
function customFieldDef(spec: CustomFieldSpec, bad: (why: string) => Error): FieldDef {
  const t = spec.type;
  const textDefaults: Partial<Record<string, number>> = { string: 255, textarea: 255, email: 80, phone: 40, url: 255, picklist: 255, multipicklist: 4099 };
  const maxLength: Partial<Record<string, number>> = { string: 255, textarea: 131_072, email: 80, phone: 40, url: 255, picklist: 255, multipicklist: 4099 };
  const known = ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'boolean', 'int', 'double', 'currency', 'percent', 'date', 'datetime'];
  if (!known.includes(t)) throw bad(`unsupported type ${JSON.stringify(t)}; use one of ${known.join(', ')}`);
  const text = isTextType(t);
  const length = text ? spec.length ?? textDefaults[t]! : undefined;
  if (length !== undefined && (!Number.isInteger(length) || length < 1 || length > maxLength[t]!)) throw bad(`length must be an integer from 1 to ${maxLength[t]}`);
  if ((t === 'picklist' || t === 'multipicklist') && (!spec.picklistValues || spec.picklistValues.length === 0)) throw bad('a picklist needs picklistValues');
  const numeric = t === 'double' || t === 'currency' || t === 'percent';
  const precision = numeric ? spec.precision ?? 18 : undefined;
  const scale = numeric ? spec.scale ?? (t === 'double' ? 0 : 2) : undefined;
  if (precision !== undefined && (precision < 1 || precision > 18 || scale! < 0 || scale! > precision)) throw bad('precision must be 1–18 and scale 0–precision');
  if (spec.externalId && !['string', 'email', 'int', 'double'].includes(t)) throw bad('only text, email and number fields can be external ids');
  const picklistDefault = (t === 'picklist') && typeof spec.defaultValue === 'string' ? spec.defaultValue : undefined;
  if (picklistDefault !== undefined && !spec.picklistValues!.includes(picklistDefault)) throw bad(`default ${picklistDefault} is not one of its values`);
  const required = spec.required === true && t !== 'boolean';
  return makeField(spec.name, t, {
    label: spec.label,
    length,
    precision,
    scale,
    digits: t === 'int' ? spec.precision ?? 9 : undefined,
    nillable: !required && t !== 'boolean',
    custom: true,
    externalId: spec.externalId ?? false,
    unique: spec.unique ?? false,
    picklist: spec.picklistValues,
    picklistDefault,
    restricted: spec.restricted ?? false,
    defaultValue: picklistDefault !== undefined ? undefined : spec.defaultValue ?? (t === 'boolean' ? false : null),
  });
}

