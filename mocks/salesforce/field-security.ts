/**
 * Field-level security (reference §4): per user, per field, none / read /
 * edit, with the real limits: system fields are at most readable, and
 * universally required fields (LastName, Company, Lead.Status, OwnerId, a
 * required custom field...) cannot be restricted at all: like the
 * Salesforce setup UI, setting them to anything but edit is refused.
 */
import { isAlwaysEditable, isSystemField } from './schema.ts';
import { SalesforceError } from './types.ts';
import type { Access, FieldDef, ObjectDef, SfUser } from './types.ts';

const RANK: Record<Access, number> = { none: 0, read: 1, edit: 2 };

export function minAccess(a: Access, b: Access): Access {
  return RANK[a] <= RANK[b] ? a : b;
}

export class FieldSecurity {
  /** userId → 'lead.phone' → access. */
  private readonly grants = new Map<string, Map<string, Access>>();
  /** Bumped on every change, so per-user views can be cached. */
  version = 0;

  set(user: SfUser, object: ObjectDef, field: FieldDef, access: Access): void {
    if (access !== 'none' && access !== 'read' && access !== 'edit') {
      throw new SalesforceError('INVALID_INPUT', `access for ${object.name}.${field.name} must be none, read or edit, not ${JSON.stringify(access)}`);
    }
    if (field.name === 'Id' && access === 'none') {
      throw new SalesforceError('INVALID_INPUT', `${object.name}.Id is always readable: its field-level security cannot be set to none`);
    }
    if (isAlwaysEditable(field) && access !== 'edit') {
      throw new SalesforceError('INVALID_INPUT', `${object.name}.${field.name} is a required field: its field-level security is always edit`);
    }
    let map = this.grants.get(user.id);
    if (!map) this.grants.set(user.id, (map = new Map()));
    map.set(`${object.name}.${field.name}`.toLowerCase(), access);
    this.version++;
  }

  /** Drops every user's grant for a field (the field was deleted; a new field of the same name starts afresh). */
  forget(object: ObjectDef, field: FieldDef): void {
    const key = `${object.name}.${field.name}`.toLowerCase();
    for (const map of this.grants.values()) map.delete(key);
    this.version++;
  }

  /** Effective access: the grant (or the user's profile default), capped by what the field allows. */
  get(user: SfUser, object: ObjectDef, field: FieldDef): Access {
    if (field.name === 'Id') return 'read';
    if (isAlwaysEditable(field)) return 'edit';
    const granted = this.grants.get(user.id)?.get(`${object.name}.${field.name}`.toLowerCase()) ?? user.defaultAccess;
    return isSystemField(field) || field.calculated ? minAccess(granted, 'read') : granted;
  }

  /** The object as `user` sees it: hidden fields absent, read-only ones neither createable nor updateable. */
  view(user: SfUser, object: ObjectDef): ObjectDef {
    const fields = new Map<string, FieldDef>();
    for (const [key, f] of object.fields) {
      const access = this.get(user, object, f);
      if (access === 'none') continue;
      fields.set(key, access === 'read' && (f.createable || f.updateable) ? readOnly(f) : f);
    }
    return { ...object, fields };
  }
}

/** Read-only copies by the definition they copy: one per field, shared by every view (and org) that needs it. */
const readOnlyCopies = new WeakMap<FieldDef, FieldDef>();

function readOnly(f: FieldDef): FieldDef {
  let copy = readOnlyCopies.get(f);
  if (!copy) readOnlyCopies.set(f, (copy = Object.freeze({ ...f, createable: false, updateable: false })));
  return copy;
}
