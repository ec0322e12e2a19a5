/**
 * Validation rules (reference §6.1) evaluated with formulon. formulon has
 * no ISNEW(), ISCHANGED(f) or PRIORVALUE(f), and its TODAY()/NOW() read the
 * wall clock; a pre-pass rewrites those calls into variables that are then
 * substituted with their values for the save at hand, on the org's clock.
 */
import { ast, extract, parse } from 'formulon';
import type { Literal } from 'formulon';
import { parseSfDate, parseSfDateTime, sfDate } from './field-values.ts';
import type { FieldDef, ObjectDef, SfRecord, SfValue, ValidationRuleSpec } from './types.ts';

const ISNEW_VAR = 'SFX_ISNEW';
const TODAY_VAR = 'SFX_TODAY';
const NOW_VAR = 'SFX_NOW';

type Binding =
  | { kind: 'value' | 'prior' | 'changed'; field: FieldDef }
  | { kind: 'isnew' | 'today' | 'now' }
  | { kind: 'user'; field: FieldDef }
  | { kind: 'permission'; name: string };

export interface CompiledRule {
  spec: Required<Pick<ValidationRuleSpec, 'object' | 'name' | 'formula' | 'message' | 'active'>> & { field?: string };
  /** The formula after the pre-pass, as handed to formulon. */
  rewritten: string;
  bindings: Map<string, Binding>;
}

export interface RuleContext {
  record: SfRecord;
  /** The running user's User row, for $User.Field. */
  user?: SfRecord;
  /** The running user's custom permissions, for $Permission.Name (the usual bypass). */
  permissions?: ReadonlySet<string>;
  /** The record before this save; undefined on insert. */
  prior: SfRecord | undefined;
  now: number;
}

export type RuleOutcome = { fires: boolean } | { error: string };

export class RuleDefinitionError extends Error {}

/**
 * Checks a rule against its object and prepares it for evaluation. Throws a
 * RuleDefinitionError naming the rule when the formula does not parse,
 * names an unknown field, has a type error, or does not return a checkbox.
 */
export function compileRule(spec: ValidationRuleSpec, object: ObjectDef, userObject?: ObjectDef): CompiledRule {
  const where = `validation rule ${object.name}.${spec.name}`;
  if (!spec.name || !/^[A-Za-z][A-Za-z0-9_]*$/.test(spec.name)) throw new RuleDefinitionError(`${where}: the name must start with a letter and use letters, digits and underscores`);
  if (typeof spec.formula !== 'string' || spec.formula.trim() === '') throw new RuleDefinitionError(`${where}: the formula is empty`);
  if (typeof spec.message !== 'string' || spec.message.trim() === '') throw new RuleDefinitionError(`${where}: the error message is empty`);
  let errorField: string | undefined;
  if (spec.field !== undefined && spec.field !== null && spec.field !== '') {
    const f = object.fields.get(spec.field.toLowerCase());
    if (!f) throw new RuleDefinitionError(`${where}: error field '${spec.field}' does not exist on ${object.name}`);
    errorField = f.name;
  }

  const bindings = new Map<string, Binding>();
  const rewritten = rewrite(spec.formula, object, bindings, where);
  const parsed = parsedFormula(rewritten);
  if ('error' in parsed) throw new RuleDefinitionError(`${where}: the formula does not parse: ${parsed.error}`);
  for (const id of parsed.identifiers) {
    if (bindings.has(id)) continue;
    if (id.startsWith('$')) {
      bindings.set(id, globalBinding(id, userObject, where));
      continue;
    }
    const f = object.fields.get(id.toLowerCase());
    if (!f) throw new RuleDefinitionError(`${where}: Field ${id} does not exist. Check spelling.`);
    bindings.set(id, { kind: 'value', field: f });
  }

  const rule: CompiledRule = {
    spec: { object: object.name, name: spec.name, formula: spec.formula, message: spec.message, active: spec.active ?? true, field: errorField },
    rewritten,
    bindings,
  };
  // Type-check by evaluating against a blank record, as an insert and as an update.
  const blank: SfRecord = {};
  for (const f of object.fields.values()) blank[f.name] = f.type === 'boolean' ? false : null;
  for (const prior of [undefined, blank]) {
    let result: ReturnType<typeof run>;
    try {
      result = run(rule, { record: blank, prior, now: 0 });
    } catch (e) {
      throw new RuleDefinitionError(`${where}: ${(e as Error).message}`);
    }
    if (result.type === 'error') {
      // Errors that depend on a value (DATEVALUE of blank text) are run-time errors, not definition errors.
      if (!isValueError(result)) throw new RuleDefinitionError(`${where}: ${result.message}`);
      continue;
    }
    if (result.dataType !== 'checkbox') {
      throw new RuleDefinitionError(`${where}: Formula result is data type (${result.dataType}), incompatible with expected data type (true/false).`);
    }
  }
  return rule;
}

