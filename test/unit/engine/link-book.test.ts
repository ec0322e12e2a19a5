import { describe, expect, it } from 'vitest';
import { LinkBook } from '../../../src/engine/link-book.ts';
import type { LinkState } from '../../../src/engine/state-store.ts';

const LEAD = (n: number) => `00Q00000000000${String(n).padStart(2, '0')}AAA`;
const CONTACT = (n: number) => `003000000000${String(n).padStart(2, '0')}AAAA`;

function link(personId: number, sfId: string, extra: Partial<LinkState> = {}): LinkState {
  return { personId, object: 'Lead', sfId, leadId: sfId, ancestor: {}, logged: [], ...extra };
}

function linksOf(...list: LinkState[]): Record<string, LinkState> {
  return Object.fromEntries(list.map((l) => [String(l.personId), l]));
}

describe('LinkBook', () => {
  it('finds a link by its record, by its converted lead and by its contact', () => {
    const book = new LinkBook(linksOf(link(1, LEAD(1)), link(2, CONTACT(2), { object: 'Contact', leadId: LEAD(2), contactId: CONTACT(2) })));
    expect(book.bySfId(LEAD(1))?.personId).toBe(1);
    expect(book.bySfId(CONTACT(2))?.personId).toBe(2);
    // The converted lead is known (a lost create is not linked twice) but is no longer the pair's record.
    expect(book.bySfId(LEAD(2))).toBeUndefined();
    expect(book.knows(LEAD(2))).toBe(true);
    expect(book.knows(LEAD(9))).toBe(false);
  });

  it('follows relinks, deletes and flags made on links it handed out', () => {
    const links = linksOf(link(1, LEAD(1)), link(2, LEAD(2)));
    const book = new LinkBook(links);
    const a = book.bySfId(LEAD(1))!;
    // A conversion relinks the pair in place.
    a.object = 'Contact';
    a.sfId = CONTACT(1);
    a.contactId = CONTACT(1);
    expect(book.bySfId(CONTACT(1))).toBe(a);
    expect(book.bySfId(LEAD(1))).toBeUndefined();
    const b = book.get(2)!;
    b.deleted = true;
    expect(book.hasDeleted(LEAD(2))).toBe(true);
    b.deleted = false;
    b.retry = true;
    expect(book.hasDeleted(LEAD(2))).toBe(false);
    expect(book.pending().map((l) => l.personId)).toEqual([2]);
    delete b.retry;
    expect(book.pending()).toEqual([]);
    book.delete(2);
    expect(book.bySfId(LEAD(2))).toBeUndefined();
    expect(links['2']).toBeUndefined();
  });

  it('finds a relinked pair by its new record once it is touched, even after look-ups in between', () => {
    const book = new LinkBook(linksOf(link(1, LEAD(1)), link(2, LEAD(2))));
    const a = book.bySfId(LEAD(1))!;
    expect(book.bySfId(CONTACT(9))).toBeUndefined(); // a look-up between the hand-out and the relink
    a.sfId = CONTACT(1);
    a.contactId = CONTACT(1);
    book.touch('1');
    expect(book.bySfId(CONTACT(1))).toBe(a);
    // Flags set after the last look-up are seen by pending() and by the next operation.
    const b = book.get(2)!;
    expect(book.hasDeleted(LEAD(2))).toBe(false);
    b.deleted = true;
    book.release();
    expect(book.hasDeleted(LEAD(2))).toBe(true);
  });

  it('answers the lowest person id when two links share a record, as a scan in key order would', () => {
    const book = new LinkBook(linksOf(link(7, LEAD(1)), link(3, LEAD(1))));
    expect(book.bySfId(LEAD(1))?.personId).toBe(3);
    book.set(link(2, LEAD(1)));
    expect(book.bySfId(LEAD(1))?.personId).toBe(2);
    book.delete(2);
    book.delete(3);
    expect(book.bySfId(LEAD(1))?.personId).toBe(7);
  });

  it('lists pending links (failure or retry, not deleted) in person id order', () => {
    const failure = { operation: 'update' as const, errorCode: 'X', message: 'm', fields: [], since: 0 };
    const book = new LinkBook(linksOf(link(5, LEAD(5), { retry: true }), link(1, LEAD(1), { failure }), link(3, LEAD(3), { retry: true, deleted: true }), link(4, LEAD(4))));
    expect(book.pending().map((l) => l.personId)).toEqual([1, 5]);
  });

  it('reports as changed what it handed out or was given since the last save, and what the running operation holds', () => {
    const book = new LinkBook(linksOf(link(1, LEAD(1)), link(2, LEAD(2)), link(3, LEAD(3))));
    expect([...book.changedKeys()]).toEqual([]);
    // Looks only: nothing changes.
    book.peekBySfId(LEAD(1));
    book.peek(2);
    book.knows(LEAD(3));
    expect([...book.changedKeys()]).toEqual([]);
    book.bySfId(LEAD(1));
    book.set(link(4, LEAD(4)));
    book.delete(3);
    expect([...book.changedKeys()].sort()).toEqual(['1', '3', '4']);
    book.saved();
    // Still held by the operation: it may write them again before its next save.
    expect([...book.changedKeys()].sort()).toEqual(['1', '3', '4']);
    book.release();
    expect([...book.changedKeys()]).toEqual([]);
    book.get(2);
    book.release();
    // Touched and not saved yet: a new operation does not drop it.
    expect([...book.changedKeys()]).toEqual(['2']);
  });
});
