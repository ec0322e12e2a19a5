/**
 * Loads scenario files: YAML → checked, loaded `Scenario`, or every problem
 * in the file as a `ScenarioError` pinned to its line and column.
 *
 * YAML is parsed with the `yaml` document API (a LineCounter for positions),
 * shapes are checked with the zod schemas of schema.ts, piece by piece so one
 * bad step does not hide the next, and then names are checked in context:
 * fields against the catalogue, refs against what earlier records and steps
 * defined, with the nearest valid name suggested.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { extract as formulaFields } from 'formulon';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { FieldCatalogue, isSalesforceObject, MARKETO_PERSON_FIELDS, SALESFORCE_OBJECTS, type SalesforceObject } from './catalogue.ts';
import type { ScenarioError, ScenarioErrorCode } from './errors.ts';
import {
  COUNT_TARGETS,
  customFieldSchema,
  DEFAULT_INTERVAL_MS,
  DEFAULT_SEED,
  DEFAULT_WINNER,
  EXPECTATION_KINDS,
  expectationSchemas,
  fileSchema,
  marketoFieldSchema,
  marketoSectionSchema,
  personSchema,
  REJECTABLE_STEPS,
  ruleSchema,
  accessSchema,
  salesforceRecordSchema,
  salesforceSectionSchema,
  STEP_KINDS,
  stepBodySchemas,
  syncSectionSchema,
  type CountTarget,
  type CustomFieldDecl,
  type Expectation,
  type ExpectationKind,
  type Fields,
  type MarketoFieldDecl,
  type PermissionDecl,
  type PersonDecl,
  type RuleDecl,
  type SalesforceRecordDecl,
  type Scalar,
  type Scenario,
  type Side,
  type SourceLoc,
  type Step,
  type StepKind,
  type SyncSettings,
} from './schema.ts';
import { closest } from './suggest.ts';
import { MUTANT_NAMES } from '../sim/mutants.ts';

export type LoadResult = { ok: true; scenario: Scenario } | { ok: false; errors: ScenarioError[] };

/** Salesforce error codes a `rejected:` may name (reference/salesforce-api.md §3); near misses are flagged as typos. */
export const KNOWN_SALESFORCE_ERROR_CODES = [
  'REQUIRED_FIELD_MISSING', 'FIELD_CUSTOM_VALIDATION_EXCEPTION', 'INVALID_EMAIL_ADDRESS', 'STRING_TOO_LONG',
  'INVALID_FIELD_FOR_INSERT_UPDATE', 'INVALID_FIELD', 'INVALID_TYPE', 'NOT_FOUND', 'MALFORMED_ID',
  'ENTITY_IS_DELETED', 'DUPLICATES_DETECTED', 'DUPLICATE_VALUE', 'UNABLE_TO_LOCK_ROW', 'REQUEST_LIMIT_EXCEEDED',
  'INVALID_SESSION_ID', 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'CANNOT_UPDATE_CONVERTED_LEAD',
  'INSUFFICIENT_ACCESS', 'INSUFFICIENT_ACCESS_OR_READONLY', 'FIELD_INTEGRITY_EXCEPTION',
  'INVALID_CROSS_REFERENCE_KEY', 'JSON_PARSER_ERROR', 'NUMBER_OUTSIDE_VALID_RANGE', 'INVALID_TYPE_ON_FIELD_IN_RECORD',
] as const;

/** Activity type names (reference/marketo.md B7, and the engine's custom type); near misses are flagged as typos. */
export const KNOWN_ACTIVITY_TYPES = [
  'Visit Webpage', 'Fill Out Form', 'Click Link', 'Send Email', 'Email Delivered', 'Email Bounced',
  'Unsubscribe Email', 'Open Email', 'Click Email', 'New Lead', 'Change Data Value', 'Sync Lead to SFDC',
  'Convert Lead', 'Change Score', 'Change Owner', 'Add to List', 'Remove from List', 'SFDC Activity',
  'Email Bounced Soft', 'Sync Lead Updates to SFDC', 'Delete Lead from SFDC', 'SFDC Activity Updated',
  'SFDC Merge Leads', 'Merge Leads', 'Delete Lead', 'Push Lead to Marketo', 'SFDC Sync Failure',
] as const;

// ---------------------------------------------------------------- public API

/** Parses one scenario from text; `fileName` is what errors print. */
export function parseScenario(text: string, fileName: string): LoadResult {
  return new FileLoader(text, fileName).load();
}

/** Reads and parses one scenario file. Never throws for a bad file: problems come back as errors. */
export function loadScenario(path: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [ioError(path, err)] };
  }
  return parseScenario(text, path);
}

/**
 * Loads every scenario named, folders searched for `.yaml`/`.yml` files (in
 * name order, sub-folders included). Each file stands alone: a bad one adds
 * its errors and the others still load.
 */
export function loadScenarios(pathsOrFolders: readonly string[]): { scenarios: Scenario[]; errors: ScenarioError[] } {
  const scenarios: Scenario[] = [];
  const errors: ScenarioError[] = [];
  for (const entry of pathsOrFolders) {
    let files: string[];
    try {
      files = statSync(entry).isDirectory() ? scenarioFilesIn(entry) : [entry];
    } catch (err) {
      errors.push(ioError(entry, err));
      continue;
    }
    for (const file of files) {
      const result = loadScenario(file);
      if (result.ok) scenarios.push(result.scenario);
      else errors.push(...result.errors);
    }
  }
  return { scenarios, errors };
}

