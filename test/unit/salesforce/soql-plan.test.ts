// Query plans kept by shape (mocks/salesforce/soql/plan.ts, shape.ts) must never change an answer: every query,
// valid or not, answers exactly as a fresh parse and compile of its text does (rows, their key order, fieldsRead,
// error codes, messages and positions).
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Org } from '../../../mocks/salesforce/org.ts';
import { clearPlans, planStats } from '../../../mocks/salesforce/soql/plan.ts';
import { runQuery, runQueryAfresh, type QueryOptions } from '../../../mocks/salesforce/soql/index.ts';
import { queryShape } from '../../../mocks/salesforce/soql/shape.ts';
import type { QueryContext } from '../../../mocks/salesforce/types.ts';
import { SalesforceError } from '../../../mocks/salesforce/types.ts';
import { VirtualClock } from '../../../src/sim/clock.ts';

const opts: QueryOptions = { includeDeleted: false, apiVersion: '59.0' };
const SEED = Number(process.env.SOQL_PLAN_SEED ?? 2026);
const RUNS = Number(process.env.SOQL_PLAN_RUNS ?? 80);
/** Queries answered from a plan, per template. */
const HITS: Record<string, number> = {};
const DAY = 86_400_000;

/** Everything a caller can observe of one query: the rows as the HTTP layer serializes them, or the error. */
function outcome(run: () => ReturnType<typeof runQuery>): string {
  try {
    const out = run();
    // The rows' text, where the result writes it from kept row texts, is what JSON.stringify writes of the rows.
    if (out.sliceText) {
      expect(out.sliceText(0)).toBe(JSON.stringify(out.slice(0)));
      expect(out.sliceText(1, 3)).toBe(JSON.stringify(out.slice(1, 3)));
    }
    return JSON.stringify({ ok: { totalSize: out.totalSize, size: out.size, rows: out.slice(0), tail: out.slice(1, 3), fieldsRead: out.fieldsRead, object: out.object } });
  } catch (e) {
    if (!(e instanceof SalesforceError)) throw e;
    const q = e as SalesforceError & { fieldsRead?: string[]; object?: string };
    return JSON.stringify({ error: { type: e.constructor.name, code: q.errorCode, status: q.status, message: q.message, fieldsRead: q.fieldsRead, object: q.object } });
  }
}

function same(soql: string, ctx: QueryContext, o: QueryOptions = opts): string {
  const expected = outcome(() => runQueryAfresh(soql, ctx, o));
  const got = outcome(() => runQuery(soql, ctx, o));
  expect(got, soql).toBe(expected);
  return got;
}

interface World {
  clock: VirtualClock;
  org: Org;
  leads: string[];
}

function world(): World {
  const clock = new VirtualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const org = new Org({ clock });
  org.addField({ object: 'Lead', name: 'Score__c', type: 'double', precision: 18, scale: 2 });
  org.addField({ object: 'Lead', name: 'Interests__c', type: 'multipicklist', picklistValues: ['Golf', 'Tennis', 'Chess'] });
  org.addField({ object: 'Lead', name: 'Birthday__c', type: 'date' });
  const leads: string[] = [];
  const names = ['Smith', 'smith', "O'Brien", 'Back\\slash', '100%', 'Sm_th', 'Jones', 'WHERE', 'Zed', 'mi'];
  names.forEach((name, i) => {
    clock.advanceBy(i % 3 === 0 ? DAY : 60_000);
    const r = org.create('Lead', {
      LastName: name, Company: i % 2 ? 'Acme' : 'Globex', Title: i % 4 ? `Title ${i}` : null,
      Email: i % 3 ? `p${i}@example.com` : null, NumberOfEmployees: i * 7 - 10, AnnualRevenue: i * 1000.5,
      Score__c: i % 5 ? i - 4.5 : null, Interests__c: ['Golf', 'Tennis;Chess', null, 'Golf;Chess'][i % 4],
      Birthday__c: i % 2 ? `2024-0${1 + (i % 9)}-1${i % 10}` : null,
    }, org.adminUser.id);
    if (!r.success) throw new Error(JSON.stringify(r.errors));
    leads.push(r.id);
  });
  org.setAccess(org.syncUser.id, 'Lead.Phone', 'none');
  return { clock, org, leads };
}

