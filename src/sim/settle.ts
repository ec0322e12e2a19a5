/**
 * The end of a run (issue 6 §2, the VOPR's two phases): faults stop, the
 * world runs until quiet within a cycle budget (liveness), two idle cycles
 * are measured (quiet-when-idle), and every property of DESIGN §5 is
 * checked by the oracle. This is what `expect: { converged: true }` does in
 * a scenario file, so a fuzz run and the replay of its counterexample end in
 * exactly the same checks.
 */
import { checkState, isMkWrite, isSfWrite, liveness, measureIdle, quietWhenIdle, type Violation, type WinnerConfig } from './oracle.ts';
import type { World } from './world.ts';

/** Cycles the world gets to become quiet once faults and users stop. */
export const QUIET_BUDGET = 12;
/** Idle cycles measured for quiet-when-idle. */
export const IDLE_CYCLES = 2;

export interface SettleResult {
  violations: Violation[];
  /** Cycles it took to become quiet; undefined if it never did. */
  quietAfter: number | undefined;
}

/** A property planted by a test (of the shrink-and-replay path), checked with the others. */
export type ExtraCheck = (w: World) => Violation[];

/**
 * Faults stop; cycles run until one writes nothing (at most QUIET_BUDGET),
 * then two idle cycles are measured and the state checked. The caller stops
 * the users (pending race edits) first.
 */
export async function settleWorld(w: World, winners: WinnerConfig, extra?: ExtraCheck): Promise<SettleResult> {
  w.faults.clear();
  w.trace.record('world', 'settle', 'faults stop, users stop: running until quiet');
  let quietAfter: number | undefined;
  let last = '';
  for (let i = 1; i <= QUIET_BUDGET; i++) {
    const sf0 = w.org.requestLog.length;
    const mk0 = w.instance.requestLog.length;
    const ev0 = w.engineEvents.length;
    const [report] = await w.advance(Math.max(0, w.engine.schedule.nextAt - w.clock.now()));
    const sfWrites = w.org.requestLog.slice(sf0).filter((e) => e.user === w.org.syncUser.id && isSfWrite(e.method, e.path) && e.errorCodes.length === 0).length;
    const mkWrites = w.instance.requestLog.slice(mk0).filter((e) => isMkWrite(e.operation)).length;
    last = `last cycle: ${report?.ok ? 'ok' : `failed (${report?.error ?? '?'})`}, ${sfWrites} Salesforce writes, ${mkWrites} Marketo writes`;
    // Quiet: nothing written and nothing decided (an unlink with a re-create due next cycle is still work).
    const busy = w.engineEvents.slice(ev0).some((e) => e.type === 'link' || e.type === 'unlink' || (e.type === 'write' && e.ok > 0));
    if (report?.ok && sfWrites === 0 && mkWrites === 0 && !busy) {
      quietAfter = i;
      break;
    }
  }
  const violations: Violation[] = [...liveness(quietAfter, QUIET_BUDGET, last)];
  if (quietAfter !== undefined) violations.push(...quietWhenIdle(await measureIdle(w, IDLE_CYCLES)));
  violations.push(...checkState(w, winners));
  if (extra) violations.push(...extra(w));
  w.trace.record('world', 'checked', violations.length ? `${violations.length} violation(s): ${[...new Set(violations.map((v) => v.property))].join(', ')}` : 'every property holds');
  return { violations, quietAfter };
}
