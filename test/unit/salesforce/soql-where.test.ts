import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../mocks/salesforce/soql/index.ts';
import { SalesforceError } from '../../../mocks/salesforce/types.ts';
import { FakeContext, lead, sfId } from './soql-fake.ts';

// now = 2024-06-15T12:00:00Z (FakeContext default)
function org(): FakeContext {
  return new FakeContext().add('Lead',
    lead(1, {
      FirstName: 'Alice', LastName: 'Smith', Company: 'Acme', Email: 'alice@acme.test', Status: 'Open',
      AnnualRevenue: 1000, NumberOfEmployees: 10, Score__c: 1.5, Interests__c: 'Golf;Tennis',
      CreatedDate: '2024-06-15T08:00:00.000+0000',
    }),
    lead(2, {
      FirstName: 'Bob', LastName: 'Jones', Company: 'Globex', Status: 'Working', AnnualRevenue: 5000,
      NumberOfEmployees: 50, IsConverted: true, ConvertedDate: '2024-06-14', Interests__c: 'Golf',
      CreatedDate: '2024-06-14T23:59:59.999+0000',
    }),
    lead(3, {
      FirstName: 'Carol', LastName: "O'Brien", Company: 'Initech', Email: 'carol@initech.test', NumberOfEmployees: 200,
      Score__c: 3, CreatedDate: '2024-06-10T00:00:00.000+0000',
    }),
    lead(4, {
      FirstName: 'Dan_', LastName: 'Under', Company: 'Foo%Bar', Email: 'dan@x.test', Status: 'Open', AnnualRevenue: 0,
      NumberOfEmployees: 0, Score__c: 0, ConvertedDate: '2024-06-16', CreatedDate: '2024-06-16T00:00:00.000+0000',
    }),
  );
}

/** Lead numbers matched by a WHERE clause. */
function where(clause: string, ctx = org()): number[] {
  return runQuery(`SELECT Id FROM Lead WHERE ${clause}`, ctx, { includeDeleted: false, apiVersion: '59.0' })
    .records.map((r) => Number(String(r.Id).slice(3, 15)));
}

function error(clause: string): SalesforceError {
  try {
    where(clause);
  } catch (e) {
    if (e instanceof SalesforceError) return e;
    throw e;
  }
  throw new Error(`no error for ${clause}`);
}

describe('WHERE operators', () => {
  it.each([
    ["Company = 'Acme'", [1]],
    ["Company = 'ACME'", [1]], // text equality is case-insensitive
    ["Status != 'Open'", [2, 3]], // != matches null values too, unlike SQL
    ["Status <> 'Open'", [2, 3]],
    ['NumberOfEmployees < 50', [1, 4]],
    ['NumberOfEmployees <= 50', [1, 2, 4]],
    ['NumberOfEmployees > 10', [2, 3]],
    ['NumberOfEmployees >= 10', [1, 2, 3]],
    ["LastName < 'o'", [2]], // case-insensitive ordering of text
    ["FirstName LIKE 'a%'", [1]],
    ["FirstName LIKE '_OB'", [2]],
    ["Email LIKE '%.test'", [1, 3, 4]],
    ["Company LIKE 'Foo\\%%'", [4]], // \% is a literal percent
    ["FirstName LIKE 'Dan\\_'", [4]],
    ["FirstName LIKE 'Da_'", []],
    ["Status IN ('open', 'Working')", [1, 2, 4]],
    ["Status NOT IN ('Open')", [2, 3]],
    ["Status IN ('Open', null)", [1, 3, 4]],
    ['NumberOfEmployees IN (0, 200)', [3, 4]],
    ["Interests__c INCLUDES ('Tennis')", [1]],
    ["Interests__c INCLUDES ('golf;tennis', 'Chess')", [1]],
    ["Interests__c INCLUDES ('Golf')", [1, 2]],
    ["Interests__c EXCLUDES ('Tennis')", [2, 3, 4]],
  ] as Array<[string, number[]]>)('%s', (clause, expected) => {
    expect(where(clause)).toEqual(expected);
  });
});

describe('WHERE null handling', () => {
  it.each([
    ['Email = null', [2]],
    ['Email != null', [1, 3, 4]],
    ['AnnualRevenue < 100', [4]], // null never satisfies an ordering
    ['AnnualRevenue >= 0', [1, 2, 4]],
    ["Status LIKE '%'", [1, 2, 4]],
    ['Score__c = null AND Email = null', [2]],
    ['NOT Email = null', [1, 3, 4]],
  ] as Array<[string, number[]]>)('%s', (clause, expected) => {
    expect(where(clause)).toEqual(expected);
  });
});

