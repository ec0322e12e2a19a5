import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeOnly, read, sourceFiles } from './source-files.ts';

// DESIGN §2: the engine sees only HTTP, the emulators see only requests.
// src/engine must not import mocks/, and mocks/ must not import src/engine.

const IMPORT_RE = /(?:\bimport\s+(?:[^'"`;]*?\sfrom\s+)?|\bexport\s+[^'"`;]*?\sfrom\s+|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of codeOnly(text).matchAll(IMPORT_RE)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) out.push(normalize(join(dirname(file), spec)));
    else if (spec.startsWith('syncsim/')) out.push(`package:${spec}`);
  }
  return out;
}

const FORBIDDEN_FOR: Array<[prefix: string, forbidden: (target: string) => boolean, why: string]> = [
  ['src/engine/', (t) => t.startsWith('mocks/') || t === 'mocks' || /^package:syncsim\/(salesforce|marketo)/.test(t), 'the engine imports an emulator'],
  ['mocks/', (t) => t.startsWith('src/engine/') || t === 'src/engine', 'an emulator imports the engine'],
];

export function boundaryViolations(files: string[], readFile: (f: string) => string = read): string[] {
  const out: string[] = [];
  for (const file of files) {
    for (const [prefix, forbidden, why] of FORBIDDEN_FOR) {
      if (!file.startsWith(prefix)) continue;
      for (const target of importsOf(file, readFile(file))) if (forbidden(target)) out.push(`${file} → ${target}: ${why}`);
    }
  }
  return out;
}

describe('engine/emulator boundary', () => {
  it('no import crosses between src/engine and mocks/', () => {
    expect(boundaryViolations(sourceFiles('src/engine', 'mocks'))).toEqual([]);
  });

  it('catches a crossing import in either direction, static or dynamic', () => {
    const fake: Record<string, string> = {
      'src/engine/sync.ts': "import { createSalesforce } from '../../mocks/salesforce/index.ts';\nimport type { Clock } from '../sim/clock.ts';",
      'src/engine/lazy.ts': "const m = await import('../../mocks/marketo/model.ts');",
      'src/engine/pkg.ts': "import { createMarketo } from 'syncsim/marketo';",
      'mocks/salesforce/org.ts': "export { Engine } from '../../src/engine/engine.ts';\nimport { VirtualClock } from '../../src/sim/clock.ts';",
    };
    expect(boundaryViolations(Object.keys(fake), (f) => fake[f]!)).toEqual([
      'src/engine/sync.ts → mocks/salesforce/index.ts: the engine imports an emulator',
      'src/engine/lazy.ts → mocks/marketo/model.ts: the engine imports an emulator',
      'src/engine/pkg.ts → package:syncsim/marketo: the engine imports an emulator',
      'mocks/salesforce/org.ts → src/engine/engine.ts: an emulator imports the engine',
    ]);
  });
});
