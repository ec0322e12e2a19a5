/** A small in-memory QueryContext for the SOQL engine's unit tests (not the real Org). */
import type { FieldDef, FieldType, ObjectDef, QueryContext, SfRecord } from '../../../mocks/salesforce/types.ts';

export function fieldDef(name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef {
  return {
    name, label: name, type, length: 0, precision: 0, scale: 0, digits: 0, nillable: true, createable: true,
    updateable: true, defaultedOnCreate: false, custom: name.endsWith('__c'), calculated: false, externalId: false,
    unique: false, idLookup: false, filterable: true, sortable: true, picklistValues: [], restrictedPicklist: false,
    referenceTo: [], relationshipName: null, defaultValue: null, ...extra,
  };
}

function objectDef(name: string, keyPrefix: string, fields: FieldDef[]): ObjectDef {
  return {
    name, label: name, labelPlural: `${name}s`, keyPrefix, custom: false,
    fields: new Map(fields.map((f) => [f.name.toLowerCase(), f])),
  };
}

const system = (): FieldDef[] => [
  fieldDef('Id', 'id', { nillable: false }),
  fieldDef('IsDeleted', 'boolean'),
  fieldDef('CreatedDate', 'datetime'),
  fieldDef('LastModifiedDate', 'datetime'),
  fieldDef('SystemModstamp', 'datetime'),
];

export const SCHEMA: ObjectDef[] = [
  objectDef('Lead', '00Q', [
    ...system(),
    fieldDef('FirstName', 'string'),
    fieldDef('LastName', 'string'),
    fieldDef('Company', 'string'),
    fieldDef('Email', 'email'),
    fieldDef('Status', 'picklist'),
    fieldDef('AnnualRevenue', 'currency'),
    fieldDef('NumberOfEmployees', 'int'),
    fieldDef('IsConverted', 'boolean'),
    fieldDef('ConvertedDate', 'date'),
    fieldDef('Description', 'textarea', { filterable: false, sortable: false }),
    fieldDef('OwnerId', 'reference', { referenceTo: ['Group', 'User'], relationshipName: 'Owner' }),
    fieldDef('ConvertedContactId', 'reference', { referenceTo: ['Contact'], relationshipName: 'ConvertedContact' }),
    fieldDef('Score__c', 'double'),
    fieldDef('Secret__c', 'string'),
    fieldDef('Interests__c', 'multipicklist'),
  ]),
  objectDef('Contact', '003', [...system(), fieldDef('FirstName', 'string'), fieldDef('LastName', 'string'), fieldDef('Email', 'email')]),
  objectDef('User', '005', [fieldDef('Id', 'id'), fieldDef('Name', 'string'), fieldDef('Email', 'email')]),
  objectDef('Group', '00G', [fieldDef('Id', 'id'), fieldDef('Name', 'string')]),
];

/** An 18-character id: key prefix + counter (the checksum suffix is not checked here). */
export function sfId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(12, '0')}AAA`;
}

export type ScanOpts = Parameters<QueryContext['scan']>[1];

export class FakeContext implements QueryContext {
  readonly scans: Array<{ object: string; opts: ScanOpts }> = [];
  /** Rows handed out by scan(), to prove the fast path reads only what it needs. */
  rowsScanned = 0;
  private readonly records = new Map<string, SfRecord[]>();

  constructor(
    private readonly nowMs = Date.UTC(2024, 5, 15, 12, 0, 0),
    /** 'Lead.Secret__c' style names the user cannot see. */
    readonly hidden = new Set<string>(),
  ) {}

  add(object: string, ...rows: SfRecord[]): this {
    const list = this.records.get(object) ?? [];
    list.push(...rows);
    this.records.set(object, list);
    return this;
  }

  object(name: string): ObjectDef | undefined {
    const def = SCHEMA.find((o) => o.name.toLowerCase() === name.toLowerCase());
    if (!def) return undefined;
    const fields = new Map([...def.fields].filter(([, f]) => !this.hidden.has(`${def.name}.${f.name}`)));
    return { ...def, fields };
  }

  access(object: string, field: string): 'none' | 'read' | 'edit' {
    return this.hidden.has(`${object}.${field}`) ? 'none' : 'edit';
  }

  *scan(object: string, opts: ScanOpts): Iterable<SfRecord> {
    this.scans.push({ object, opts });
    let rows = (this.records.get(object) ?? []).filter((r) => opts.includeDeleted || r.IsDeleted !== true);
    const bound = opts.modstamp;
    if (bound) {
      rows = rows
        .filter((r) => (bound.op === '>' ? String(r.SystemModstamp) > bound.value : String(r.SystemModstamp) >= bound.value))
        .sort((a, b) => (String(a.SystemModstamp) < String(b.SystemModstamp) ? -1 : 1));
    }
    for (const r of rows) {
      this.rowsScanned++;
      yield r;
    }
  }

  get(id: string): { object: string; record: SfRecord } | undefined {
    for (const [object, rows] of this.records) {
      const record = rows.find((r) => r.Id === id);
      if (record) return { object, record };
    }
    return undefined;
  }

  now(): number {
    return this.nowMs;
  }
}

/** A Lead row with every field present (null unless given), as the org stores it. */
export function lead(n: number, fields: Partial<SfRecord> = {}): SfRecord {
  const base: SfRecord = {};
  for (const f of SCHEMA[0]!.fields.values()) base[f.name] = null;
  return {
    ...base,
    Id: sfId('00Q', n),
    IsDeleted: false,
    IsConverted: false,
    CreatedDate: '2024-01-01T00:00:00.000+0000',
    SystemModstamp: '2024-01-01T00:00:00.000+0000',
    ...fields,
  } as SfRecord;
}
