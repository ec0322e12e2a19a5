import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QueryError, runQuery } from '../../../mocks/salesforce/soql/index.ts';
import { SalesforceError } from '../../../mocks/salesforce/types.ts';
import { FakeContext, lead } from './soql-fake.ts';

const opts = { includeDeleted: false, apiVersion: '59.0' };
const WSDL = 'If you are attempting to use a custom field, be sure to append the \'__c\' after the custom field name. ' +
  'Please reference your WSDL or the describe call for the appropriate names.';

function org(hidden: string[] = []): FakeContext {
  return new FakeContext(undefined, new Set(hidden)).add('Lead', lead(1, { LastName: 'Smith', Company: 'Acme', Secret__c: 's3cret' }));
}

function fail(soql: string, ctx = org()): QueryError {
  try {
    runQuery(soql, ctx, opts);
  } catch (e) {
    expect(e).toBeInstanceOf(QueryError);
    expect(e).toBeInstanceOf(SalesforceError);
    return e as QueryError;
  }
  throw new Error(`no error for ${soql}`);
}

/** The expected positioned message for an error at `token` in a one-line query. */
function at(soql: string, token: string, text: string): string {
  const i = soql.indexOf(token);
  return `\n${soql}\n${' '.repeat(i)}^\nERROR at Row:1:Column:${i + 1}\n${text}`;
}

describe('MALFORMED_QUERY', () => {
  it.each([
    ['SELECT Id Lead', '', 'unexpected token: <EOF>'],
    ['SELECT Id FROM Lead LIMIT x', 'x', "unexpected token: 'x'"],
    ['SELECT Id, FROM Lead', 'FROM', "unexpected token: 'FROM'"],
    ["SELECT Id FROM Lead WHERE LastName = O'Brien'", "O'Brien", "unexpected token: 'O'"],
    ["SELECT Id FROM Lead WHERE LastName = 'x' 'y'", "'y'", "unexpected token: ''y''"],
  ])('%s', (soql, token, text) => {
    const e = fail(soql);
    expect(e.errorCode).toBe('MALFORMED_QUERY');
    expect(e.status).toBe(400);
    const expected = token === '' ? `\n${soql}\n${' '.repeat(soql.length)}^\nERROR at Row:1:Column:${soql.length + 1}\n${text}` : at(soql, token, text);
    expect(e.message).toBe(expected);
  });

  it('points at the right occurrence of a repeated token', () => {
    const soql = "SELECT Id FROM Lead WHERE LastName = 'x' = 'y'";
    expect(fail(soql).message).toBe(at(soql, "= 'y'", "unexpected token: '='"));
  });

  it('an unterminated string is reported by position', () => {
    const soql = "SELECT Id FROM Lead WHERE LastName = 'x";
    expect(fail(soql).message).toBe(at(soql, "'x", "line 1:37 no viable alternative at character '''"));
  });

  it('reports rows and columns in a multi-line query', () => {
    const e = fail('SELECT Id\nFROM Lead\nWHERE LastName = = 1');
    expect(e.message).toBe("\nWHERE LastName = = 1\n                 ^\nERROR at Row:3:Column:18\nunexpected token: '='");
  });

  it('empty and non-SELECT input', () => {
    expect(fail('').errorCode).toBe('MALFORMED_QUERY');
    expect(fail('DELETE FROM Lead').message).toBe(at('DELETE FROM Lead', 'DELETE', "unexpected token: 'DELETE'"));
  });

  it('unsupported SOQL features say so instead of answering wrongly', () => {
    for (const soql of [
      'SELECT Company, COUNT(Id) FROM Lead GROUP BY Company',
      'SELECT Id, (SELECT Id FROM Contacts) FROM Lead',
      'SELECT FIELDS(ALL) FROM Lead LIMIT 200',
      'SELECT Id FROM Lead WHERE Id IN (SELECT LeadId FROM CampaignMember)',
      'SELECT Id FROM Lead WHERE CreatedDate = THIS_FISCAL_QUARTER',
      'SELECT COUNT(), Id FROM Lead',
    ]) {
      expect(fail(soql).errorCode, soql).toBe('MALFORMED_QUERY');
    }
  });
});

describe('INVALID_TYPE', () => {
  it('an unknown object', () => {
    const soql = 'SELECT Id, Name FROM Leadz WHERE Name = \'x\'';
    const e = fail(soql);
    expect(e.errorCode).toBe('INVALID_TYPE');
    expect(e.message).toBe(at(soql, 'Leadz', "sObject type 'Leadz' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."));
  });
});

