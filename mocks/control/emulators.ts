/**
 * The served world: one clock, both emulators on it, a fault plan in front of
 * their handlers, and the ref table of the loaded scenario. `reset()` swaps in
 * fresh emulators; the clock keeps running (time never runs back), so a
 * reset also ends every session and token handed out before it.
 */
import type { RequestHandler } from 'msw';
import { createMarketo, type Marketo } from '../marketo/index.ts';
import { createSalesforce, type Salesforce } from '../salesforce/index.ts';
import { FaultPlan, withFaults } from '../faults.ts';
import type { RealClock } from '../../src/sim/clock.ts';
import { Rng } from '../../src/sim/rng.ts';
import { RefTable } from '../../src/scenario/refs.ts';

export interface ServedEmulatorsOptions {
  clock: RealClock;
  /** Seeds the fault plan's RNG (faults with a probability below 1). Default 1. */
  seed?: number;
}

export class ServedEmulators {
  readonly clock: RealClock;
  sf!: Salesforce;
  mkto!: Marketo;
  faults!: FaultPlan;
  refs!: RefTable;
  /** The name of the scenario whose setup was loaded last, if any. */
  scenario: { name: string; file: string; sync: unknown } | undefined;
  /** Bumped by every reset, so the server knows to rebuild its handler list. */
  generation = 0;
  private readonly seed: number;

  constructor(opts: ServedEmulatorsOptions) {
    this.clock = opts.clock;
    this.seed = opts.seed ?? 1;
    this.reset();
  }

  reset(): void {
    this.replace();
  }

  /**
   * Fresh emulators, swapped in only once `prepare` (a scenario's setup) has
   * run on them without throwing: a refused setup leaves the old ones serving.
   */
  replace(prepare?: (fresh: { sf: Salesforce; mkto: Marketo }) => RefTable | void): void {
    const sf = createSalesforce({ clock: this.clock });
    const mkto = createMarketo({ clock: this.clock });
    const refs = prepare?.({ sf, mkto }) ?? new RefTable({ org: sf.org, instance: mkto.instance });
    this.sf = sf;
    this.mkto = mkto;
    this.refs = refs;
    this.faults = new FaultPlan(this.clock, new Rng(this.seed).fork('faults'));
    this.scenario = undefined;
    this.generation++;
  }

  /** Both systems' handlers behind the fault plan (the same lists the simulator serves in-process). */
  emulatorHandlers(): RequestHandler[] {
    const org = this.sf.org;
    return [
      ...withFaults('salesforce', this.sf.handlers, this.faults, { expireSessions: () => org.expireSessions() }),
      ...withFaults('marketo', this.mkto.handlers, this.faults),
    ];
  }
}
