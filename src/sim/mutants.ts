/**
 * Deliberately broken engine variants (issue 6 §2 "The suite must be able to
 * fail"). This is the list, as data: the engine implements each behind
 * `EngineOptions.mutant` (src/engine/, its owner's work), and
 * test/mutants/mutants.test.ts (in npm test) asserts that the property suite catches
 * every one within its normal run budget.
 */
import type { PropertyName } from './oracle.ts';

export interface Mutant {
  name: string;
  /** What the engine does wrong. */
  breaks: string;
  /** The properties that should catch it (any one will do). */
  properties: readonly PropertyName[];
  /** How they catch it. */
  caughtBy: string;
  /** Run options the catching suite needs beyond the default mix (still the normal budget). */
  suite: 'main' | 'races';
}

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'salesforce-wins-leads',
    properties: ['conflict-winner'],
    breaks: 'when the same lead field changed on both sides since the last sync, Salesforce wins instead of Marketo',
    caughtBy: 'conflict-winner: a lead field edited on both sides between two cycles ends with the Salesforce value',
    suite: 'main',
  },
  {
    name: 'echo-by-last-modified-by',
    properties: ['no-lost-update', 'converged'],
    breaks: 'echo suppression by "last modified by the sync user": a Salesforce row the sync user modified last is skipped, instead of merging against the ancestor',
    caughtBy: 'no-lost-update: a person\'s edit that lands between the engine\'s read and its write (or a Marketo edit while the row still shows the engine\'s write) never reaches the other side',
    suite: 'races',
  },
  {
    name: 'no-retry-on-lock',
    properties: ['error-logged', 'converged', 'no-lost-update'],
    breaks: 'UNABLE_TO_LOCK_ROW is treated as a rejection: not retried with backoff, logged as a failure activity',
    caughtBy: 'error-logged: a failure activity for a transient UNABLE_TO_LOCK_ROW (and converged/no-lost-update when the record is never retried)',
    suite: 'main',
  },
  {
    name: 'log-failure-every-cycle',
    properties: ['error-logged'],
    breaks: 'a standing Salesforce rejection is written to the activity log on every cycle it is retried, not once per distinct failure',
    caughtBy: 'error-logged: one failure logged several times with nothing in between that could have cleared it',
    suite: 'main',
  },
  {
    name: 'write-hidden-fields',
    properties: ['respects-permissions', 'liveness', 'converged', 'no-lost-update'],
    breaks: 'the field set ignores the sync user\'s field-level security: fields it cannot see or edit are still read and written',
    caughtBy: 'respects-permissions: requests name a field after the sync user lost access to it, cycle after cycle (or the cycles it breaks leave edits unsynced: liveness, converged, no-lost-update)',
    suite: 'main',
  },
  {
    name: 'watermark-before-write',
    properties: ['no-lost-update', 'converged'],
    breaks: 'the Salesforce watermark and Marketo paging token are saved before the writes they cover; a crash or failure mid-cycle skips those changes for good',
    caughtBy: 'no-lost-update / converged: after a crash or a failed write, an edit polled in the failed cycle never syncs',
    suite: 'main',
  },
  {
    name: 'flow-action-no-duplicate-check',
    properties: ['no-duplicate', 'converged'],
    breaks: 'Sync Person to SFDC retries a lead create whose answer was lost without first looking for the lead it may have created',
    caughtBy: 'no-duplicate: after a timeout-after-commit on the create, a second lead exists that no person carries',
    suite: 'main',
  },
];

export const MUTANT_NAMES: readonly string[] = MUTANTS.map((m) => m.name);

export function mutantByName(name: string): Mutant | undefined {
  return MUTANTS.find((m) => m.name === name);
}
