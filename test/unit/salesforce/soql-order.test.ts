import { describe, expect, it } from 'vitest';
import { runQuery } from '../../../mocks/salesforce/soql/index.ts';
import { SalesforceError } from '../../../mocks/salesforce/types.ts';
import { FakeContext, lead, sfId } from './soql-fake.ts';

const plain = { includeDeleted: false, apiVersion: '59.0' };
const all = { includeDeleted: true, apiVersion: '59.0' };

function org(): FakeContext {
  return new FakeContext().add('Lead',
    lead(1, { LastName: 'beta', Company: 'X', Score__c: 2, SystemModstamp: '2024-06-01T10:00:00.000+0000' }),
    lead(2, { LastName: 'Alpha', Company: 'Y', Score__c: null, SystemModstamp: '2024-06-01T09:00:00.000+0000' }),
    lead(3, { LastName: 'gamma', Company: 'X', Score__c: 1, SystemModstamp: '2024-06-01T11:00:00.000+0000' }),
    lead(4, { LastName: 'Delta', Company: null, Score__c: 2, SystemModstamp: '2024-06-01T12:00:00.000+0000' }),
    lead(5, { LastName: 'Gone', Company: 'X', Score__c: 5, IsDeleted: true, SystemModstamp: '2024-06-01T13:00:00.000+0000' }),
  );
}

const nums = (soql: string, ctx = org(), opts = plain): number[] =>
  runQuery(soql, ctx, opts).records.map((r) => Number(String(r.Id).slice(3, 15)));

describe('ORDER BY', () => {
  it('sorts text case-insensitively, ASC by default', () => {
    expect(nums('SELECT Id FROM Lead ORDER BY LastName')).toEqual([2, 1, 4, 3]);
    expect(nums('SELECT Id FROM Lead ORDER BY LastName DESC')).toEqual([3, 4, 1, 2]);
  });

  it('puts nulls first for ASC and last for DESC by default', () => {
    expect(nums('SELECT Id FROM Lead ORDER BY Score__c')).toEqual([2, 3, 1, 4]);
    expect(nums('SELECT Id FROM Lead ORDER BY Score__c DESC')).toEqual([1, 4, 3, 2]);
  });

  it('honours NULLS FIRST / NULLS LAST', () => {
    expect(nums('SELECT Id FROM Lead ORDER BY Score__c ASC NULLS LAST')).toEqual([3, 1, 4, 2]);
    expect(nums('SELECT Id FROM Lead ORDER BY Score__c DESC NULLS FIRST')).toEqual([2, 1, 4, 3]);
  });

  it('sorts by several keys, then by Id for ties', () => {
    expect(nums('SELECT Id FROM Lead ORDER BY Company DESC NULLS LAST, Score__c DESC')).toEqual([2, 1, 3, 4]);
    expect(nums('SELECT Id FROM Lead ORDER BY Company')).toEqual([4, 1, 3, 2]);
    expect(nums('SELECT Id FROM Lead ORDER BY SystemModstamp DESC, Id')).toEqual([4, 3, 1, 2]);
  });

  it('a field that cannot be sorted is INVALID_FIELD', () => {
    try {
      runQuery('SELECT Id FROM Lead ORDER BY Description', org(), plain);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SalesforceError);
      expect((e as SalesforceError).errorCode).toBe('INVALID_FIELD');
      expect((e as SalesforceError).message).toMatch(/Column:30\nfield 'Description' can not be sorted in a query call$/);
    }
  });
});

describe('LIMIT and OFFSET', () => {
  it('apply after ORDER BY; totalSize counts the rows returned', () => {
    const out = runQuery('SELECT Id FROM Lead ORDER BY LastName LIMIT 2 OFFSET 1', org(), plain);
    expect(out.totalSize).toBe(2);
    expect(out.records.map((r) => r.Id)).toEqual([sfId('00Q', 1), sfId('00Q', 4)]);
    expect(nums('SELECT Id FROM Lead ORDER BY LastName OFFSET 3')).toEqual([3]);
    expect(nums('SELECT Id FROM Lead LIMIT 0')).toEqual([]);
    expect(runQuery('SELECT COUNT() FROM Lead LIMIT 3', org(), plain).totalSize).toBe(3);
  });

  it('OFFSET above 2000 is NUMBER_OUTSIDE_VALID_RANGE', () => {
    expect(nums('SELECT Id FROM Lead OFFSET 2000')).toEqual([]);
    try {
      runQuery('SELECT Id FROM Lead OFFSET 2001', org(), plain);
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ errorCode: 'NUMBER_OUTSIDE_VALID_RANGE', status: 400, message: 'Maximum SOQL offset allowed is 2000' });
    }
  });
});