function scenarioFilesIn(folder: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(folder).sort()) {
    const full = join(folder, name);
    if (statSync(full).isDirectory()) out.push(...scenarioFilesIn(full));
    else if (/\.ya?ml$/i.test(name)) out.push(full);
  }
  return out;
}

function ioError(path: string, err: unknown): ScenarioError {
  const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : String((err as Error).message ?? err);
  return { code: 'io', file: path, line: 1, column: 1, message: `cannot read ${path}: ${reason}`, path: [], lineText: '', span: 1 };
}

// ---------------------------------------------------------------- the loader

type Path = Array<string | number>;
type RefKind = SalesforceObject | 'person';

interface ReportOptions {
  /** Point at the key of the last path element rather than its value. */
  key?: boolean;
  suggestion?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const tick = (s: string | number) => `\`${s}\``;
const hint = (suggestion: string | undefined) => (suggestion === undefined ? '' : `: did you mean ${tick(suggestion)}?`);

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `text ${tick(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return String(value);
}

const EXPECTED_TYPE: Record<string, string> = {
  string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', array: 'a list',
  object: 'a map', record: 'a map', null: 'nothing (null)',
};

class FileLoader {
  private readonly errors: ScenarioError[] = [];
  private readonly lineCounter = new LineCounter();
  private readonly lines: string[];
  private doc: Document.Parsed | undefined;
  private readonly catalogue = new FieldCatalogue();
  private readonly refs = new Map<string, { kind: RefKind; line: number }>();
  /** The step being loaded, for error context. */
  private step: { number: number; kind: string } | undefined;

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {
    this.lines = text.split(/\r?\n/);
  }

  load(): LoadResult {
    const doc = parseDocument(this.text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    this.doc = doc;
    for (const e of doc.errors) {
      const message = e.message.replace(/\s+at line \d+, column \d+.*$/s, '');
      this.reportAt(e.pos[0], e.pos[1], 'yaml', `YAML: ${message}`, []);
    }
    if (this.errors.length > 0) return { ok: false, errors: this.errors };

    let root: unknown;
    try {
      root = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // An alias without its anchor, or an alias bomb: point at the first alias that does not resolve.
      let at: [number, number] = [0, 1];
      visit(doc, {
        Alias: (_key, node) => {
          if (node.resolve(doc) !== undefined || !node.range) return undefined;
          at = [node.range[0], node.range[1]];
          return visit.BREAK;
        },
      });
      this.reportAt(at[0], at[1], 'yaml', `YAML: ${(err as Error).message}`, []);
      return { ok: false, errors: this.errors };
    }
    if (root === null || root === undefined) {
      this.reportAt(0, 1, 'empty', 'the file is empty: a scenario needs at least `name:` and `steps:`', []);
      return { ok: false, errors: this.errors };
    }
    const top = this.check(fileSchema, root, []);
    const rootMap = isRecord(root) ? root : {};

    // Custom fields first: records and steps anywhere in the file may use them.
    const sf = this.check(salesforceSectionSchema, rootMap.salesforce, ['salesforce']) ?? {};
    const mk = this.check(marketoSectionSchema, rootMap.marketo, ['marketo']) ?? {};
    const sfFields = this.customFields(sf.fields ?? []);
    const mkFields = this.marketoFields(mk.fields ?? []);
    const permissions = this.permissions(sf.permissions ?? {});
    const rules = (sf.rules ?? []).flatMap((r, i) => this.rule(r, ['salesforce', 'rules', i]) ?? []);
    const records = (sf.records ?? []).flatMap((r, i) => this.record(r, ['salesforce', 'records', i]) ?? []);
    const people = (mk.people ?? []).flatMap((p, i) => this.person(p, ['marketo', 'people', i]) ?? []);
    const sync = this.sync(rootMap.sync);
    const rawSteps = Array.isArray(rootMap.steps) ? rootMap.steps : [];
    const steps = rawSteps.flatMap((s, i) => this.stepAt(s, i) ?? []);
    this.step = undefined;

    if (this.errors.length > 0 || top === undefined) return { ok: false, errors: this.errors };
    return {
      ok: true,
      scenario: {
        file: this.file,
        name: top.name,
        ...(top.description !== undefined ? { description: top.description } : {}),
        seed: top.seed ?? DEFAULT_SEED,
        salesforce: { fields: sfFields, permissions, rules, records },
        marketo: { fields: mkFields, people },
        sync,
        steps,
      },
    };
  }

  // ---------------------------------------------------------------- positions and reporting

  /** The node at `path`, or the deepest node on the way there. With `key`, the key node of the last step. */
  private locate(path: Path, key = false): Node | undefined {
    let node: unknown = this.doc?.contents;
    let found = node as Node | undefined;
    for (let i = 0; i < path.length; i++) {
      if (isAlias(node)) node = node.resolve(this.doc!);
      const seg = path[i]!;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
        if (!pair) break;
        if ((key && i === path.length - 1) || pair.value === null) return (pair.key as Node) ?? found;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (node === undefined) break;
      } else break;
      found = node as Node;
    }
    return found;
  }

  private loc(path: Path, key = false): SourceLoc {
    const node = this.locate(path, key);
    const pos = this.lineCounter.linePos(node?.range?.[0] ?? 0);
    return { file: this.file, line: pos.line, column: pos.col };
  }

  private report(path: Path, code: ScenarioErrorCode, message: string, opts: ReportOptions = {}): void {
    const node = this.locate(path, opts.key);
    const [start, end] = node?.range ?? [0, 1];
    this.reportAt(start, end, code, message, path, opts.suggestion);
  }

  private reportAt(start: number, end: number, code: ScenarioErrorCode, message: string, path: Path, suggestion?: string): void {
    // An error at the very end (an unclosed bracket) is shown at the end of the last line written.
    const trimmed = this.text.trimEnd().length;
    if (start >= trimmed && trimmed > 0) {
      start = trimmed - 1;
      end = trimmed;
    }
    const pos = this.lineCounter.linePos(start);
    const lineText = this.lines[pos.line - 1] ?? '';
    const span = Math.max(1, Math.min(end - start, lineText.length - (pos.col - 1)));
    this.errors.push({
      code,
      file: this.file,
      line: pos.line,
      column: pos.col,
      message,
      ...(suggestion !== undefined ? { suggestion } : {}),
      ...(this.step ? { step: { ...this.step } } : {}),
      path,
      lineText,
      span,
    });
  }

  /** Validates `value` (found at `path`) with a zod schema; reports every issue and returns the output, or undefined. */
  private check<S extends z.ZodType>(schema: S, value: unknown, path: Path): z.output<S> | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) this.zodIssue(issue, schema, value, path);
    return undefined;
  }

  private zodIssue(issue: z.core.$ZodIssue, schema: z.ZodType, value: unknown, base: Path): void {
    const path = [...base, ...(issue.path as Path)];
    const found = valueAt(value, issue.path as Path);
    const last = path[path.length - 1];
    const custom = !/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message);

    if (issue.code === 'unrecognized_keys') {
      const known = keysAt(schema, issue.path as Path);
      for (const k of issue.keys) {
        const suggestion = closest(k, known);
        const fix = suggestion !== undefined ? hint(suggestion) : known.length ? ` (expected one of ${known.map(tick).join(', ')})` : '';
        this.report([...path, k], 'unknown-key', `unknown key ${tick(k)}${where(path)}${fix}`, { key: true, ...(suggestion ? { suggestion } : {}) });
      }
      return;
    }
    if (found === undefined && issue.path.length > 0 && issue.code !== 'custom') {
      this.report(path.slice(0, -1), 'missing-key', `missing required key ${tick(String(last))}${where(path.slice(0, -1))}`);
      return;
    }
    switch (issue.code) {
      case 'invalid_type': {
        const expected = custom ? issue.message : `expected ${EXPECTED_TYPE[issue.expected] ?? issue.expected}`;
        this.report(path, 'type', `${expected}, got ${describe(found)}`);
        return;
      }
      case 'invalid_value': {
        if (custom) return this.report(path, 'value', `${issue.message}, got ${describe(found)}`);
        const options = issue.values.map((v) => String(v));
        const suggestion = typeof found === 'string' ? closest(found, options) : undefined;
        const got = typeof found === 'string' ? tick(found) : describe(found);
        this.report(path, 'value', `${got} is not one of ${options.map(tick).join(', ')}${hint(suggestion)}`, suggestion ? { suggestion } : {});
        return;
      }
      case 'too_small':
      case 'too_big': {
        if (custom) return this.report(path, 'value', `${issue.message}, got ${describe(found)}`);
        const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
        const cmp = issue.code === 'too_small' ? (issue.inclusive ? 'at least' : 'more than') : issue.inclusive ? 'at most' : 'less than';
        const what = issue.origin === 'string' ? `text of ${cmp} ${bound} characters` : issue.origin === 'array' ? `a list of ${cmp} ${bound} items` : `a number ${cmp} ${bound}`;
        this.report(path, 'value', `expected ${what}, got ${describe(found)}`);
        return;
      }
      case 'invalid_format':
        this.report(path, 'value', `${issue.message}, got ${describe(found)}`);
        return;
      case 'custom':
        this.report(path, /duration/.test(issue.message) ? 'duration' : 'value', issue.message);
        return;
      case 'invalid_union':
        this.report(path, 'type', `${issue.message}, got ${describe(found)}`);
        return;
      default:
        this.report(path, 'value', issue.message);
    }
  }

  // ---------------------------------------------------------------- names in context

  private defineRef(ref: string, kind: RefKind, path: Path): void {
    const seen = this.refs.get(ref);
    if (seen) {
      this.report([...path, 'ref'], 'duplicate-ref', `ref ${tick(ref)} is already defined on line ${seen.line}: each ref names one person/record pair`);
      return;
    }
    this.refs.set(ref, { kind, line: this.loc([...path, 'ref']).line });
  }

  /** Checks a ref is defined; returns what it currently names, or undefined. */
  private useRef(ref: unknown, path: Path): RefKind | undefined {
    if (typeof ref !== 'string') return undefined;
    const seen = this.refs.get(ref);
    if (seen) return seen.kind;
    const suggestion = closest(ref, this.refs.keys());
    const fix = suggestion !== undefined
      ? hint(suggestion)
      : ': define it first in `salesforce.records`, `marketo.people`, or a `salesforce.create` / `marketo.create` step';
    this.report(path, 'unknown-ref', `unknown ref ${tick(ref)}${fix}`, suggestion ? { suggestion } : {});
    return undefined;
  }

  private object(name: unknown, path: Path, key = false): SalesforceObject | undefined {
    if (typeof name === 'string' && isSalesforceObject(name)) return name;
    const suggestion = typeof name === 'string' ? closest(name, SALESFORCE_OBJECTS) : undefined;
    this.report(path, 'value', `unknown Salesforce object ${tick(String(name))}${suggestion ? hint(suggestion) : ` (expected ${SALESFORCE_OBJECTS.map(tick).join(', ')})`}`, { key, ...(suggestion ? { suggestion } : {}) });
    return undefined;
  }

  /** Canonical name of a field on a Salesforce object, or undefined after reporting it. */
  private sfField(object: SalesforceObject, name: string, path: Path, key: boolean): string | undefined {
    const field = this.catalogue.salesforceField(object, name);
    if (field) return field.name;
    const suggestion = closest(name, this.catalogue.salesforceFieldNames(object));
    const fix = suggestion !== undefined ? hint(suggestion) : name.endsWith('__c') ? ': declare custom fields under `salesforce.fields`' : '';
    this.report(path, 'unknown-field', `unknown field ${tick(name)} on ${object}${fix}`, { key, ...(suggestion ? { suggestion } : {}) });
    return undefined;
  }

  /** Field values of a Salesforce record: names checked and made canonical. */
  private sfFields(object: SalesforceObject, raw: Record<string, unknown>, path: Path, skip: readonly string[]): Fields {
    const out: Fields = {};
    for (const [name, value] of Object.entries(raw)) {
      if (skip.includes(name)) continue;
      const canonical = this.sfField(object, name, [...path, name], true);
      if (canonical === undefined) continue;
      if (canonical in out) {
        this.report([...path, name], 'duplicate', `field ${tick(canonical)} is given twice (Salesforce names ignore case)`, { key: true });
        continue;
      }
      const type = this.catalogue.salesforceField(object, canonical)!.type;
      out[canonical] = this.asText(type === 'text', value as Scalar, [...path, name]);
    }
    return out;
  }

  private mkFields(raw: Record<string, unknown>, path: Path, skip: readonly string[]): Fields {
    const out: Fields = {};
    for (const [name, value] of Object.entries(raw)) {
      if (skip.includes(name)) continue;
      const field = this.catalogue.marketoField(name);
      if (!field) {
        const suggestion = closest(name, this.catalogue.marketoFieldNames());
        const fix = suggestion !== undefined ? hint(suggestion) : ': declare custom fields under `marketo.fields`';
        this.report([...path, name], 'unknown-field', `unknown field ${tick(name)} on a Marketo person${fix}`, { key: true, ...(suggestion ? { suggestion } : {}) });
        continue;
      }
      if (field.name in out) {
        this.report([...path, name], 'duplicate', `field ${tick(field.name)} is given twice (field names ignore case)`, { key: true });
        continue;
      }
      out[field.name] = this.asText(field.type === 'text', value as Scalar, [...path, name]);
    }
    return out;
  }

  /**
   * A text field written as a plain number or boolean keeps the text as
   * written: `PostalCode: 02134` is "02134", not 2134.
   */
  private asText(isText: boolean, value: Scalar, path: Path): Scalar {
    if (!isText || (typeof value !== 'number' && typeof value !== 'boolean')) return value;
    const node = this.locate(path);
    if (isScalar(node) && node.type === 'PLAIN' && node.range) return this.text.slice(node.range[0], node.range[1]);
    return String(value);
  }

  /** `Lead.Phone` → object and canonical field, or undefined after reporting. */
  private objectField(text: string, path: Path, key: boolean): { object: SalesforceObject; field: string } | undefined {
    const m = /^(\w+)\.(\w+)$/.exec(text);
    if (!m) {
      this.report(path, 'value', `expected \`Object.Field\`, like \`Lead.Phone\`, got ${tick(text)}`, { key });
      return undefined;
    }
    const object = this.object(m[1], path, key);
    if (!object) return undefined;
    const field = this.sfField(object, m[2]!, path, key);
    return field === undefined ? undefined : { object, field };
  }

  // ---------------------------------------------------------------- setup

  private customFields(items: unknown[]): CustomFieldDecl[] {
    const out: CustomFieldDecl[] = [];
    items.forEach((item, i) => {
      const path = ['salesforce', 'fields', i];
      const f = this.check(customFieldSchema, item, path);
      if (!f) return;
      if (this.catalogue.salesforceField(f.object, f.name)) {
        this.report([...path, 'name'], 'duplicate', `field ${tick(f.name)} already exists on ${f.object}`);
        return;
      }
      this.catalogue.addSalesforceField(f.object, f.name, f.type);
      out.push({ ...f, loc: this.loc(path) });
    });
    return out;
  }

  private marketoFields(items: unknown[]): MarketoFieldDecl[] {
    const out: MarketoFieldDecl[] = [];
    const declared = new Set<string>();
    items.forEach((item, i) => {
      const path = ['marketo', 'fields', i];
      const f = this.check(marketoFieldSchema, item, path);
      if (!f) return;
      // A Salesforce custom field is already mirrored onto people; declaring it here too is fine.
      const existing = this.catalogue.marketoField(f.name);
      if (existing && (MARKETO_PERSON_FIELDS[existing.name] !== undefined || declared.has(f.name.toLowerCase()))) {
        this.report([...path, 'name'], 'duplicate', `field ${tick(f.name)} already exists on Marketo people`);
        return;
      }
      declared.add(f.name.toLowerCase());
      this.catalogue.addMarketoField(f.name, f.type);
      out.push({ ...f, loc: this.loc(path) });
    });
    return out;
  }

  private permissions(map: Record<string, unknown>): PermissionDecl[] {
    const out: PermissionDecl[] = [];
    for (const [name, value] of Object.entries(map)) {
      const path = ['salesforce', 'permissions', name];
      const target = this.objectField(name, path, true);
      const access = this.check(accessSchema, value, path);
      if (target && access) out.push({ ...target, access, loc: this.loc(path, true) });
    }
    return out;
  }

  private rule(raw: unknown, path: Path): RuleDecl | undefined {
    const r = this.check(ruleSchema, raw, path);
    if (!r) return undefined;
    let ok = true;
    if (r.field !== undefined) {
      const canonical = this.sfField(r.object, r.field, [...path, 'field'], false);
      if (canonical === undefined) ok = false;
      else r.field = canonical;
    }
    // Plain field names in the formula must exist; cross-object ($User, Owner.Name) ones are left to the org.
    let names: string[] = [];
    try {
      names = formulaFields(r.formula);
    } catch {
      names = [];
    }
    for (const name of names) {
      if (!/^\w+$/.test(name) || this.catalogue.salesforceField(r.object, name)) continue;
      const suggestion = closest(name, this.catalogue.salesforceFieldNames(r.object));
      this.report([...path, 'formula'], 'unknown-field', `the formula uses unknown field ${tick(name)} on ${r.object}${hint(suggestion)}`, suggestion ? { suggestion } : {});
      ok = false;
    }
    return ok ? { ...r, loc: this.loc(path) } : undefined;
  }

  private record(raw: unknown, path: Path): SalesforceRecordDecl | undefined {
    if (isRecord(raw) && typeof raw.ref === 'string' && typeof raw.object === 'string' && isSalesforceObject(raw.object)) {
      this.defineRef(raw.ref, raw.object, path);
    }
    const r = this.check(salesforceRecordSchema, raw, path);
    if (!r) return undefined;
    return { ref: r.ref, object: r.object, fields: this.sfFields(r.object, r, path, ['ref', 'object']), loc: this.loc(path) };
  }

  private person(raw: unknown, path: Path): PersonDecl | undefined {
    if (isRecord(raw) && typeof raw.ref === 'string') this.defineRef(raw.ref, 'person', path);
    const p = this.check(personSchema, raw, path);
    if (!p) return undefined;
    return { ref: p.ref, fields: this.mkFields(p, path, ['ref']), loc: this.loc(path) };
  }

  private sync(raw: unknown): SyncSettings {
    const s = this.check(syncSectionSchema, raw, ['sync']) ?? {};
    const winner = { ...DEFAULT_WINNER };
    const fieldWinners: Record<string, Side> = {};
    for (const [key, side] of Object.entries(s.winner ?? {})) {
      const path = ['sync', 'winner', key];
      if (key === 'Lead' || key === 'Contact') {
        winner[key] = side;
        continue;
      }
      if (!key.includes('.')) {
        const suggestion = closest(key, ['Lead', 'Contact']);
        this.report(path, 'value', `a winner is set for \`Lead\`, \`Contact\` or one field like \`Lead.Title\`, not ${tick(key)}${hint(suggestion)}`, { key: true });
        continue;
      }
      const target = this.objectField(key, path, true);
      if (!target) continue;
      if (target.object === 'Account') {
        this.report(path, 'value', 'winners apply to Lead and Contact fields only (accounts are not synced as people)', { key: true });
        continue;
      }
      fieldWinners[`${target.object}.${target.field}`] = side;
    }
    let mutant: string | undefined;
    if (s.mutant !== undefined) {
      if (MUTANT_NAMES.includes(s.mutant)) mutant = s.mutant;
      else this.report(['sync', 'mutant'], 'value', `unknown engine mutant ${tick(s.mutant)}${hint(closest(s.mutant, MUTANT_NAMES))} (\`sync-sim fuzz --mutant list\` prints them)`);
    }
    return { intervalMs: s.interval ?? DEFAULT_INTERVAL_MS, winner, fieldWinners, ...(mutant !== undefined ? { mutant } : {}) };
  }

  // ---------------------------------------------------------------- steps

  private stepAt(raw: unknown, index: number): Step | undefined {
    const path: Path = ['steps', index];
    const number = index + 1;
    // Errors before the kind is known name the step by number only.
    this.step = { number, kind: typeof raw === 'string' ? raw : '?' };
    let kind: string;
    let body: unknown = null;
    let bodyPath: Path = path;
    let rejected: { value: unknown; path: Path } | undefined;
    let atRequest: { value: unknown; path: Path } | undefined;

    if (typeof raw === 'string') {
      kind = raw;
    } else if (isRecord(raw)) {
      const actions = Object.keys(raw).filter((k) => k !== 'rejected' && k !== 'atRequest');
      if (actions.length === 0) {
        const modifier = 'rejected' in raw ? 'rejected' : 'atRequest';
        this.report(path, 'step-shape', `\`${modifier}\` goes beside an action, like \`- salesforce.update: {…}\` then \`${modifier === 'rejected' ? 'rejected: REQUIRED_FIELD_MISSING' : 'atRequest: 3'}\``);
        return undefined;
      }
      kind = actions[0]!;
      this.step = { number, kind };
      for (const extra of actions.slice(1)) {
        const known = (STEP_KINDS as readonly string[]).includes(extra);
        const fix = known ? `put \`${extra}\` in its own \`- ${extra}: …\` item` : `unknown key${hint(closest(extra, [...STEP_KINDS, 'rejected', 'atRequest']))}`;
        this.report([...path, extra], 'step-shape', `one action per step, and this one already does \`${kind}\`: ${fix}`, { key: true });
      }
      body = raw[kind];
      bodyPath = [...path, kind];
      if ('rejected' in raw) rejected = { value: raw.rejected, path: [...path, 'rejected'] };
      if ('atRequest' in raw) atRequest = { value: raw.atRequest, path: [...path, 'atRequest'] };
    } else {
      this.report(path, 'step-shape', `expected a step like \`- wait: 5m\`, got ${describe(raw)}`);
      return undefined;
    }

    if (!(STEP_KINDS as readonly string[]).includes(kind)) {
      const suggestion = closest(kind, STEP_KINDS);
      const fix = suggestion !== undefined ? hint(suggestion) : ` (steps: ${STEP_KINDS.map(tick).join(', ')})`;
      this.report(bodyPath, 'unknown-step', `unknown step ${tick(kind)}${fix}`, { key: typeof raw !== 'string', ...(suggestion ? { suggestion } : {}) });
      return undefined;
    }
    const stepKind = kind as StepKind;
    this.step = { number, kind };
    try {
      if (typeof raw === 'string' && stepKind !== 'engine.restart') {
        this.report(path, 'step-shape', `\`${kind}\` needs a value: write \`- ${kind}: ${kind === 'wait' ? '5m' : '{ … }'}\``);
        return undefined;
      }
      // `rejected:` may also sit inside the action's map.
      if (isRecord(body) && 'rejected' in body && kind !== 'expect') {
        if (rejected) this.report([...bodyPath, 'rejected'], 'duplicate', '`rejected` is given twice', { key: true });
        rejected = { value: body.rejected, path: [...bodyPath, 'rejected'] };
        const { rejected: _, ...rest } = body;
        body = rest;
      }
      const code = rejected ? this.rejectedCode(stepKind, rejected.value, rejected.path) : undefined;
      const at = atRequest ? this.atRequest(stepKind, atRequest.value, atRequest.path) : undefined;
      const loaded = this.stepBody(stepKind, body, bodyPath);
      if (!loaded || (rejected && code === undefined) || (atRequest && at === undefined)) return undefined;
      return { number, loc: this.loc(path), ...(code !== undefined ? { rejected: code } : {}), ...(at !== undefined ? { atRequest: at } : {}), ...loaded } as Step;
    } finally {
      this.step = undefined;
    }
  }

  /** `atRequest: n` beside a person's action: it lands just before the engine's n-th request from there. */
  private atRequest(kind: StepKind, value: unknown, path: Path): number | undefined {
    if (!(REJECTABLE_STEPS as readonly string[]).includes(kind)) {
      this.report(path, 'value', `\`atRequest\` does not apply to \`${kind}\`: only a person's action can land while the engine's requests are in flight (${REJECTABLE_STEPS.map(tick).join(', ')})`, { key: true });
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      this.report(path, 'value', `expected a whole number of requests from here, 1 or more (1 = the engine's next request), got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  private rejectedCode(kind: StepKind, value: unknown, path: Path): string | undefined {
    if (!(REJECTABLE_STEPS as readonly string[]).includes(kind)) {
      const why = kind === 'marketo.syncPersonToSfdc'
        ? 'the flow action is the engine\'s work and never fails the step: check its failures with `expect: { activity: … }`'
        : `only a person's action can be refused (${REJECTABLE_STEPS.map(tick).join(', ')})`;
      this.report(path, 'value', `\`rejected\` does not apply to \`${kind}\`: ${why}`, { key: true });
      return undefined;
    }
    if (typeof value === 'number' && Number.isInteger(value)) value = String(value);
    if (typeof value !== 'string' || !/^([A-Z][A-Z0-9_]*|\d{3,4})$/.test(value)) {
      this.report(path, 'value', `expected an error code, like \`REQUIRED_FIELD_MISSING\` (Salesforce) or \`1006\` (Marketo), got ${describe(value)}`);
      return undefined;
    }
    if (kind.startsWith('salesforce.') && !(KNOWN_SALESFORCE_ERROR_CODES as readonly string[]).includes(value)) {
      const suggestion = closest(value, KNOWN_SALESFORCE_ERROR_CODES);
      // Codes outside the list are allowed (the org may answer others); near misses are typos.
      if (suggestion !== undefined) {
        this.report(path, 'value', `unknown Salesforce error code ${tick(value)}${hint(suggestion)}`, { suggestion });
        return undefined;
      }
    }
    return value;
  }

  /** The kind-specific part of a loaded step. */
  private stepBody(kind: StepKind, body: unknown, path: Path): Record<string, unknown> | undefined {
    switch (kind) {
      case 'wait': {
        const ms = this.check(stepBodySchemas.wait, body, path);
        return ms === undefined ? undefined : { kind, ms };
      }
      case 'salesforce.create': {
        if (isRecord(body) && typeof body.ref === 'string' && typeof body.object === 'string' && isSalesforceObject(body.object)) {
          this.defineRef(body.ref, body.object, path);
        }
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        return { kind, ref: b.ref, object: b.object, fields: this.sfFields(b.object, b, path, ['ref', 'object']) };
      }
      case 'salesforce.update': {
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        const ref = this.useRef(b.ref, [...path, 'ref']);
        if (ref === undefined) return undefined;
        return { kind, ref: b.ref, fields: this.sfFields(ref === 'person' ? 'Lead' : ref, b, path, ['ref']) };
      }
      case 'salesforce.delete':
      case 'marketo.delete':
      case 'marketo.syncPersonToSfdc': {
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        const ref = this.useRef(b.ref, [...path, 'ref']);
        if (ref === undefined || (kind.startsWith('marketo.') && !this.isPerson(ref, b.ref, path))) return undefined;
        return { kind, ref: b.ref };
      }
      case 'salesforce.convert': {
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        const ref = this.useRef(b.ref, [...path, 'ref']);
        if (ref === undefined) return undefined;
        // The ref follows its pair to the new contact.
        if (ref === 'Lead' || ref === 'person') this.refs.get(b.ref)!.kind = 'Contact';
        return { kind, ref: b.ref };
      }
      case 'salesforce.merge': {
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        const into = this.useRef(b.into, [...path, 'into']);
        const from = this.useRef(b.from, [...path, 'from']);
        if (into === undefined || from === undefined) return undefined;
        if (b.into === b.from) {
          this.report([...path, 'from'], 'value', 'a record cannot be merged into itself');
          return undefined;
        }
        return { kind, into: b.into, from: b.from };
      }
      case 'salesforce.permission': {
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        const target = this.objectField(b.field, [...path, 'field'], false);
        return target ? { kind, ...target, access: b.access } : undefined;
      }
      case 'salesforce.rule': {
        const r = this.rule(body, path);
        if (!r) return undefined;
        const { loc: _, ...rule } = r;
        return { kind, rule };
      }
      case 'marketo.create': {
        if (isRecord(body) && typeof body.ref === 'string') this.defineRef(body.ref, 'person', path);
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        return { kind, ref: b.ref, fields: this.mkFields(b, path, ['ref']) };
      }
      case 'marketo.update': {
        const b = this.check(stepBodySchemas[kind], body, path);
        if (!b) return undefined;
        const ref = this.useRef(b.ref, [...path, 'ref']);
        if (ref === undefined || !this.isPerson(ref, b.ref, path)) return undefined;
        return { kind, ref: b.ref, fields: this.mkFields(b, path, ['ref']) };
      }
      case 'fault': {
        const b = this.check(stepBodySchemas.fault, body, path);
        if (!b) return undefined;
        // Neither `for` nor `times`: the fault hits the next request only.
        const times = b.times ?? (b.for === undefined ? 1 : undefined);
        return {
          kind,
          system: b.system,
          fault: b.kind,
          ...(b.for !== undefined ? { forMs: b.for } : {}),
          ...(times !== undefined ? { times } : {}),
        };
      }
      case 'engine.restart':
        return this.check(stepBodySchemas[kind], body, path) === undefined && body !== null ? undefined : { kind };
      case 'expect':
        return this.expect(body, path);
    }
  }

  private isPerson(kind: RefKind, ref: string, path: Path): boolean {
    if (kind !== 'Account') return true;
    this.report([...path, 'ref'], 'value', `ref ${tick(ref)} is an Account, not a person: Marketo steps act on leads and contacts`);
    return false;
  }

  // ---------------------------------------------------------------- expect

  private expect(body: unknown, path: Path): Record<string, unknown> | undefined {
    const map = this.check(stepBodySchemas.expect, body, path);
    if (!map) return undefined;
    if (Object.keys(map).length === 0) {
      this.report(path, 'value', `an expect needs at least one check: ${EXPECTATION_KINDS.map(tick).join(', ')}`);
      return undefined;
    }
    const checks: Expectation[] = [];
    let ok = true;
    for (const [key, value] of Object.entries(map)) {
      const keyPath = [...path, key];
      if (!(EXPECTATION_KINDS as readonly string[]).includes(key)) {
        const suggestion = closest(key, EXPECTATION_KINDS);
        const fix = suggestion !== undefined ? hint(suggestion) : ` (expected one of ${EXPECTATION_KINDS.map(tick).join(', ')})`;
        this.report(keyPath, 'unknown-key', `unknown check ${tick(key)} in expect${fix}`, { key: true, ...(suggestion ? { suggestion } : {}) });
        ok = false;
        continue;
      }
      const type = key as ExpectationKind;
      const listable = type !== 'count' && type !== 'converged';
      const items: Array<[unknown, Path]> = listable && Array.isArray(value)
        ? value.map((v, i) => [v, [...keyPath, i]])
        : [[value, keyPath]];
      for (const [item, itemPath] of items) {
        const loaded = this.expectation(type, item, itemPath);
        if (loaded) checks.push(...loaded);
        else ok = false;
      }
    }
    return ok ? { kind: 'expect', checks } : undefined;
  }

  private expectation(type: ExpectationKind, raw: unknown, path: Path): Expectation[] | undefined {
    const loc = this.loc(path);
    switch (type) {
      case 'salesforce': {
        const b = this.check(expectationSchemas.salesforce, raw, path);
        if (!b) return undefined;
        const ref = this.useRef(b.ref, [...path, 'ref']);
        if (ref === undefined) return undefined;
        const object = b.object ?? (ref === 'person' ? 'Lead' : ref);
        const fields = this.sfFields(object, b, path, ['ref', 'object']);
        return [{ type, ref: b.ref, ...(b.object !== undefined ? { object: b.object } : {}), fields, loc }];
      }
      case 'marketo': {
        const b = this.check(expectationSchemas.marketo, raw, path);
        if (!b) return undefined;
        const ref = this.useRef(b.ref, [...path, 'ref']);
        if (ref === undefined || !this.isPerson(ref, b.ref, path)) return undefined;
        return [{ type, ref: b.ref, fields: this.mkFields(b, path, ['ref']), loc }];
      }
      case 'activity': {
        const b = this.check(expectationSchemas.activity, raw, path);
        if (!b) return undefined;
        if (this.useRef(b.ref, [...path, 'ref']) === undefined) return undefined;
        if (typeof b.type === 'string' && !(KNOWN_ACTIVITY_TYPES as readonly string[]).includes(b.type)) {
          // Other names may be custom types; near misses of known ones are typos.
          const suggestion = closest(b.type, KNOWN_ACTIVITY_TYPES);
          if (suggestion !== undefined) {
            this.report([...path, 'type'], 'value', `unknown activity type ${tick(b.type)}${hint(suggestion)}`, { suggestion });
            return undefined;
          }
        }
        return [{
          type, ref: b.ref, activityType: b.type,
          ...(b.contains !== undefined ? { contains: b.contains } : {}),
          ...(b.count !== undefined ? { count: b.count } : {}),
          loc,
        }];
      }
      case 'linked': {
        const b = this.check(expectationSchemas.linked, raw, path);
        if (!b) return undefined;
        if (this.useRef(b.ref, [...path, 'ref']) === undefined) return undefined;
        return [{ type, ref: b.ref, sfdcType: b.sfdcType, loc }];
      }
      case 'count': {
        const b = this.check(expectationSchemas.count, raw, path);
        if (!b) return undefined;
        const out: Expectation[] = [];
        for (const [target, expected] of Object.entries(b)) {
          if (!(COUNT_TARGETS as readonly string[]).includes(target)) {
            const suggestion = closest(target, COUNT_TARGETS);
            const fix = suggestion !== undefined ? hint(suggestion) : ` (expected one of ${COUNT_TARGETS.map(tick).join(', ')})`;
            this.report([...path, target], 'unknown-key', `unknown count ${tick(target)}${fix}`, { key: true, ...(suggestion ? { suggestion } : {}) });
            return undefined;
          }
          out.push({ type, target: target as CountTarget, expected, loc: this.loc([...path, target], true) });
        }
        return out;
      }
      case 'converged':
        return this.check(expectationSchemas.converged, raw, path) ? [{ type, loc }] : undefined;
    }
  }
}