/**
 * Whether the rule blocks the save. A formula that fails at run time (a
 * value formulon cannot handle) does not block: the rule is reported as an
 * error to the caller, which records it, and the save goes on. Real
 * Salesforce would surface the error to the user; blocking every save of a
 * record on an emulator limitation would be worse for a simulation.
 */
export function evaluateRule(rule: CompiledRule, ctx: RuleContext): RuleOutcome {
  let result: ReturnType<typeof run>;
  try {
    result = run(rule, ctx);
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (result.type === 'error') return { error: result.message };
  return { fires: result.value === true };
}

/** $User.Field and $Permission.Name; other global variables are not modelled. */
function globalBinding(id: string, userObject: ObjectDef | undefined, where: string): Binding {
  const m = /^\$(User|Permission)\.([A-Za-z][A-Za-z0-9_]*)$/i.exec(id);
  if (m && m[1]!.toLowerCase() === 'permission') return { kind: 'permission', name: m[2]!.toLowerCase() };
  const field = m ? userObject?.fields.get(m[2]!.toLowerCase()) : undefined;
  if (!field) throw new RuleDefinitionError(`${where}: ${id} is not supported here: use $User.<User field> or $Permission.<name>`);
  return { kind: 'user', field };
}

function isValueError(e: { errorType: string; message: string }): boolean {
  return e.errorType === 'ArgumentError' && !/^Incorrect (parameter type|number of parameters)/.test(e.message);
}

// formulon has no compiled form: `parse(formula, values)` runs its PEG parser on the text every time, which
// was most of a save's cost. The answer is a pure function of the formula and the values bound to it
// (TODAY/NOW are bound, not read), so it is memoised on both, process-wide: worlds of one fuzz campaign
// share a few rules and a few values. TIMENOW() reads the wall clock inside formulon: never memoised.
const MEMO_LIMIT = 20_000;
const parsedMemo = new Map<string, { identifiers: string[] } | { error: string }>();
const resultMemo = new Map<string, ReturnType<typeof parse>>();

/** The identifiers of a rewritten formula, or why it does not parse (formulon's ast and extract, once per text). */
function parsedFormula(rewritten: string): { identifiers: string[] } | { error: string } {
  const hit = parsedMemo.get(rewritten);
  if (hit) return hit;
  let out: { identifiers: string[] } | { error: string };
  try {
    const tree = ast(rewritten) as { type?: string; message?: string };
    out = tree.type === 'error' ? { error: tree.message ?? 'syntax error' } : { identifiers: extract(rewritten) };
  } catch (e) {
    out = { error: (e as Error).message };
  }
  if (parsedMemo.size >= MEMO_LIMIT) parsedMemo.clear();
  parsedMemo.set(rewritten, out);
  return out;
}

function run(rule: CompiledRule, ctx: RuleContext) {
  const subs: Record<string, Literal> = {};
  let key = rule.rewritten;
  for (const [name, b] of rule.bindings) {
    const lit = bind(b, ctx);
    subs[name] = lit;
    key += `\u0000${name}\u0001${literalKey(lit)}`;
  }
  if (/TIMENOW/i.test(rule.rewritten)) return parse(rule.rewritten, subs);
  const hit = resultMemo.get(key);
  if (hit) return hit;
  // A throw is not memoised: evaluateRule reports it, and it is rare.
  const result = parse(rule.rewritten, subs);
  if (resultMemo.size >= MEMO_LIMIT) resultMemo.clear();
  resultMemo.set(key, result);
  return result;
}

/** Everything of a bound literal that formulon reads, as text (Dates by their time and numbers by String: JSON makes NaN and Infinity null). */
function literalKey(lit: Literal): string {
  const v = lit.value;
  const value = v instanceof Date ? `D${v.getTime()}` : typeof v === 'number' ? `N${v}` : JSON.stringify(v);
  return `${lit.dataType}\u0001${value}\u0001${lit.options ? JSON.stringify(lit.options) : ''}`;
}

function bind(b: Binding, ctx: RuleContext): Literal {
  switch (b.kind) {
    case 'isnew':
      return { type: 'literal', dataType: 'checkbox', value: ctx.prior === undefined };
    case 'today':
      return { type: 'literal', dataType: 'date', value: new Date(parseSfDate(sfDate(ctx.now))!), options: {} };
    case 'now':
      return { type: 'literal', dataType: 'datetime', value: new Date(ctx.now), options: {} };
    case 'value':
      return literal(b.field, ctx.record[b.field.name] ?? null);
    case 'user':
      return literal(b.field, ctx.user?.[b.field.name] ?? null);
    case 'permission':
      return { type: 'literal', dataType: 'checkbox', value: ctx.permissions?.has(b.name) ?? false };
    case 'prior':
      // PRIORVALUE on insert is the current value, not null.
      return literal(b.field, (ctx.prior ?? ctx.record)[b.field.name] ?? null);
    case 'changed': {
      if (ctx.prior === undefined) return { type: 'literal', dataType: 'checkbox', value: false };
      const before = ctx.prior[b.field.name] ?? null;
      const after = ctx.record[b.field.name] ?? null;
      return { type: 'literal', dataType: 'checkbox', value: before !== after };
    }
  }
}

/** A field value as formulon wants it. */
export function literal(field: FieldDef, value: SfValue): Literal {
  switch (field.type) {
    case 'boolean':
      return { type: 'literal', dataType: 'checkbox', value: value === true };
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return {
        type: 'literal',
        dataType: 'number',
        value: typeof value === 'number' ? value : null,
        options: { length: field.type === 'int' ? field.digits || 9 : field.precision - field.scale, scale: field.scale },
      };
    case 'date':
      return { type: 'literal', dataType: 'date', value: typeof value === 'string' ? new Date(parseSfDate(value) ?? 0) : null, options: {} };
    case 'datetime':
      return { type: 'literal', dataType: 'datetime', value: typeof value === 'string' ? new Date(parseSfDateTime(value) ?? 0) : null, options: {} };
    case 'picklist':
      // Blank picklists are '' rather than null: formulon's TEXT(null) gives "NULL".
      return { type: 'literal', dataType: 'picklist', value: value === null ? '' : String(value), options: { values: field.picklistValues.map((p) => p.value) } };
    case 'multipicklist':
      return { type: 'literal', dataType: 'multipicklist', value: value === null ? [] : String(value).split(';'), options: { values: field.picklistValues.map((p) => p.value) } };
    default: {
      // Salesforce formulas see blank text as the empty string (ISNULL on text is always false).
      const text = value === null ? '' : String(value);
      return { type: 'literal', dataType: 'text', value: text, options: { length: Math.max(field.length, text.length, 1) } };
    }
  }
}

/**
 * Replaces ISNEW(), ISCHANGED(f), PRIORVALUE(f), TODAY() and NOW() outside
 * string literals and comments with variables, recording what each means.
 */
function rewrite(formula: string, object: ObjectDef, bindings: Map<string, Binding>, where: string): string {
  let out = '';
  let i = 0;
  const call = /^(ISNEW|TODAY|NOW)\s*\(\s*\)|^(ISCHANGED|PRIORVALUE)\s*\(\s*([A-Za-z][A-Za-z0-9_]*)\s*\)/i;
  while (i < formula.length) {
    const c = formula[i]!;
    if (c === '"' || c === "'") {
      const end = stringEnd(formula, i);
      out += formula.slice(i, end);
      i = end;
      continue;
    }
    if (c === '/' && formula[i + 1] === '*') {
      const end = formula.indexOf('*/', i + 2);
      i = end < 0 ? formula.length : end + 2;
      out += ' ';
      continue;
    }
    const prev = i > 0 ? formula[i - 1]! : ' ';
    if (/[A-Za-z]/.test(c) && !/[A-Za-z0-9_.$]/.test(prev)) {
      const m = call.exec(formula.slice(i));
      if (m) {
        out += variableFor(m, object, bindings, where);
        i += m[0].length;
        continue;
      }
      if (/^(ISCHANGED|PRIORVALUE)\s*\(/i.test(formula.slice(i))) {
        throw new RuleDefinitionError(`${where}: ${formula.slice(i).split('(')[0]!.trim().toUpperCase()}() takes one field name`);
      }
    }
    out += c;
    i++;
  }
  return out;
}

function variableFor(m: RegExpExecArray, object: ObjectDef, bindings: Map<string, Binding>, where: string): string {
  const simple = m[1]?.toUpperCase();
  if (simple === 'ISNEW') return setVar(bindings, ISNEW_VAR, { kind: 'isnew' });
  if (simple === 'TODAY') return setVar(bindings, TODAY_VAR, { kind: 'today' });
  if (simple === 'NOW') return setVar(bindings, NOW_VAR, { kind: 'now' });
  const fn = m[2]!.toUpperCase();
  const field = object.fields.get(m[3]!.toLowerCase());
  if (!field) throw new RuleDefinitionError(`${where}: Field ${m[3]} does not exist. Check spelling.`);
  const kind = fn === 'ISCHANGED' ? 'changed' : 'prior';
  return setVar(bindings, `SFX_${kind.toUpperCase()}_${field.name}`, { kind, field });
}

function setVar(bindings: Map<string, Binding>, name: string, b: Binding): string {
  bindings.set(name, b);
  return name;
}

function stringEnd(text: string, start: number): number {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length) {
    if (text[i] === '\\') i += 2;
    else if (text[i] === quote) return i + 1;
    else i++;
  }
  return text.length;
}
