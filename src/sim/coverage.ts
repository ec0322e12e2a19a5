/**
 * Coverage, not hope (issue 6 §2): counts, across a campaign, that each
 * interesting event happened at least once — Antithesis-style "sometimes"
 * assertions. A campaign in which one never happened fails and says which.
 * Counted from the trace and the fault plan of each run, after the oracle
 * passed (so "resolved without a duplicate" means the run had no duplicate).
 */
import type { World } from './world.ts';
import type { Violation } from './oracle.ts';

export const COVERAGE_EVENTS = [
  'conflict won by Marketo',
  'conflict won by Salesforce',
  'rejection logged',
  'rejection cleared',
  'Marketo 606 retried',
  'row lock retried',
  'session refreshed',
  'timeout after commit, no duplicate',
  'conversion followed',
  'merge followed',
  'engine restarted',
  'engine crashed mid-cycle',
  'flow action created a lead',
] as const;
export type CoverageEvent = (typeof COVERAGE_EVENTS)[number];

export type CoverageCounts = Record<CoverageEvent, number>;

export function emptyCoverage(): CoverageCounts {
  return Object.fromEntries(COVERAGE_EVENTS.map((e) => [e, 0])) as CoverageCounts;
}

export function addCoverage(into: CoverageCounts, more: CoverageCounts): CoverageCounts {
  for (const e of COVERAGE_EVENTS) into[e] += more[e];
  return into;
}

/** What happened in one run. */
export function coverageOf(w: World, violations: readonly Violation[]): CoverageCounts {
  const c = emptyCoverage();
  const rejectedPeople = new Set<number>();
  for (const e of w.engineEvents) {
    switch (e.type) {
      case 'field':
        if (e.reason.startsWith('changed on both sides')) c[e.winner === 'salesforce' ? 'conflict won by Salesforce' : 'conflict won by Marketo']++;
        else if (rejectedPeople.has(e.personId) && e.decision === 'to-salesforce') {
          // A write to Salesforce for a person that was rejected before: counted when it sticks (below).
        }
        break;
      case 'rejection':
        rejectedPeople.add(e.personId);
        if (e.logged) c['rejection logged']++;
        break;
      case 'retry':
        if (e.system === 'marketo' && e.error.includes('606')) c['Marketo 606 retried']++;
        if (e.system === 'salesforce' && e.error.includes('UNABLE_TO_LOCK_ROW')) c['row lock retried']++;
        break;
      case 'link':
        if (e.reason.includes('converted')) c['conversion followed']++;
        if (e.reason.includes('Sync Person to SFDC created')) c['flow action created a lead']++;
        if (e.reason.includes('merged')) c['merge followed']++;
        break;
      case 'unlink':
        if (e.reason.startsWith('merged into')) c['merge followed']++;
        break;
      default:
        break;
    }
  }
  // A rejection cleared: the person was rejected during the run and has no standing rejection at the end.
  const stillBlocked = new Set(violations.map((v) => v.message));
  for (const personId of rejectedPeople) {
    const last = [...w.engineEvents].reverse().find((e) => e.type === 'rejection' && e.personId === personId);
    const later = w.engineEvents.slice(w.engineEvents.indexOf(last!) + 1);
    if (later.some((e) => e.type === 'field' && e.personId === personId && e.decision === 'to-salesforce') && !later.some((e) => e.type === 'rejection' && e.personId === personId)) {
      if (![...stillBlocked].some((m) => m.includes(`person ${personId}`))) c['rejection cleared']++;
    }
  }
  const fired = w.faults.fired;
  const logins = w.org.requestLog.filter((r) => r.user === w.org.syncUser.id && /oauth2\/token|\/Soap\/u\//.test(r.path) && r.status === 200).length;
  if (fired.some((f) => f.system === 'salesforce' && f.kind === 'session-expired') && logins > 1) c['session refreshed']++;
  if (fired.some((f) => f.kind === 'timeout-after-commit') && !violations.some((v) => v.property === 'no-duplicate')) c['timeout after commit, no duplicate']++;
  for (const e of w.trace.events) {
    if (e.lane === 'world' && e.kind === 'restart') c['engine restarted']++;
    if (e.lane === 'world' && e.kind === 'crash') c['engine crashed mid-cycle']++;
  }
  return c;
}

/** The events a campaign never saw. */
export function missingCoverage(c: CoverageCounts): CoverageEvent[] {
  return COVERAGE_EVENTS.filter((e) => c[e] === 0);
}

export function coverageTable(c: CoverageCounts): string {
  const width = Math.max(...COVERAGE_EVENTS.map((e) => e.length));
  return COVERAGE_EVENTS.map((e) => `  ${e.padEnd(width)}  ${String(c[e]).padStart(6)}${c[e] === 0 ? '   never' : ''}`).join('\n');
}
