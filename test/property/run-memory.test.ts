/**
 * A long `sync-sim fuzz` campaign must not keep what its finished runs built
 * (issue 6: 2,000 runs reached 3.3 GB, ~1.5 MB kept per run). A run answered
 * in-process is all microtasks: the event loop never turns during a campaign,
 * so anything a run leaves on it (a real timer, an immediate) holds its
 * closures, and through them the World, until the campaign ends. These checks
 * run without letting the loop turn, as a campaign does.
 */
import fc from 'fast-check';
import { queryObjects } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import { caseArbitrary, runCase } from '../../src/sim/campaign.ts';
import { closeAllWorlds, World } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

/** Live objects made by `ctor`, counted after a full garbage collection (queryObjects collects first). */
function live(ctor: abstract new (...args: never[]) => unknown): number {
  return queryObjects(ctor as unknown as new () => unknown, { format: 'count' }) as number;
}

function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
}

describe('memory across fuzz runs', () => {
  // Faults on, so the runs include retries, session refreshes and writes, each a jsforce request with a body.
  const cases = fc.sample(caseArbitrary({ maxCommands: 8 }), { seed: 6, numRuns: 4 });

  it('a finished run leaves no World alive and no timer pending, with the event loop never turning between runs', async () => {
    const timersBefore = pendingTimers();
    for (const [config, commands] of cases) await runCase(config, commands);
    // Straight on from the last run's await: a timer a run left behind has had no chance to fire.
    expect(live(World), 'Worlds still alive').toBe(0);
    expect(pendingTimers() - timersBefore, 'timers left pending').toBe(0);
  }, 60_000);
});
