/**
 * quiet-when-idle over a real world: the engine describes Lead and Contact at start, after setup changes and on its
 * hourly safety net, so the idle cycles the oracle measures may include one that describes. That one counts toward
 * the read budget and is no difference in cost; its data reads must still match the others'.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DESCRIBE_EVERY } from '../../src/engine/engine.ts';
import { measureIdle, quietWhenIdle } from '../../src/sim/oracle.ts';
import { closeAllWorlds, createWorld } from '../../src/sim/world.ts';

afterAll(() => closeAllWorlds());

describe('quiet-when-idle and the scheduled describe', () => {
  it('an idle cycle that describes on schedule costs the same data reads and breaks nothing', async () => {
    const w = createWorld({ seed: 7 });
    w.salesforceUser.create('Lead', { LastName: 'Idle', Company: 'Quiet Co', Email: 'idle@example.test' });
    const first = await w.runCycle();
    expect(first.ok).toBe(true);
    // The start described (cycle 1); the safety net describes again DEFAULT_DESCRIBE_EVERY cycles later.
    for (let i = 2; i < DEFAULT_DESCRIBE_EVERY; i++) await w.advance('5m');
    const idle = await measureIdle(w, 3);
    expect(idle.map((c) => c.sfDescribes)).toEqual([0, 2, 0]);
    expect(new Set(idle.map((c) => c.sfReads)).size).toBe(1);
    expect(idle.every((c) => c.sfWrites === 0 && c.mkWrites === 0)).toBe(true);
    expect(quietWhenIdle(idle)).toEqual([]);
  });
});