// ---------------------------------------------------------------- helpers

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** " in `salesforce.fields[0]`" — where a key lives, for messages. Inside a step, relative to the step's value. */
function where(path: Path): string {
  if (path.length === 0) return ' at the top of the file';
  if (path[0] === 'steps' && path.length >= 3) {
    path = path.slice(3);
    if (path.length === 0) return '';
  }
  const text = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  return ` in \`${text}\``;
}

/** The keys a zod object schema allows at `path` (through optional, nullable, pipes, arrays and records). */
function keysAt(schema: z.ZodType, path: Path): string[] {
  let s: unknown = schema;
  const unwrap = () => {
    for (;;) {
      const def = (s as { def?: { type: string; innerType?: unknown; in?: unknown } }).def;
      if (!def) return;
      if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') s = def.innerType;
      else if (def.type === 'pipe') s = def.in;
      else return;
    }
  };
  for (const seg of path) {
    unwrap();
    const def = (s as { def: { type: string; element?: unknown; valueType?: unknown } }).def;
    if (def.type === 'object') s = (s as { shape: Record<string, unknown> }).shape[String(seg)];
    else if (def.type === 'array') s = def.element;
    else if (def.type === 'record') s = def.valueType;
    else return [];
    if (s === undefined) return [];
  }
  unwrap();
  const shape = (s as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