describe('INVALID_FIELD', () => {
  it('an unknown field in SELECT, with the exact Salesforce layout', () => {
    const soql = 'SELECT Bacon__c FROM Lead LIMIT 2';
    const e = fail(soql);
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.status).toBe(400);
    expect(e.message).toBe(`\nSELECT Bacon__c FROM Lead LIMIT 2\n       ^\nERROR at Row:1:Column:8\nNo such column 'Bacon__c' on entity 'Lead'. ${WSDL}`);
  });

  it('unknown fields in WHERE and ORDER BY point at them', () => {
    const w = "SELECT Id FROM Lead WHERE LastName = 'x' AND Nope = 1";
    expect(fail(w).message).toBe(at(w, 'Nope', `No such column 'Nope' on entity 'Lead'. ${WSDL}`));
    const o = 'SELECT Id FROM Lead ORDER BY LastName, Nope DESC';
    expect(fail(o).message).toBe(at(o, 'Nope', `No such column 'Nope' on entity 'Lead'. ${WSDL}`));
  });

  it('a hidden field reads exactly like a field that does not exist', () => {
    const hidden = org(['Lead.Secret__c']);
    for (const [name, soql] of [
      ['SELECT', 'SELECT Id, Secret__c FROM Lead'],
      ['WHERE', "SELECT Id FROM Lead WHERE Secret__c = 'x'"],
      ['ORDER BY', 'SELECT Id FROM Lead ORDER BY Secret__c'],
    ]) {
      const e = fail(soql!, hidden);
      const missing = fail(soql!.replace('Secret__c', 'Nothing__c'), org());
      expect(e.errorCode, name).toBe('INVALID_FIELD');
      expect(e.message, name).toBe(missing.message.replace('Nothing__c', 'Secret__c').replace('Nothing__c', 'Secret__c'));
      expect(e.fieldsRead, name).toContain('Secret__c');
    }
    // and the same user sees the rest of the record fine; a user who can see it reads the value
    expect(runQuery('SELECT Id, LastName FROM Lead', hidden, opts).records[0]).not.toHaveProperty('Secret__c');
    expect(runQuery('SELECT Secret__c FROM Lead', org(), opts).records[0]!.Secret__c).toBe('s3cret');
  });

  it('a hidden lookup cannot be traversed', () => {
    const soql = 'SELECT Owner.Name FROM Lead';
    const e = fail(soql, org(['Lead.OwnerId']));
    expect(e.errorCode).toBe('INVALID_FIELD');
    expect(e.message).toMatch(/\nDidn't understand relationship 'Owner' in field path\. /);
  });

  it('bad relationship paths', () => {
    const soql = 'SELECT Ownr.Name FROM Lead';
    expect(fail(soql).message).toBe(at(soql, 'Ownr.Name', "Didn't understand relationship 'Ownr' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."));
    const c = 'SELECT ConvertedContact.Nope FROM Lead';
    expect(fail(c).message).toBe(at(c, 'ConvertedContact.Nope', `No such column 'Nope' on entity 'Contact'. ${WSDL}`));
    // a polymorphic lookup is checked against the Name entity
    expect(fail('SELECT Owner.Nope FROM Lead').message).toMatch(/No such column 'Nope' on entity 'Name'/);
  });

  it('a field selected twice', () => {
    const e = fail('SELECT Id, LastName, lastname FROM Lead');
    expect(e).toMatchObject({ errorCode: 'INVALID_FIELD', message: 'duplicate field selected: LastName' });
  });

  it('the failing query still reports every field it named', () => {
    const e = fail("SELECT LastName, Bogus__c FROM Lead WHERE Secret__c = 'x' ORDER BY company", org(['Lead.Secret__c']));
    expect(e.fieldsRead).toEqual(['LastName', 'Bogus__c', 'Secret__c', 'company']);
  });
});

describe('robustness', () => {
  it('any input gives a result or a SalesforceError, never a crash', () => {
    const pieces = ['SELECT', 'Id', 'LastName', ',', 'FROM', 'Lead', 'WHERE', '=', "'x'", '(', ')', 'AND', 'OR', 'NOT',
      'IN', 'LIKE', 'null', 'TRUE', '5', '2024-01-01', 'TODAY', 'ORDER BY', 'LIMIT', 'OFFSET', 'COUNT()', 'Owner.Name', "'"];
    fc.assert(fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 14 }), fc.string({ maxLength: 20 }), (words, noise) => {
      for (const soql of [words.join(' '), noise, `SELECT Id FROM Lead WHERE ${noise}`]) {
        try {
          runQuery(soql, org(), opts);
        } catch (e) {
          if (!(e instanceof SalesforceError) || e.status !== 400) throw e;
        }
      }
    }), { numRuns: 150 });
  });
});
