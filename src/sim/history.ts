/**
 * The history of a simulated run (issue 6 §1 "History and oracle"): every
 * user edit (who, which system, which record, which field, what value, when)
 * and every cycle window, read back from the World's trace. The oracle's
 * properties are pure functions over this, the final state and the request
 * logs, in the manner of Jepsen's histories: nothing here looks inside the
 * engine's state store.
 *
 * Edits are ordered by their trace sequence number, not by virtual time:
 * several events share one virtual millisecond (an edit made just before a
 * request of a running cycle, in the interleaving suite, has the cycle's time).
 */
import type { Trace, TraceEvent } from './trace.ts';

export type System = 'salesforce' | 'marketo';

/** One user action. `record` is a Salesforce id (`salesforce`) or a Marketo person id as text (`marketo`). */
export interface Edit {
  seq: number;
  at: number;
  system: System;
  action: 'create' | 'update' | 'delete' | 'convert' | 'merge' | 'flow' | 'permission' | 'rule';
  /** Salesforce object of the record (`Lead`, `Contact`); Marketo edits carry `person`. */
  object: string;
  record: string;
  /** Field → value as the user wrote it (creates and updates). */
  fields: Record<string, unknown>;
  /** convert: the new contact id; merge: the losers' ids. */
  related?: string[];
  /** The values the update replaced, when the driver recorded them (a `prior` event just before). */
  prior?: Record<string, unknown>;
}

export interface CycleWindow {
  cycle: number;
  startSeq: number;
  endSeq: number;
  startAt: number;
  endAt: number;
  ok: boolean;
}

export interface PermissionChange {
  seq: number;
  at: number;
  object: string;
  field: string;
  access: 'edit' | 'read' | 'none';
  /** Length of the org's request log when the change was made, when the driver recorded it. */
  requestLog?: number;
}

export interface FlowRun {
  seq: number;
  at: number;
  personId: number;
}

export interface History {
  edits: Edit[];
  cycles: CycleWindow[];
  permissions: PermissionChange[];
  flows: FlowRun[];
  /** Engine restarts (clean or after a crash), by trace seq. */
  restarts: number[];
  crashes: number[];
}

/** Reads the history out of a World's trace (any world: fuzz runs and scenario replays alike). */
export function historyOf(trace: Trace | { events: readonly TraceEvent[] }): History {
  const h: History = { edits: [], cycles: [], permissions: [], flows: [], restarts: [], crashes: [] };
  const open = new Map<number, TraceEvent>();
  let prior: Record<string, unknown> | undefined;
  for (const e of trace.events) {
    if (e.lane === 'engine' && e.kind === 'cycle-start') {
      open.set(Number(e.data?.cycle), e);
      continue;
    }
    if (e.lane === 'engine' && e.kind === 'cycle-end') {
      const cycle = Number(e.data?.cycle);
      const start = open.get(cycle);
      open.delete(cycle);
      h.cycles.push({ cycle, startSeq: start?.seq ?? e.seq, endSeq: e.seq, startAt: start?.at ?? e.at, endAt: e.at, ok: e.data?.ok === true });
      continue;
    }
    if (e.lane === 'world' && e.kind === 'restart') h.restarts.push(e.seq);
    if (e.lane === 'world' && e.kind === 'crash') h.crashes.push(e.seq);
    if (e.lane !== 'user') continue;
    if (e.kind === 'prior') {
      prior = e.data?.fields as Record<string, unknown> | undefined;
      continue;
    }
    const edit = userEdit(e);
    if (edit) {
      if (prior && (e.kind === 'sf.update' || e.kind === 'mkto.update')) edit.prior = prior;
      h.edits.push(edit);
    }
    prior = undefined;
    if (e.kind === 'flow') {
      const m = /person (\d+)/.exec(e.text);
      if (m) h.flows.push({ seq: e.seq, at: e.at, personId: Number(m[1]) });
    }
    if (e.kind === 'sf.permission' && e.data) {
      h.permissions.push({
        seq: e.seq,
        at: e.at,
        object: String(e.data.object),
        field: String(e.data.field),
        access: e.data.access as PermissionChange['access'],
        ...(typeof e.data.requestLog === 'number' ? { requestLog: e.data.requestLog } : {}),
      });
    }
  }
  return h;
}

/** World.ts writes `sf.update` as text `Lead 00Q…` with data `{ fields }`, `mkto.update` as `person 12`. */
function userEdit(e: TraceEvent): Edit | undefined {
  const fields = (e.data?.fields as Record<string, unknown> | undefined) ?? {};
  const base = { seq: e.seq, at: e.at, fields };
  const sf = /^(\w+) (\w+)/.exec(e.text);
  const person = /^person (\d+)/.exec(e.text);
  switch (e.kind) {
    case 'sf.create':
    case 'sf.update':
    case 'sf.delete':
      if (!sf) return undefined;
      return { ...base, system: 'salesforce', action: e.kind.slice(3) as Edit['action'], object: sf[1]!, record: sf[2]! };
    case 'sf.convert': {
      const m = /^Lead (\w+) → Contact (\w+)/.exec(e.text);
      if (!m) return undefined;
      return { ...base, system: 'salesforce', action: 'convert', object: 'Lead', record: m[1]!, related: [m[2]!] };
    }
    case 'sf.merge': {
      const m = /^(\w+) (.+) → (\w+)$/.exec(e.text);
      if (!m) return undefined;
      return { ...base, system: 'salesforce', action: 'merge', object: m[1]!, record: m[3]!, related: m[2]!.split(', ') };
    }
    case 'mkto.create':
    case 'mkto.update':
    case 'mkto.delete':
      if (!person) return undefined;
      return { ...base, system: 'marketo', action: e.kind.slice(5) as Edit['action'], object: 'person', record: person[1]! };
    case 'sf.permission':
      return { ...base, system: 'salesforce', action: 'permission', object: String(e.data?.object), record: '', fields: { [String(e.data?.field)]: e.data?.access } };
    case 'sf.rule':
      return { ...base, system: 'salesforce', action: 'rule', object: String(e.data?.object), record: String(e.data?.name ?? ''), fields: {} };
    default:
      return undefined;
  }
}

/** The cycle (if any) that was running when trace event `seq` happened. */
export function cycleAt(h: History, seq: number): CycleWindow | undefined {
  return h.cycles.find((c) => c.startSeq <= seq && seq <= c.endSeq);
}
