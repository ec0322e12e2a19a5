// A query's answer text written from kept row texts (soql/flat-rows.ts rowTexts, QueryCursors.firstText) is the
// text JSON.stringify writes of the page, before and after the rows change.
import { describe, expect, it } from 'vitest';
import { QueryCursors } from '../../../mocks/salesforce/handlers/cursors.ts';
import { Org } from '../../../mocks/salesforce/org.ts';
import { runQuery } from '../../../mocks/salesforce/soql/index.ts';
import { VirtualClock } from '../../../src/sim/clock.ts';

const POLL = 'SELECT Id, IsDeleted, SystemModstamp, FirstName, LastName, Company, Title, AnnualRevenue FROM Lead ORDER BY SystemModstamp, Id';

function setup() {
  const clock = new VirtualClock();
  const org = new Org({ clock });
  const user = org.syncUser.id;
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = org.create('Lead', { LastName: `L${i}`, Company: 'Acme', Title: i % 2 ? null : 'CEO "quoted" \u2028', AnnualRevenue: i * 1.5 }, user);
    if (!r.success) throw new Error('create failed');
    ids.push(r.id);
    clock.advanceBy(1000);
  }
  return { clock, org, user, ids, cursors: new QueryCursors(clock) };
}

const page = (cursors: QueryCursors, org: Org, user: string, version: string, soql = POLL, pageSize = 2000) => {
  const run = () => runQuery(soql, org.queryContext(user), { includeDeleted: true, apiVersion: version });
  return { text: cursors.firstText(user, version, run(), pageSize), expected: JSON.stringify(cursors.first(user, version, run(), pageSize)) };
};

describe('query answers written from row texts', () => {
  it('are JSON.stringify of the page, at each API version, again after rows change', () => {
    const { clock, org, user, ids, cursors } = setup();
    for (const version of ['59.0', '50.0', '59.0']) {
      const { text, expected } = page(cursors, org, user, version);
      expect(text).toBe(expected);
      expect(text).toContain(`/services/data/v${version}/sobjects/Lead/`);
    }
    const before = page(cursors, org, user, '59.0').text;
    clock.advanceBy(1000);
    expect(org.update('Lead', ids[2]!, { Title: 'CFO' }, user).success).toBe(true);
    const after = page(cursors, org, user, '59.0');
    expect(after.text).toBe(after.expected);
    expect(after.text).not.toBe(before);
    expect(JSON.parse(after.text).records.at(-1)).toMatchObject({ Id: ids[2], Title: 'CFO' });
    org.setAccess(user, 'Lead.Title', 'none');
    // Title hidden: the same text now names a field the user cannot see.
    expect(() => page(cursors, org, user, '59.0')).toThrow(/Title/);
    const noTitle = page(cursors, org, user, '59.0', POLL.replace(', Title', ''));
    expect(noTitle.text).toBe(noTitle.expected);
  });

  it('a result longer than a page still opens a cursor, and COUNT() still answers its count', () => {
    const { org, user, cursors } = setup();
    for (let i = 0; i < 250; i++) org.create('Lead', { LastName: `M${i}`, Company: 'Acme' }, user);
    const long = page(cursors, org, user, '59.0', POLL, 200);
    expect(JSON.parse(long.text)).toMatchObject({ totalSize: 255, done: false, nextRecordsUrl: expect.stringMatching(/^\/services\/data\/v59\.0\/query\/01g/) });
    const count = page(cursors, org, user, '59.0', 'SELECT COUNT() FROM Lead');
    expect(count.text).toBe('{"totalSize":255,"done":true,"records":[]}');
  });
});
