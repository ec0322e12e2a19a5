/**
 * An ordered index of records by SystemModstamp, so that a poll for
 * "changed since T" costs O(log n + rows returned) instead of a scan of the
 * object.
 *
 * A sorted array of (stamp, seq, id) entries with binary search. Every save
 * appends an entry; the clock never runs backwards, so appends keep the
 * array sorted and a re-sort happens only when a stamp arrives out of order
 * (lazily, on the next read). A record's older entries become stale and are
 * skipped; the array is compacted once stale entries outnumber live ones,
 * which keeps both memory and the skipping cost bounded by a constant
 * factor.
 */

interface Entry {
  stamp: string;
  /** Tie-breaker among equal stamps: save order. */
  seq: number;
  id: string;
}

export class ModstampIndex {
  private entries: Entry[] = [];
  /** id → seq of its live entry. */
  private readonly live = new Map<string, number>();
  private seq = 0;
  private sorted = true;

  get size(): number {
    return this.live.size;
  }

  /** Records (or moves) `id` at `stamp`. */
  touch(id: string, stamp: string): void {
    const entry = { stamp, seq: ++this.seq, id };
    const last = this.entries[this.entries.length - 1];
    if (last && last.stamp > stamp) this.sorted = false;
    this.entries.push(entry);
    this.live.set(id, entry.seq);
    if (this.entries.length > 1024 && this.entries.length > 2 * this.live.size) this.compact();
  }

  remove(id: string): void {
    this.live.delete(id);
  }

  /** Where `id` stands now, to put it back later with `restore` (savepoint rollback). */
  position(id: string, stamp: string): { stamp: string; seq: number } | undefined {
    const seq = this.live.get(id);
    return seq === undefined ? undefined : { stamp, seq };
  }

  /** Puts `id` back where `position` saw it, keeping its place among equal stamps. */
  restore(id: string, at: { stamp: string; seq: number }): void {
    this.ensureSorted();
    this.live.set(id, at.seq);
    let i = this.lowerBound(at.stamp, false);
    for (; i < this.entries.length && this.entries[i]!.stamp === at.stamp; i++) {
      if (this.entries[i]!.seq === at.seq) return; // still there (stale until now)
      if (this.entries[i]!.seq > at.seq) break;
    }
    this.entries.splice(i, 0, { stamp: at.stamp, seq: at.seq, id });
  }

  /** Ids whose stamp is `> value` (or `>=`), optionally `< before`, in stamp order (save order among equal stamps). */
  *after(op: '>' | '>=', value: string, before?: string): Generator<string> {
    this.ensureSorted();
    const entries = this.entries;
    // Iterate a snapshot: saves made while the caller consumes rows append
    // (or compact into a new array) and must not be visited again.
    const end = entries.length;
    for (let i = this.lowerBound(value, op === '>'); i < end; i++) {
      const e = entries[i]!;
      if (before !== undefined && e.stamp >= before) return;
      if (this.live.get(e.id) === e.seq) yield e.id;
    }
  }

  /** Every live id in stamp order. */
  all(): Generator<string> {
    return this.after('>=', '');
  }

  /** First index whose stamp is >= value (or > value when `strict`). */
  private lowerBound(value: string, strict: boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.entries[mid]!.stamp;
      if (s < value || (strict && s === value)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private ensureSorted(): void {
    if (this.sorted) return;
    this.entries = this.entries.filter((e) => this.live.get(e.id) === e.seq);
    this.entries.sort((a, b) => (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : a.seq - b.seq));
    this.sorted = true;
  }

  private compact(): void {
    this.entries = this.entries.filter((e) => this.live.get(e.id) === e.seq);
  }
}
