/**
 * `GET /__syncsim/properties` for `sync-sim serve`: the simulator's own
 * property checks (src/sim/properties.ts) on the served emulators. Served
 * mode has no engine state of ours, so the checks that need it are left out
 * and one excuse is judged from the systems alone: a pair whose person has
 * an `SFDC Sync Failure` activity counts as held back by a standing
 * rejection (the simulator asks the engine's state store instead).
 */
import type { PropertyCheck } from '../../mocks/control/handlers.ts';
import { converged, failureActivities, noDuplicate, respectsPermissions, type PropertyWorld, type Violation } from '../sim/properties.ts';

const NOT_CHECKED = ['conflict-winner', 'error-logged', 'no-lost-update', 'quiet-when-idle', 'deterministic'];

export const servedProperties: PropertyCheck = (org, instance, opts) => {
  const w: PropertyWorld = { org, instance };
  const blocked = (v: Violation) => v.personId !== undefined && v.field !== undefined && failureActivities(w, v.personId).length > 0;
  const result = (name: string, violations: Violation[]) => ({ name, ok: violations.length === 0, violations });
  return {
    properties: [
      result('converged', converged(w).filter((v) => !blocked(v))),
      result('no-duplicate', noDuplicate(w)),
      result('respects-permissions', respectsPermissions(w, opts.permissionsFromSeq !== undefined ? { fromSeq: opts.permissionsFromSeq } : {})),
    ],
    note: `checked from the two systems alone; ${NOT_CHECKED.join(', ')} need the engine's decisions or the edit history, and are not checked here`,
  };
};