describe('deleted rows', () => {
  it('a plain query never shows the recycle bin; queryAll does', () => {
    expect(nums('SELECT Id FROM Lead')).toEqual([1, 2, 3, 4]);
    expect(nums('SELECT Id FROM Lead WHERE IsDeleted = true')).toEqual([]);
    expect(nums('SELECT Id FROM Lead', org(), all)).toEqual([1, 2, 3, 4, 5]);
    expect(nums('SELECT Id FROM Lead WHERE IsDeleted = true', org(), all)).toEqual([5]);
    expect(runQuery('SELECT COUNT() FROM Lead', org(), all).totalSize).toBe(5);
  });

  it('passes includeDeleted to the scan', () => {
    const ctx = org();
    runQuery('SELECT Id FROM Lead', ctx, all);
    expect(ctx.scans).toEqual([{ object: 'Lead', opts: { includeDeleted: true } }]);
  });

  it('hides IsDeleted rows even from a context that leaks them', () => {
    const ctx = org();
    const leaky = Object.assign(Object.create(ctx) as FakeContext, {
      scan: (object: string) => ctx.scan(object, { includeDeleted: true }),
    });
    expect(nums('SELECT Id FROM Lead', leaky)).toEqual([1, 2, 3, 4]);
  });
});

describe('SystemModstamp fast path', () => {
  it('a poll on SystemModstamp > X asks the index for the bound and reads only newer rows', () => {
    const ctx = org();
    const out = runQuery(
      'SELECT Id, LastName FROM Lead WHERE SystemModstamp > 2024-06-01T10:00:00Z ORDER BY SystemModstamp, Id',
      ctx, plain);
    expect(ctx.scans).toEqual([
      { object: 'Lead', opts: { includeDeleted: false, modstamp: { op: '>', value: '2024-06-01T10:00:00.000+0000' } } },
    ]);
    expect(ctx.rowsScanned).toBe(2);
    expect(out.records.map((r) => r.LastName)).toEqual(['gamma', 'Delta']);
  });

  it('works inside an AND chain, with >=, offsets and the other conditions still applied', () => {
    const ctx = org();
    const out = runQuery(
      "SELECT Id FROM Lead WHERE Company = 'X' AND (SystemModstamp >= 2024-06-01T12:00:00+02:00) AND IsDeleted = false",
      ctx, all);
    expect(ctx.scans[0]!.opts.modstamp).toEqual({ op: '>=', value: '2024-06-01T10:00:00.000+0000' });
    expect(out.records.map((r) => r.Id)).toEqual([sfId('00Q', 1), sfId('00Q', 3)]);
  });

  it('is not used when the bound sits under OR or NOT, or on another field', () => {
    for (const clause of [
      "SystemModstamp > 2024-06-01T10:00:00Z OR Company = 'Y'",
      'NOT SystemModstamp > 2024-06-01T10:00:00Z',
      'LastModifiedDate > 2024-06-01T10:00:00Z',
      'SystemModstamp < 2024-06-01T10:00:00Z',
    ]) {
      const ctx = org();
      runQuery(`SELECT Id FROM Lead WHERE ${clause}`, ctx, plain);
      expect(ctx.scans[0]!.opts.modstamp, clause).toBeUndefined();
    }
    const ctx = org();
    expect(nums("SELECT Id FROM Lead WHERE SystemModstamp > 2024-06-01T10:00:00Z OR Company = 'Y'", ctx)).toEqual([2, 3, 4]);
  });

  it('takes the tightest of several bounds', () => {
    const ctx = org();
    runQuery('SELECT Id FROM Lead WHERE SystemModstamp > 2024-06-01T09:00:00Z AND SystemModstamp >= 2024-06-01T11:00:00Z', ctx, plain);
    expect(ctx.scans[0]!.opts.modstamp).toEqual({ op: '>=', value: '2024-06-01T11:00:00.000+0000' });
  });
});