describe('WHERE grouping with parentheses', () => {
  // A = Company = 'Foo%Bar' {4}; B = Status = 'Open' {1,4}; C = NumberOfEmployees > 5 {1,2,3}
  const A = "Company = 'Foo%Bar'";
  const B = "Status = 'Open'";
  const C = 'NumberOfEmployees > 5';

  it('(A OR B) AND C groups the OR first', () => {
    expect(where(`(${A} OR ${B}) AND ${C}`)).toEqual([1]);
  });

  it('A OR (B AND C) groups the AND', () => {
    expect(where(`${A} OR (${B} AND ${C})`)).toEqual([1, 4]);
  });

  it('A OR B AND C without parentheses is MALFORMED_QUERY at the operator that switches', () => {
    const soql = `SELECT Id FROM Lead WHERE ${A} OR ${B} AND ${C}`;
    const at = soql.indexOf(' AND ') + 1;
    const e = error(`${A} OR ${B} AND ${C}`);
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.status).toBe(400);
    expect(e.message).toBe(`\n${soql}\n${' '.repeat(at)}^\nERROR at Row:1:Column:${at + 1}\nunexpected token: 'AND'`);
    expect(error(`${A} AND ${B} OR ${C}`).message).toMatch(/unexpected token: 'OR'$/);
  });

  it('a chain of one operator needs no parentheses', () => {
    expect(where(`${A} OR ${B} OR ${C}`)).toEqual([1, 2, 3, 4]);
    expect(where(`${B} AND ${C} AND ${A}`)).toEqual([]);
  });

  it('(A AND B) OR (C AND D) keeps both groups', () => {
    expect(where(`(${A} AND ${B}) OR (${C} AND IsConverted = true)`)).toEqual([2, 4]);
  });

  it('nested and redundant parentheses', () => {
    expect(where(`((${A}))`)).toEqual([4]);
    expect(where(`((${A} OR ${B}) AND (${C} OR Email = null))`)).toEqual([1]);
    expect(where(`(${C} AND (${B} OR (${A} AND Score__c = 0)))`)).toEqual([1]);
  });

  it('NOT binds to the next condition or group', () => {
    expect(where(`NOT (${B} AND ${C})`)).toEqual([2, 3, 4]);
    expect(where(`NOT ${B} AND ${C}`)).toEqual([2, 3]);
    expect(where(`${C} AND NOT ${B}`)).toEqual([2, 3]);
    expect(where(`(NOT ${A} AND ${B}) OR IsConverted = true`)).toEqual([1, 2]);
    expect(where(`NOT (NOT ${A})`)).toEqual([4]);
  });
});

