/**
 * The engine's links with look-ups by Salesforce id, and the record of which
 * links may have changed since the state was last saved. A poll then costs
 * the rows it returns, not a scan of every link (the growth figure of issue 8:
 * a cycle at 100,000 links must cost what one at 10,000 does).
 *
 * Links are plain objects that the engine edits in place (ancestor values,
 * relinks after a conversion or merge, failure flags). The book does not see
 * those writes; instead every link it hands out counts as touched: the next
 * save writes it again, and its index entries are refreshed before the next
 * look-up, again before `pending()` and once more when the next operation
 * starts. The engine reaches links only through the book, so a link it never
 * asked for cannot have changed. A relink (a new `sfId`) must be followed by
 * `touch`, so that a look-up by the new id in the same cycle finds it.
 *
 * Index entries are candidates, checked against the link on every read: an
 * entry left behind by a relink or a delete is dropped when a read finds it
 * stale, so nothing has to remember a link's old ids.
 */
import type { LinkState } from './state-store.ts';

export class LinkBook {
  /** Salesforce id (current record, lead id kept after conversion, contact id) → candidate person ids, ascending. */
  private readonly ids = new Map<string, number | number[]>();
  /** Candidate person ids of links with a standing failure or a retry flag. */
  private readonly flagged = new Set<number>();
  /** Keys handed out or written since the last look-up: their index entries are refreshed first. */
  private readonly stale = new Set<string>();
  /** Keys touched since the last successful save. */
  private readonly unsaved = new Set<string>();
  /** Keys touched during the current operation: the engine may still hold them and write them before its next save. */
  private readonly held = new Set<string>();

  constructor(readonly links: Record<string, LinkState>) {
    for (const key in links) {
      if (Object.prototype.hasOwnProperty.call(links, key)) this.index(key);
    }
  }

  // ---- access (every link handed out counts as touched) ---------------------------------------

  get(personId: number): LinkState | undefined {
    const key = String(personId);
    const link = this.links[key];
    if (link) this.touch(key);
    return link;
  }

  /** Whether the person has a link (a look that hands nothing out). */
  has(personId: number): boolean {
    return Object.prototype.hasOwnProperty.call(this.links, String(personId));
  }

  /** Adds or replaces the person's link. */
  set(link: LinkState): LinkState {
    const key = String(link.personId);
    this.links[key] = link;
    this.touch(key);
    return link;
  }

  delete(personId: number): void {
    const key = String(personId);
    if (!Object.prototype.hasOwnProperty.call(this.links, key)) return;
    delete this.links[key];
    this.touch(key);
  }

  /** The link whose current record is `sfId` (the lowest person id if several), as a scan of the links in key order would find it. */
  bySfId(sfId: string): LinkState | undefined {
    const link = this.peekBySfId(sfId);
    if (link) this.touch(String(link.personId));
    return link;
  }

  /**
   * bySfId for a look only: the link does not count as touched, so the caller must not change it, or must `touch` it
   * first (the cycle looks at every polled row's link and keeps only the ones that changed).
   */
  peekBySfId(sfId: string): LinkState | undefined {
    for (const personId of this.candidates(sfId)) {
      const link = this.links[String(personId)];
      if (link && link.sfId === sfId) return link;
    }
    return undefined;
  }

  /** get for a look only (see peekBySfId). */
  peek(personId: number): LinkState | undefined {
    return this.links[String(personId)];
  }

  /** True when some link names `sfId` as its record, its converted lead or its contact. */
  knows(sfId: string): boolean {
    for (const personId of this.candidates(sfId)) {
      const link = this.links[String(personId)];
      if (link && (link.sfId === sfId || link.leadId === sfId || link.contactId === sfId)) return true;
    }
    return false;
  }

  /** True when a link to `sfId` is marked deleted. */
  hasDeleted(sfId: string): boolean {
    for (const personId of this.candidates(sfId)) {
      const link = this.links[String(personId)];
      if (link && link.sfId === sfId && link.deleted) return true;
    }
    return false;
  }

  /** Links with a standing failure or a retry flag, not deleted, by person id. */
  pending(): LinkState[] {
    return this.flaggedLinks(true);
  }

  /** pending() for a look only (see peekBySfId): the links do not count as touched. */
  peekPending(): LinkState[] {
    return this.flaggedLinks(false);
  }

  private flaggedLinks(touch: boolean): LinkState[] {
    this.refresh();
    // Flags are set on links handed out earlier in the operation, after their last refresh.
    for (const key of this.held) this.index(key);
    const out: LinkState[] = [];
    for (const personId of [...this.flagged].sort((a, b) => a - b)) {
      const link = this.links[String(personId)];
      if (!link || link.deleted || !(link.failure || link.retry)) {
        // No longer flagged: the index lets go of it (either way, the answer is the same).
        this.flagged.delete(personId);
        continue;
      }
      if (touch) this.touch(String(personId));
      out.push(link);
    }
    return out;
  }

  /** Counts a link as touched: one handed out some other way, or one just relinked (its new id is indexed at once). */
  touch(key: string): void {
    this.stale.add(key);
    this.unsaved.add(key);
    this.held.add(key);
  }

  // ---- saving -----------------------------------------------------------------------------------

  /** Keys a save must write again: touched since the last save, or still held by the running operation. */
  changedKeys(): Set<string> {
    return new Set([...this.unsaved, ...this.held]);
  }

  /** Keys touched since the last save (for a save right after another, when nothing held was edited in between). */
  unsavedKeys(): Set<string> {
    return new Set(this.unsaved);
  }

  /** The save of `changedKeys()` is durable. */
  saved(): void {
    this.unsaved.clear();
  }

  /** A new operation starts: references from the last one are gone, once their last edits are indexed. */
  release(): void {
    for (const key of this.held) this.index(key);
    this.held.clear();
    this.stale.clear();
  }

  // ---- index ------------------------------------------------------------------------------------

  private candidates(sfId: string): readonly number[] {
    this.refresh();
    const c = this.ids.get(sfId);
    return c === undefined ? [] : typeof c === 'number' ? [c] : c;
  }

  private refresh(): void {
    if (this.stale.size === 0) return;
    for (const key of this.stale) this.index(key);
    this.stale.clear();
  }

  private index(key: string): void {
    const link = this.links[key];
    if (!link) return;
    const personId = link.personId;
    this.add(link.sfId, personId);
    if (link.leadId && link.leadId !== link.sfId) this.add(link.leadId, personId);
    if (link.contactId && link.contactId !== link.sfId) this.add(link.contactId, personId);
    if (!link.deleted && (link.failure || link.retry)) this.flagged.add(personId);
  }

  private add(sfId: string, personId: number): void {
    const c = this.ids.get(sfId);
    if (c === undefined) {
      this.ids.set(sfId, personId);
      return;
    }
    if (c === personId) return;
    const list = typeof c === 'number' ? [c] : c;
    if (list.includes(personId)) return;
    // Stale candidates are dropped here, so a list stays as short as the links that really share the id.
    const live = list.filter((p) => {
      const l = this.links[String(p)];
      return l !== undefined && (l.sfId === sfId || l.leadId === sfId || l.contactId === sfId);
    });
    live.push(personId);
    live.sort((a, b) => a - b);
    this.ids.set(sfId, live.length === 1 ? live[0]! : live);
  }
}