// ---------------------------------------------------------------------------------------------------------------
// Literals, valid and not.

const strings = fc.oneof(
  fc.constantFrom(
    "'Smith'", "'smith'", "''", "'O\\'Brien'", "'Back\\\\slash'", "'WHERE'", "'a\\' OR b'", "'AND Id IN ('", "'100%'",
    "'100\\%'", "'Sm_th'", "'Sm\\_th'", "'Sm%'", "'%'", "'mi'", "'KM'", "'tab\\tx'", "'ü ñ'", "'x\\ny'", "'\\q'",
    "'LIMIT 5'", "'2026-01-05T09:00:00Z'", "'LAST_N_DAYS:3'", "'null'", "'Golf'", "'Golf;Chess'", "'chess ; golf'",
  ),
  fc.string({ maxLength: 8 }).map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`),
);
const badStrings = fc.constantFrom("'unterminated", "'a''b'", "'x\ny'", "'a'b", "'tail\\'");
const numbers = fc.oneof(
  fc.constantFrom('0', '5', '-5', '+7', '3.5', '-0.5', '+0.25', '.5', '12345678901234567890', '-10', '53'),
  fc.integer({ min: -100, max: 100 }).map(String),
  fc.double({ min: -100, max: 100, noNaN: true }).map((d) => d.toFixed(2)),
);
const badNumbers = fc.constantFrom('007', '5.', '1e5', '5abc', '--5', '5-3');
const datetimes = fc.oneof(
  fc.integer({ min: -20, max: 20 }).map((d) => new Date(Date.UTC(2026, 0, 5) + d * DAY / 2).toISOString().replace('.000Z', 'Z')),
  fc.constantFrom(
    '2026-01-05T09:00:00Z', '2026-01-05T09:00:00.5Z', '2026-01-05T09:00:00.123Z', '2026-01-05T10:00:00+01:00',
    '2026-01-05T04:00:00-05:00', '2026-01-05T09:00:00+0000', '2026-01-05t09:00:00z', '2024-02-30T00:00:00Z',
    '2026-01-05T25:00:00Z', '2026-13-05T09:00:00Z',
  ),
);
const dates = fc.constantFrom('2024-01-11', '2024-05-15', '2024-02-30', '2024-13-01', '2023-12-31', '2024-09-19');
const dateLiterals = fc.oneof(
  fc.integer({ min: 0, max: 12 }).map((n) => `LAST_N_DAYS:${n}`),
  fc.integer({ min: 0, max: 3 }).map((n) => `NEXT_N_DAYS:${n}`),
  fc.integer({ min: 0, max: 5 }).map((n) => `N_DAYS_AGO:${n}`),
  fc.constantFrom('TODAY', 'YESTERDAY', 'TOMORROW', 'LAST_90_DAYS', 'last_n_days:2', 'LAST_N_DAYS : 3', 'LAST_N_DAYS:03', 'THIS_WEEK', 'LAST_N_WEEKS:2'),
);
const words = fc.constantFrom('null', 'NULL', 'true', 'false', 'TRUE', 'False');
const anyValue = fc.oneof(strings, numbers, datetimes, dates, dateLiterals, words);
const list = <T extends string>(item: fc.Arbitrary<T>) =>
  fc.tuple(fc.array(item, { minLength: 1, maxLength: 5 }), fc.constantFrom(', ', ',', ' , ', ',\n')).map(([xs, sep]) => xs.join(sep));

// ---------------------------------------------------------------------------------------------------------------
// Query shapes: each is sent many times with different literals, so the plans are learned and then used.

type Template = (w: World) => fc.Arbitrary<string>;
const ids = (w: World) => fc.oneof(
  fc.constantFrom(...w.leads.map((id) => `'${id}'`), ...w.leads.map((id) => `'${id.slice(0, 15)}'`)),
  fc.constantFrom("'00Q000000000000AAA'", "'bad'", "''", "'00Q00000000000'", "'00Q0000000000000000'", "'O\\'Brien'"),
);
const F = 'Id, LastName, Company, Title, Email, NumberOfEmployees, Score__c, SystemModstamp';

const TEMPLATES: Record<string, Template> = {
  poll: () => datetimes.map((t) => `SELECT ${F} FROM Lead WHERE SystemModstamp > ${t} ORDER BY SystemModstamp, Id`),
  pollGe: () => fc.tuple(datetimes, datetimes).map(([a, b]) => `SELECT Id, SystemModstamp FROM Lead WHERE SystemModstamp >= ${a} AND CreatedDate < ${b} ORDER BY SystemModstamp, Id`),
  byId: (w) => list(ids(w)).map((l) => `SELECT ${F} FROM Lead WHERE Id IN (${l})`),
  byIdNotIn: (w) => list(ids(w)).map((l) => `SELECT Id FROM Lead WHERE Id NOT IN (${l}) ORDER BY LastName`),
  idEq: (w) => ids(w).map((l) => `SELECT Id, LastName FROM Lead WHERE Id = ${l} OR Id = ${l}`),
  strings: () => fc.tuple(strings, strings).map(([a, b]) => `SELECT Id, LastName FROM Lead WHERE LastName = ${a} OR Company = ${b}`),
  glued: () => fc.tuple(strings, numbers).map(([a, n]) => `select id, lastname from lead where lastname=${a} and NumberOfEmployees>${n}`),
  like: () => strings.map((s) => `SELECT Id, LastName FROM Lead WHERE LastName LIKE ${s} ORDER BY LastName DESC NULLS LAST, Id`),
  notLike: () => strings.map((s) => `SELECT Id FROM Lead WHERE NOT (LastName LIKE ${s})`),
  numbers: () => fc.tuple(numbers, numbers).map(([a, b]) => `SELECT Id, NumberOfEmployees FROM Lead WHERE NumberOfEmployees > ${a} AND (AnnualRevenue <= ${b} OR Score__c = null) ORDER BY NumberOfEmployees`),
  numberList: () => list(numbers).map((l) => `SELECT Id FROM Lead WHERE NumberOfEmployees IN (${l})`),
  dateLiteral: () => dateLiterals.map((d) => `SELECT Id, CreatedDate FROM Lead WHERE CreatedDate = ${d} ORDER BY CreatedDate DESC`),
  dateLiteralDate: () => fc.tuple(dateLiterals, dates).map(([d, x]) => `SELECT Id FROM Lead WHERE Birthday__c < ${d} OR Birthday__c = ${x}`),
  dates: () => fc.tuple(dates, dates).map(([a, b]) => `SELECT Id, Birthday__c FROM Lead WHERE Birthday__c >= ${a} AND Birthday__c != ${b}`),
  nullsAndBools: () => fc.tuple(fc.oneof(strings, words), words).map(([e, b]) => `SELECT Id FROM Lead WHERE Email = ${e} AND IsConverted = ${b}`),
  mixedList: () => list(fc.oneof(strings, words)).map((l) => `SELECT Id, LastName FROM Lead WHERE LastName IN (${l})`),
  includes: () => list(strings).map((l) => `SELECT Id, Interests__c FROM Lead WHERE Interests__c INCLUDES (${l})`),
  excludes: () => list(strings).map((l) => `SELECT Id FROM Lead WHERE Interests__c EXCLUDES (${l}) ORDER BY Interests__c`),
  limitOffset: () => fc.tuple(strings, fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 2, 2001)).map(([s, l, o]) => `SELECT Id FROM Lead WHERE LastName != ${s} ORDER BY LastName LIMIT ${l} OFFSET ${o}`),
  count: () => strings.map((s) => `SELECT COUNT() FROM Lead WHERE LastName != ${s}`),
  parent: () => strings.map((s) => `SELECT Id, Owner.Name, CreatedBy.Email FROM Lead WHERE Owner.Name = ${s} OR CreatedBy.Name != ${s}`),
  alias: () => strings.map((s) => `SELECT l.Id, l.LastName FROM Lead l WHERE l.LastName > ${s}`),
  hidden: () => strings.map((s) => `SELECT Id, Phone FROM Lead WHERE Phone = ${s}`),
  typeMismatch: () => anyValue.map((v) => `SELECT Id FROM Lead WHERE NumberOfEmployees = ${v}`),
  anyOnString: () => anyValue.map((v) => `SELECT Id FROM Lead WHERE Title = ${v}`),
  anyOnDatetime: () => anyValue.map((v) => `SELECT Id FROM Lead WHERE CreatedDate > ${v}`),
  badLiterals: () => fc.oneof(badStrings, badNumbers).map((v) => `SELECT Id FROM Lead WHERE LastName = ${v}`),
  badNumbersOnNumber: () => badNumbers.map((v) => `SELECT Id FROM Lead WHERE NumberOfEmployees = ${v}`),
  malformed: () => fc.tuple(strings, fc.constantFrom('', ' AND', " 'x'", ')', ' LIMIT x', ' OR Company = ', ' AND Title = 1 OR Email = null')).map(([s, junk]) => `SELECT Id FROM Lead WHERE LastName = ${s}${junk}`),
  multiLine: (w) => fc.tuple(strings, ids(w), numbers).map(([s, i, n]) => `SELECT Id,\n  LastName\nFROM Lead\nWHERE LastName = ${s}\n  AND Id != ${i}\n  AND NumberOfEmployees < ${n}`),
  unknownField: () => strings.map((s) => `SELECT Id FROM Lead WHERE Nope__c = ${s}`),
  contactNoWhere: () => fc.constantFrom('SELECT Id, LastName FROM Contact ORDER BY SystemModstamp, Id', 'SELECT Id FROM Contact'),
};

describe('query shapes (the cheap scan)', () => {
  it('replaces each literal by its class and keeps the rest of the text', () => {
    const s = queryShape("SELECT Id FROM Lead WHERE A = 'x\\'y' AND B > -5 AND C < 2.5 AND D = 2026-01-05T09:00:00Z AND E = 2024-01-01 AND F = LAST_N_DAYS:3 LIMIT 10 OFFSET 2")!;
    expect(s.key).toBe('SELECT Id FROM Lead WHERE A = \0S AND B > \0J AND C < \0D AND D = \0T AND E = \0A AND F = LAST_N_DAYS:\0N LIMIT 10 OFFSET 2');
    expect(s.literals).toEqual(["'x\\'y'", '-5', '2.5', '2026-01-05T09:00:00Z', '2024-01-01', '3']);
    expect(s.classes).toEqual(['S', 'J', 'D', 'T', 'A', 'N']);
  });

  it('collapses a list of one class, so IN lists of any length share a shape', () => {
    const one = queryShape("SELECT Id FROM Lead WHERE Id IN ('00Q000000000001AAA')")!;
    const three = queryShape("SELECT Id FROM Lead WHERE Id IN ('a' ,'b',\n'c')")!;
    expect(three.key).toBe(one.key);
    expect(three.literals).toEqual([["'a'", "'b'", "'c'"]]);
    expect(queryShape("SELECT Id FROM Lead WHERE Id IN ('a', null)")!.key).toBe("SELECT Id FROM Lead WHERE Id IN (\0S, null)");
    expect(queryShape('SELECT Id FROM Lead WHERE N IN (1, 2.5)')!.key).toBe('SELECT Id FROM Lead WHERE N IN (\0I, \0D)');
  });

  it('words, LIMIT counts and a zero day count stay text; glued or unfinished literals give no shape', () => {
    expect(queryShape('SELECT Id FROM Lead WHERE IsConverted = TRUE AND Email = null AND X = TODAY AND Y = LAST_N_DAYS:0 LIMIT 5')!.literals).toEqual([]);
    expect(queryShape('SELECT Name2__c FROM Lead')!.literals).toEqual([]);
    expect(queryShape("SELECT Id FROM Lead WHERE A = 'x")).toBeUndefined();
    expect(queryShape('SELECT Id FROM Lead WHERE A = 5abc')).toBeUndefined();
    expect(queryShape("SELECT Id FROM Lead WHERE A = 'mi'")).toBeUndefined();
    expect(queryShape("SELECT Id FROM Lead WHERE A = 'x\0'")).toBeUndefined();
  });
});

describe('plans answer exactly as a fresh parse and compile', () => {
  let w: World;
  beforeAll(() => {
    clearPlans();
    w = world();
  });

  it.each(Object.keys(TEMPLATES))('%s: many literals through one shape', (name) => {
    const template = TEMPLATES[name]!;
    const sync = w.org.queryContext(w.org.syncUser.id);
    const admin = w.org.queryContext(w.org.adminUser.id);
    const before = planStats().hits;
    fc.assert(
      fc.property(template(w), fc.boolean(), fc.boolean(), (soql, asAdmin, all) => {
        same(soql, asAdmin ? admin : sync, { ...opts, includeDeleted: all });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    HITS[name] = planStats().hits - before;
  });

  it('every shape that can answer was answered from a plan most of the time', () => {
    // Shapes whose every query fails (an unknown field, bad syntax) never get a plan.
    const never = ['badLiterals', 'badNumbersOnNumber', 'unknownField'];
    if (process.env.SOQL_PLAN_DEBUG) console.log(HITS);
    for (const [name, hits] of Object.entries(HITS)) {
      if (never.includes(name)) expect(hits, name).toBe(0);
      else expect(hits, name).toBeGreaterThan(0);
    }
    const total = Object.values(HITS).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(Object.keys(HITS).length * RUNS * 0.5);
  });

  it('the poll queries are answered from plans, poll after poll', () => {
    const ctx = w.org.queryContext(w.org.syncUser.id);
    const poll = (t: string) => `SELECT ${F} FROM Lead WHERE SystemModstamp > ${t} ORDER BY SystemModstamp, Id`;
    same(poll('2026-01-01T00:00:00Z'), ctx);
    const before = planStats();
    // Leads were created at 09:00 on Jan 6 (3), 09:02 on Jan 7 (3), 09:05 on Jan 8 (3) and 09:08 on Jan 9 (1).
    const sizes: number[] = [];
    for (let d = 1; d <= 10; d++) sizes.push(JSON.parse(same(poll(`2026-01-${String(d).padStart(2, '0')}T09:00:00Z`), ctx)).ok.totalSize);
    expect(sizes).toEqual([10, 10, 10, 10, 10, 9, 7, 4, 1, 0]);
    const after = planStats();
    expect(after.hits - before.hits).toBe(10);
    expect(after.learned).toBe(before.learned);
  });

  it('the same text repeated answers from the data as it is now', () => {
    const ctx = w.org.queryContext(w.org.syncUser.id);
    const q = "SELECT Id, Title FROM Lead WHERE Company = 'Acme' AND Title != 'x' ORDER BY Title";
    const before = JSON.parse(same(q, ctx)).ok;
    same(q, ctx);
    const id = before.rows[0].Id;
    expect(w.org.update('Lead', id, { Title: 'x' }, w.org.adminUser.id).success).toBe(true);
    const after = JSON.parse(same(q, ctx)).ok;
    expect(after.totalSize).toBe(before.totalSize - 1);
    expect(w.org.update('Lead', id, { Title: before.rows[0].Title }, w.org.adminUser.id).success).toBe(true);
    expect(JSON.parse(same(q, ctx)).ok.totalSize).toBe(before.totalSize);
  });

  it('reads by id of 1 to 5 ids share one plan', () => {
    const ctx = w.org.queryContext(w.org.syncUser.id);
    const byId = (n: number) => `SELECT Id, LastName FROM Lead WHERE Id IN (${w.leads.slice(0, n).map((id) => `'${id}'`).join(', ')})`;
    same(byId(1), ctx);
    const before = planStats();
    for (let n = 1; n <= 5; n++) expect(JSON.parse(same(byId(n), ctx)).ok.totalSize).toBe(n);
    expect(planStats().hits - before.hits).toBe(5);
    expect(planStats().learned).toBe(before.learned);
  });

  it('a literal the plan cannot bind goes the long way and gets the same error', () => {
    const ctx = w.org.queryContext(w.org.syncUser.id);
    same(`SELECT Id FROM Lead WHERE Id IN ('${w.leads[0]}', '${w.leads[1]}')`, ctx);
    const e = JSON.parse(same(`SELECT Id FROM Lead WHERE Id IN ('${w.leads[0]}', 'nope')`, ctx)).error;
    expect(e.code).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.message).toContain('invalid ID field: nope');
    const d = JSON.parse(same('SELECT Id FROM Lead WHERE SystemModstamp > 2024-02-30T00:00:00Z', ctx)).error;
    expect(d.code).toBe('MALFORMED_QUERY');
  });

  it('relative date literals follow the clock, not the plan', () => {
    const ctx = w.org.queryContext(w.org.syncUser.id);
    const q = 'SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:1';
    const n0 = JSON.parse(same(q, ctx)).ok.totalSize;
    expect(JSON.parse(same(q, ctx)).ok.totalSize).toBe(n0);
    expect(JSON.parse(same(q, ctx)).ok.totalSize).toBe(n0);
    w.clock.advanceBy(30 * DAY);
    // The same text again: its plan and its shape are known, its range is not.
    expect(JSON.parse(same(q, ctx)).ok.totalSize).toBe(0);
    expect(JSON.parse(same('SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:40', ctx)).ok.totalSize).toBe(10);
    expect(n0).toBeGreaterThan(0);
  });
});

describe('a plan never outlives what it resolved', () => {
  it('a field hidden after the plan was made fails as INVALID_FIELD; shown again, it answers', () => {
    clearPlans();
    const { org } = world();
    const q = (s: string) => `SELECT Id, Title FROM Lead WHERE Title != ${s}`;
    same(q("'a'"), org.queryContext(org.syncUser.id));
    same(q("'b'"), org.queryContext(org.syncUser.id));
    org.setAccess(org.syncUser.id, 'Lead.Title', 'none');
    const e = JSON.parse(same(q("'c'"), org.queryContext(org.syncUser.id))).error;
    expect(e.code).toBe('INVALID_FIELD');
    org.setAccess(org.syncUser.id, 'Lead.Title', 'edit');
    expect(JSON.parse(same(q("'d'"), org.queryContext(org.syncUser.id))).ok.fieldsRead).toEqual(['Id', 'Title']);
  });

  it('a field added after a plan failed is found; a plan serves only views that resolve names alike', () => {
    clearPlans();
    const a = world();
    const q = (s: string) => `SELECT Id, Late__c FROM Lead WHERE Late__c = ${s}`;
    expect(JSON.parse(same(q("'x'"), a.org.queryContext(a.org.syncUser.id))).error.code).toBe('INVALID_FIELD');
    a.org.addField({ object: 'Lead', name: 'Late__c', type: 'string', length: 10 });
    a.org.setAccess(a.org.syncUser.id, 'Lead.Late__c', 'edit');
    expect(JSON.parse(same(q("'y'"), a.org.queryContext(a.org.syncUser.id))).ok.totalSize).toBe(0);
    expect(JSON.parse(same(q("'z'"), a.org.queryContext(a.org.adminUser.id))).ok.totalSize).toBe(0);
    const b = world();
    expect(JSON.parse(same(q("'y'"), b.org.queryContext(b.org.syncUser.id))).error.code).toBe('INVALID_FIELD');
    // Back to the first org: its plan is still there and still right.
    const before = planStats().hits;
    same(q("'w'"), a.org.queryContext(a.org.syncUser.id));
    expect(planStats().hits).toBe(before + 1);
    // Another org with the same schema and permissions (the next world of a fuzz campaign) shares it.
    b.org.addField({ object: 'Lead', name: 'Late__c', type: 'string', length: 10 });
    b.org.create('Lead', { LastName: 'Late', Company: 'B', Late__c: 'v' }, b.org.adminUser.id);
    expect(JSON.parse(same(q("'v'"), b.org.queryContext(b.org.syncUser.id))).ok.totalSize).toBe(1);
    expect(planStats().hits).toBe(before + 2);
    // A type change of the field is a different view: no plan of the old one serves it.
    const c = world();
    c.org.addField({ object: 'Lead', name: 'Late__c', type: 'double', precision: 8, scale: 0 });
    expect(JSON.parse(same(q("'v'"), c.org.queryContext(c.org.syncUser.id))).error.code).toBe('INVALID_FIELD');
    expect(planStats().hits).toBe(before + 2);
  });

  it('keeps at most 500 shapes', () => {
    clearPlans();
    const { org } = world();
    const ctx = org.queryContext(org.syncUser.id);
    for (let i = 0; i < 620; i++) runQuery(`SELECT Id FROM Lead WHERE NumberOfEmployees > 5 LIMIT ${i}`, ctx, opts);
    expect(planStats().shapes).toBeLessThanOrEqual(500);
    expect(planStats().shapes).toBeGreaterThan(0);
  });
});