describe('WHERE literals', () => {
  it.each([
    ["LastName = 'O\\'Brien'", [3]],
    ['Score__c = 1.5', [1]],
    ['Score__c > -1', [1, 3, 4]],
    ['AnnualRevenue = 0', [4]],
    ['IsConverted = TRUE', [2]],
    ['IsConverted = false', [1, 3, 4]],
    // datetimes compare as instants: Z, offsets and fractional seconds
    ['CreatedDate > 2024-06-14T23:59:59Z', [1, 2, 4]],
    ['CreatedDate = 2024-06-14T23:59:59.999Z', [2]],
    ['CreatedDate < 2024-06-15T01:00:00+02:00', [3]],
    ['CreatedDate >= 2024-06-15T10:00:00.000+02:00', [1, 4]],
    ['CreatedDate <= 2024-06-09T20:00:00-04:00', [3]],
    // dates
    ['ConvertedDate = 2024-06-14', [2]],
    ['ConvertedDate > 2024-06-14', [4]],
    ['ConvertedDate <= 2024-06-16', [2, 4]],
    // relative date literals (UTC; now is 2024-06-15T12:00Z)
    ['CreatedDate = TODAY', [1]],
    ['CreatedDate = YESTERDAY', [2]],
    ['CreatedDate > TODAY', [4]],
    ['CreatedDate < TODAY', [2, 3]],
    ['CreatedDate <= TODAY', [1, 2, 3]],
    ['CreatedDate >= YESTERDAY', [1, 2, 4]],
    ['CreatedDate != TODAY', [2, 3, 4]],
    ['CreatedDate = LAST_N_DAYS:5', [1, 2, 3]],
    ['CreatedDate = LAST_N_DAYS:4', [1, 2]],
    ['CreatedDate = NEXT_N_DAYS:1', [4]],
    ['CreatedDate IN (YESTERDAY, NEXT_N_DAYS:3)', [2, 4]],
    ['CreatedDate = TOMORROW', [4]],
    ['CreatedDate = N_DAYS_AGO:5', [3]],
    ['CreatedDate = LAST_90_DAYS', [1, 2, 3]],
    ['CreatedDate = NEXT_90_DAYS', [4]],
    ['ConvertedDate = YESTERDAY', [2]],
    ['ConvertedDate = TODAY', []],
    ['ConvertedDate >= TODAY', [4]],
    ['ConvertedDate = NEXT_N_DAYS:1', [4]],
  ] as Array<[string, number[]]>)('%s', (clause, expected) => {
    expect(where(clause)).toEqual(expected);
  });

  it('ids match in 15- and 18-character form', () => {
    expect(where(`Id = '${sfId('00Q', 2)}'`)).toEqual([2]);
    expect(where(`Id = '${sfId('00Q', 2).slice(0, 15)}'`)).toEqual([2]);
    expect(where(`Id IN ('${sfId('00Q', 1)}', '${sfId('00Q', 3).slice(0, 15)}')`)).toEqual([1, 3]);
    expect(where(`Id != '${sfId('00Q', 2)}'`)).toEqual([1, 3, 4]);
  });
});

describe('WHERE type checks', () => {
  const filterType = (field: string, type: string, quoted: boolean): RegExp =>
    new RegExp(`\\nvalue of filter criterion for field '${field}' must be of type ${type} and should ${quoted ? '' : 'not '}be enclosed in quotes$`);

  it.each([
    ['LastName = 5', 'LastName', 'string', true],
    ['lastname IN (1, 2)', 'LastName', 'string', true],
    ["CreatedDate > '2024-01-01T00:00:00Z'", 'CreatedDate', 'dateTime', false],
    ['CreatedDate > 2024-01-01', 'CreatedDate', 'dateTime', false],
    ['ConvertedDate = 2024-01-01T00:00:00Z', 'ConvertedDate', 'date', false],
    ["AnnualRevenue = '5'", 'AnnualRevenue', 'double', false],
    ["IsConverted = 'true'", 'IsConverted', 'boolean', false],
    ['NumberOfEmployees = true', 'NumberOfEmployees', 'int', false],
  ] as Array<[string, string, string, boolean]>)('%s → INVALID_FIELD', (clause, field, type, quoted) => {
    const e = error(clause);
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.status).toBe(400);
    expect(e.message).toMatch(filterType(field, type, quoted));
    expect(e.message).toMatch(/\nERROR at Row:1:Column:\d+\n/);
  });

  it('the caret points at the offending literal', () => {
    const e = error("LastName = 'x' OR Company = 42");
    const soql = "SELECT Id FROM Lead WHERE LastName = 'x' OR Company = 42";
    expect(e.message.split('\n').slice(0, 4)).toEqual(['', soql, `${' '.repeat(soql.indexOf('42'))}^`, `ERROR at Row:1:Column:${soql.indexOf('42') + 1}`]);
  });

  it('a malformed id is INVALID_QUERY_FILTER_OPERATOR', () => {
    const e = error("Id = 'abc'");
    expect(e.errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(e.message).toMatch(/\ninvalid ID field: abc$/);
  });

  it('LIKE on a number and ordering a boolean are rejected', () => {
    expect(error("AnnualRevenue LIKE '5%'").errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect(error('IsConverted > false').errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
  });

  it('a field that cannot be filtered is INVALID_FIELD', () => {
    const e = error("Description = 'x'");
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toMatch(/\nfield 'Description' can not be filtered in query call$/);
  });

  it('an impossible datetime is MALFORMED_QUERY, not a crash', () => {
    expect(error('CreatedDate > 2024-13-01T00:00:00Z').errorCode).toBe('MALFORMED_QUERY');
    expect(error('ConvertedDate = 2024-02-30').errorCode).toBe('MALFORMED_QUERY');
  });
});
