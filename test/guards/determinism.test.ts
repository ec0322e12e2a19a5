import { describe, expect, it } from 'vitest';
import { codeOnly, read, sourceFiles } from './source-files.ts';

// DESIGN §3: logic reads time from the Clock and randomness from the Rng.
// Only these modules may touch the wall clock, timers or Math.random.
const ALLOWED = new Set(['src/sim/clock.ts', 'src/sim/rng.ts']);

const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bDate\.now\s*\(/, 'Date.now()'],
  [/\bnew\s+Date\s*\(\s*\)/, 'new Date() without an argument'],
  [/\bMath\.random\s*\(/, 'Math.random()'],
  [/(^|[^.\w])setTimeout\s*\(/, 'bare setTimeout'],
  [/(^|[^.\w])setInterval\s*\(/, 'bare setInterval'],
  [/\bperformance\.now\s*\(/, 'performance.now()'],
  [/\bcrypto\.randomUUID\s*\(|\brandomBytes\s*\(/, 'unseeded crypto randomness'],
];

export function findWallClockUses(files: string[], readFile: (f: string) => string = read): string[] {
  const hits: string[] = [];
  for (const file of files) {
    if (ALLOWED.has(file)) continue;
    const lines = codeOnly(readFile(file)).split('\n');
    lines.forEach((line, i) => {
      for (const [re, what] of FORBIDDEN) if (re.test(line)) hits.push(`${file}:${i + 1}: ${what}`);
    });
  }
  return hits;
}

describe('determinism guard', () => {
  it('src/ and mocks/ use no wall clock or unseeded randomness outside clock.ts and rng.ts', () => {
    expect(findWallClockUses(sourceFiles('src', 'mocks'))).toEqual([]);
  });

  it('catches each forbidden call and ignores comments', () => {
    const fake: Record<string, string> = {
      'src/a.ts': 'const t = Date.now();\n// Date.now() in a comment\nconst d = new Date();\nconst ok = new Date(t);',
      'mocks/b.ts': 'if (Math.random() < 0.5) setTimeout(f, 10);\nclock.setTimeout(f, 1);',
      'src/sim/clock.ts': 'Date.now()',
    };
    const hits = findWallClockUses(Object.keys(fake), (f) => fake[f]!);
    expect(hits).toEqual([
      'src/a.ts:1: Date.now()',
      'src/a.ts:3: new Date() without an argument',
      'mocks/b.ts:1: Math.random()',
      'mocks/b.ts:1: bare setTimeout',
    ]);
  });
});
