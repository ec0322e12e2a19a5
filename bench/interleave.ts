/**
 * The growth figure's two sizes measured in turns: one child process per size
 * (`bench/child.ts growth <records>`), both built and warmed first (in
 * parallel), then one timed busy cycle in the first, one in the second, and
 * so on (A, B, A, B…). Whatever else the machine does then weighs on both
 * sizes alike, instead of on whichever size happened to run during it; and
 * only one of the two runs at a time, so they never compete with each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { growthSummary } from './figures.ts';
import type { BusyRep } from './sync-world.ts';

export interface SizeResult extends ReturnType<typeof growthSummary> {
  records: number;
  singleThreaded: boolean;
  heapUsedMb: number;
}

interface Message {
  type: 'ready' | 'rep' | 'done';
  [k: string]: unknown;
}

/** A child that answers one message at a time. */
class Turns {
  private waiting: { resolve: (m: Message) => void; reject: (e: Error) => void } | undefined;
  private readonly early: Message[] = [];
  private failure: Error | undefined;

  constructor(
    readonly label: string,
    readonly child: ChildProcess,
  ) {
    child.on('message', (m: Message) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w.resolve(m);
      } else this.early.push(m);
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      this.waiting?.reject(e);
      this.waiting = undefined;
    };
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`bench group '${label}' exited with ${code} before it finished`)));
  }

  next(expected: Message['type']): Promise<Message> {
    const early = this.early.shift();
    if (early) return Promise.resolve(this.check(early, expected));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.waiting = { resolve: (m) => resolve(this.check(m, expected)), reject }));
  }

  ask(type: 'rep' | 'done'): Promise<Message> {
    this.child.send({ type });
    return this.next(type);
  }

  private check(m: Message, expected: Message['type']): Message {
    if (m?.type !== expected) throw new Error(`bench group '${this.label}': expected '${expected}', got ${JSON.stringify(m).slice(0, 200)}`);
    return m;
  }
}

/**
 * Runs `reps` timed busy cycles at each size in `sizes`, in turns, each size
 * in its own `child.ts growth` process started with `nodeFlags`.
 */
export async function interleavedGrowth(childScript: string, sizes: readonly number[], reps: number, nodeFlags: readonly string[]): Promise<SizeResult[]> {
  const turns = sizes.map(
    (n) =>
      new Turns(
        `growth ${n}`,
        spawn(process.execPath, [...nodeFlags, '--import', 'tsx', childScript, 'growth', String(n)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] }),
      ),
  );
  let finished = false;
  try {
    const ready = await Promise.all(turns.map((t) => t.next('ready')));
    const results: BusyRep[][] = sizes.map(() => []);
    for (let i = 0; i < reps; i++) {
      // Alternate which size goes first, so neither always follows the other.
      const order = i % 2 === 0 ? turns.map((_, j) => j) : turns.map((_, j) => turns.length - 1 - j);
      for (const j of order) {
        const m = await turns[j]!.ask('rep');
        results[j]!.push({ ms: m.ms as number, cpuMs: m.cpuMs as number, calls: m.calls as number });
      }
    }
    const done = await Promise.all(turns.map((t) => t.ask('done')));
    finished = true;
    return sizes.map((records, j) => ({
      ...growthSummary(results[j]!, done[j]!.gc as { ms: number; minor: number; major: number }),
      records,
      singleThreaded: done[j]!.singleThreaded === true && ready[j]!.singleThreaded === true,
      heapUsedMb: done[j]!.heapUsedMb as number,
    }));
  } finally {
    // A child that failed or that another's failure left waiting is stopped; finished ones exit by themselves.
    if (!finished) for (const t of turns) if (t.child.exitCode === null) t.child.kill();
  }
}
