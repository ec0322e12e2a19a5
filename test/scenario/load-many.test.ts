import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, loadScenarios } from '../../src/scenario/load.ts';
import { DESIGN_EXAMPLE } from './helpers.ts';

describe('loadScenarios: each file stands alone', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'syncsim-scenarios-'));
    writeFileSync(join(dir, 'a-good.yaml'), DESIGN_EXAMPLE);
    writeFileSync(join(dir, 'b-bad.yaml'), 'name: bad\nsteps:\n  - salesforce.updte: { ref: x }\n  - wait: soon\n');
    writeFileSync(join(dir, 'c-broken-yaml.yml'), 'name: [unclosed\nsteps: []\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a scenario');
    mkdirSync(join(dir, 'more'));
    writeFileSync(join(dir, 'more', 'd-good.yaml'), 'name: nested\nsteps:\n  - wait: 1m\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads the good files of a folder (sub-folders too, in name order) and reports the bad ones', () => {
    const { scenarios, errors } = loadScenarios([dir]);
    expect(scenarios.map((s) => s.name)).toEqual(['Same field changed on both sides, Marketo wins for leads', 'nested']);
    expect(scenarios[1]!.file).toBe(join(dir, 'more', 'd-good.yaml'));
    expect(errors.map((e) => [e.file.slice(dir.length + 1), e.line, e.code])).toEqual([
      ['b-bad.yaml', 3, 'unknown-step'],
      ['b-bad.yaml', 4, 'duration'],
      ['c-broken-yaml.yml', expect.any(Number), 'yaml'],
    ]);
  });

  it('takes single files and folders together, and reports a missing path without stopping', () => {
    const { scenarios, errors } = loadScenarios([join(dir, 'nope.yaml'), join(dir, 'a-good.yaml'), join(dir, 'more')]);
    expect(scenarios).toHaveLength(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'io', file: join(dir, 'nope.yaml') });
    expect(errors[0]!.message).toMatch(/no such file or folder/);
  });

  it('loadScenario names the file in its errors', () => {
    const result = loadScenario(join(dir, 'b-bad.yaml'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.every((e) => e.file === join(dir, 'b-bad.yaml'))).toBe(true);
  });
});
