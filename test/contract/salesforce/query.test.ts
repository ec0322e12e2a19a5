import { beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'jsforce';
import { raw, rejection, soapConnection, useSalesforce, VERSION } from './harness.ts';

const sf = useSalesforce();
let conn: Connection;

beforeAll(async () => {
  const sync = sf.org.syncUser.id;
  for (let i = 0; i < 5000; i++) {
    const r = sf.org.create('Account', { Name: `Acct ${String(i).padStart(4, '0')}` }, sync);
    if (!r.success) throw new Error(JSON.stringify(r.errors));
  }
  for (const [LastName, Company, Rating] of [['A', 'X', 'Hot'], ['B', 'Y', 'Hot'], ['C', 'X', 'Cold'], ['A', 'Y', 'Warm']] as const) {
    sf.org.create('Lead', { LastName, Company, Rating }, sync);
  }
  conn = await soapConnection();
});

const queryOps = () => sf.org.requestLog.filter((e) => e.operation === 'query' || e.operation === 'queryMore').length;

describe('query paging', () => {
  it('autoFetch reads 5,000 rows in three pages of at most 2,000', async () => {
    const before = queryOps();
    const records: unknown[] = [];
    const result = await conn.query('SELECT Id, Name FROM Account ORDER BY Name').on('record', (r) => records.push(r)).run({ autoFetch: true, maxFetch: 10_000 });
    expect(result.totalSize).toBe(5000);
    expect(records).toHaveLength(5000);
    expect((records[4999] as { Name: string }).Name).toBe('Acct 4999');
    expect(queryOps() - before).toBe(3);
  });

  it('answers totalSize, done and nextRecordsUrl with a 01g locator; query/{locator} continues', async () => {
    const first = (await (await raw(conn, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account')}`)).json()) as Record<string, unknown>;
    expect(first['totalSize']).toBe(5000);
    expect(first['done']).toBe(false);
    expect(first['nextRecordsUrl']).toMatch(new RegExp(`^/services/data/v${VERSION}/query/01g[a-zA-Z0-9]{15}-2000$`));
    expect(first['records']).toHaveLength(2000);
    expect(Object.keys(first)).toEqual(['totalSize', 'done', 'nextRecordsUrl', 'records']);
    const second = (await (await raw(conn, 'GET', first['nextRecordsUrl'] as string)).json()) as Record<string, unknown>;
    expect(second['records']).toHaveLength(2000);
    expect(second['nextRecordsUrl']).toMatch(/-4000$/);
  });

  it('a page read later shows the rows as they were when the query ran (the cursor is a snapshot), parents too', async () => {
    const q = encodeURIComponent('SELECT Id, Name, Owner.Name FROM Account ORDER BY Name');
    const first = (await (await raw(conn, 'GET', `/query?q=${q}`)).json()) as { nextRecordsUrl: string };
    const rows = (await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Account ORDER BY Name LIMIT 1 OFFSET 2000')).records;
    const id = rows[0]!.Id;
    expect(sf.org.update('Account', id, { Name: 'Renamed after the query' }, sf.org.syncUser.id).success).toBe(true);
    const second = (await (await raw(conn, 'GET', first.nextRecordsUrl)).json()) as { records: Array<{ Id: string; Name: string; Owner: { Name: string } }> };
    expect(second.records[0]).toMatchObject({ Id: id, Name: 'Acct 2000', Owner: { Name: 'Sync User' } });
    expect(sf.org.update('Account', id, { Name: 'Acct 2000' }, sf.org.syncUser.id).success).toBe(true);
  });

  it('honours Sforce-Query-Options batchSize within 200..2000', async () => {
    const page = async (size: string) => {
      const res = await raw(conn, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account')}`, undefined, { 'Sforce-Query-Options': `batchSize=${size}` });
      return ((await res.json()) as { records: unknown[] }).records.length;
    };
    expect(await page('500')).toBe(500);
    expect(await page('50')).toBe(200);
    expect(await page('9000')).toBe(2000);
  });

  it('a locator lapses after 15 minutes idle: INVALID_QUERY_LOCATOR', async () => {
    const first = (await (await raw(conn, 'GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account')}`)).json()) as { nextRecordsUrl: string };
    sf.clock.advanceBy(16 * 60_000);
    const res = await raw(conn, 'GET', first.nextRecordsUrl);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });
});

describe('SOQL through jsforce', () => {
  it('groups AND/OR by parentheses', async () => {
    const grouped = await conn.query<{ LastName: string; Company: string }>("SELECT LastName, Company FROM Lead WHERE (LastName = 'A' OR LastName = 'B') AND Company = 'X'");
    expect(grouped.records.map((r) => `${r.LastName}/${r.Company}`)).toEqual(['A/X']);
    const other = await conn.query<{ LastName: string; Company: string }>("SELECT LastName, Company FROM Lead WHERE LastName = 'A' OR (LastName = 'B' AND Company = 'X') ORDER BY Company");
    expect(other.records.map((r) => `${r.LastName}/${r.Company}`)).toEqual(['A/X', 'A/Y']);
  });

  it('COUNT() answers totalSize with no records', async () => {
    const res = await conn.query("SELECT COUNT() FROM Lead WHERE Rating = 'Hot'");
    expect(res.totalSize).toBe(2);
    expect(res.records).toEqual([]);
  });

  it('queryAll sees deleted rows, query does not', async () => {
    const { id } = await conn.sobject('Lead').create({ LastName: 'Bin', Company: 'Z' });
    await conn.sobject('Lead').destroy(id!);
    const live = await conn.query("SELECT Id FROM Lead WHERE LastName = 'Bin'");
    expect(live.totalSize).toBe(0);
    const all = await conn.query<{ Id: string; IsDeleted: boolean }>("SELECT Id, IsDeleted FROM Lead WHERE LastName = 'Bin'", { scanAll: true });
    expect(all.records).toEqual([expect.objectContaining({ Id: id, IsDeleted: true })]);
  });

  it('answers MALFORMED_QUERY, INVALID_FIELD and INVALID_TYPE with Salesforce messages and 400', async () => {
    const malformed = await rejection(conn.query('SELECT Id Lead'));
    expect(malformed.errorCode).toBe('MALFORMED_QUERY');
    const field = await rejection(conn.query('SELECT Bacon__c FROM Lead'));
    expect(field.errorCode).toBe('INVALID_FIELD');
    expect(field.message).toContain("No such column 'Bacon__c' on entity 'Lead'");
    const type = await rejection(conn.query('SELECT Id FROM Nope__c'));
    expect(type.errorCode).toBe('INVALID_TYPE');
    expect(type.message).toContain("sObject type 'Nope__c' is not supported");
    const res = await raw(conn, 'GET', `/query?q=${encodeURIComponent('SELECT Bacon__c FROM Lead')}`);
    expect(res.status).toBe(400);
    const missing = await raw(conn, 'GET', '/query');
    expect(await missing.json()).toEqual([{ message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' }]);
  });

  it('logs the fields a query reads', async () => {
    await conn.query('SELECT Id, LastName, Email FROM Lead LIMIT 1');
    const entry = sf.org.requestLog.at(-1)!;
    expect(entry).toMatchObject({ operation: 'query', object: 'Lead', status: 200 });
    expect(entry.fieldsRead).toEqual(expect.arrayContaining(['Id', 'LastName', 'Email']));
  });
});

describe('getUpdated / getDeleted', () => {
  it('lists ids changed and deleted in a window, with and without the trailing slash', async () => {
    const start = new Date(sf.clock.now());
    sf.clock.advanceBy(60_000);
    const a = await conn.sobject('Lead').create({ LastName: 'New', Company: 'N' });
    const b = await conn.sobject('Lead').create({ LastName: 'Doomed', Company: 'D' });
    sf.clock.advanceBy(60_000);
    await conn.sobject('Lead').destroy(b.id!);
    sf.clock.advanceBy(2 * 60_000);
    const end = new Date(sf.clock.now());

    const updated = await conn.sobject('Lead').updated(start, end);
    expect(updated.ids).toContain(a.id);
    expect(updated.ids).not.toContain(b.id);
    expect(updated.latestDateCovered).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:00\.000\+0000$/);

    const deleted = await conn.sobject('Lead').deleted(start, end);
    const gone = deleted.deletedRecords.find((d) => d.id === b.id);
    expect(gone?.deletedDate).toMatch(/\+0000$/);
    expect(deleted.deletedRecords.map((d) => d.id)).not.toContain(a.id);
    expect(deleted.earliestDateAvailable).toBeTruthy();

    const iso = (d: Date) => encodeURIComponent(d.toISOString().replace(/\.\d{3}Z$/, '+00:00'));
    const slash = await raw(conn, 'GET', `/sobjects/Lead/updated/?start=${iso(start)}&end=${iso(end)}`);
    expect(slash.status).toBe(200);
    expect(((await slash.json()) as { ids: string[] }).ids).toEqual(updated.ids);
  });

  it('refuses a window that ends before it starts with INVALID_REPLICATION_DATE', async () => {
    const now = new Date(sf.clock.now());
    const err = await rejection(conn.sobject('Lead').updated(now, new Date(sf.clock.now() - 3_600_000)));
    expect(err.errorCode).toBe('INVALID_REPLICATION_DATE');
  });
});
