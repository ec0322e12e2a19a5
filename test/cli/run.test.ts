import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useColour } from '../../src/cli/output.ts';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { cli, FAILING, MALFORMED, PASSING, tempDir } from './helpers.ts';

afterAll(() => closeAllWorlds());

/** Tags open and close in order (enough to catch broken XML from string building). */
function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.replace(/<\?xml[^>]*\?>/, '').matchAll(/<(\/?)([A-Za-z]+)[^>]*?(\/?)>/g)) {
    if (m[3]) continue;
    if (m[1]) {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0 && !/[<>]/.test(xml.replace(/<[^>]*>/g, ''));
}

describe('sync-sim run', () => {
  it('exits 0 and prints one PASS line per scenario when all pass', async () => {
    const dir = tempDir({ 'a-pass.yaml': PASSING });
    const r = await cli('run', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^✓ PASS .*a-pass\.yaml {2}Marketo title reaches Salesforce {2}\(\d+(\.\d+)? m?s\)$/m);
    expect(r.stdout).toMatch(/1 passed of 1 scenario \(/);
    expect(r.stdout).not.toContain('\u001b['); // not a terminal: no colour
  });

  it('exits 1 on a failure and prints its explanation (line, expected, found, time) and timeline', async () => {
    const dir = tempDir({ 'a-pass.yaml': PASSING, 'b-fail.yaml': FAILING });
    const r = await cli('run', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^✗ FAIL .*b-fail\.yaml {2}Expects the title too early/m);
    expect(r.stdout).toMatch(/b-fail\.yaml:10:\d+: step 4 \(expect\) failed at 2026-01-05T09:03:00\.000Z \(virtual time\), seed 1/);
    expect(r.stdout).toContain('expected: Title = "CFO"');
    expect(r.stdout).toMatch(/found: {4}Salesforce: Title = \(empty\); Marketo person 1: title = "CFO"/);
    expect(r.stdout).toMatch(/timeline \(seed 1\):\n {4}2026-01-05T09:00:00\.000Z {2}world/);
    expect(r.stdout).toMatch(/1 passed, 1 failed of 2 scenarios/);
  });

  it('--no-timeline keeps the explanation and drops the timeline', async () => {
    const r = await cli('run', tempDir({ 'b-fail.yaml': FAILING }), '--no-timeline');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('expected: Title = "CFO"');
    expect(r.stdout).not.toContain('timeline (seed');
  });

  it('reports a malformed file with its line, column and fix, and still runs the others', async () => {
    const dir = tempDir({ 'a-pass.yaml': PASSING, 'c-bad.yaml': MALFORMED });
    const r = await cli('run', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ ERROR .*c-bad\.yaml {2}\(does not load\)/);
    expect(r.stdout).toMatch(/c-bad\.yaml:6:\d+: error: step 1 \(salesforce\.update\): unknown field `Titel` on Lead: did you mean `Title`\?/);
    expect(r.stdout).toMatch(/✓ PASS .*a-pass\.yaml/);
    expect(r.stdout).toMatch(/1 passed, 1 did not load of 2 scenarios/);
  });

  it('reports each kind of malformed file (bad YAML, unknown step/field/ref, wrong type, bad duration) with its line and fix, in one run', async () => {
    const head = 'name: broken\nsalesforce:\n  records:\n    - { ref: alice, object: Lead, LastName: Smith, Company: Acme }\nsteps:\n';
    const dir = tempDir({
      'a-pass.yaml': PASSING,
      'yaml.yaml': `${head}  - salesforce.update: { ref: alice, Title: CFO\n`,
      'step.yaml': `${head}  - salesforce.updte: { ref: alice, Title: CFO }\n`,
      'field.yaml': `${head}  - salesforce.update: { ref: alice, Titel: CFO }\n`,
      'type.yaml': `${head}  - fault: { system: salesforce, kind: timeout, times: many }\n`,
      'duration.yaml': `${head}  - wait: 5 minutes\n`,
      'ref.yaml': `${head}  - salesforce.update: { ref: alise, Title: CFO }\n`,
    });
    const r = await cli('run', dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✓ PASS .*a-pass\.yaml/);
    expect(r.stdout).toMatch(/yaml\.yaml:6:\d+: error: YAML: /);
    expect(r.stdout).toMatch(/step\.yaml:6:\d+: error: step 1 \(salesforce\.updte\): unknown step `salesforce\.updte`: did you mean `salesforce\.update`\?/);
    expect(r.stdout).toMatch(/field\.yaml:6:\d+: error: .*unknown field `Titel` on Lead: did you mean `Title`\?/);
    expect(r.stdout).toMatch(/type\.yaml:6:\d+: error: .*whole number/);
    expect(r.stdout).toMatch(/duration\.yaml:6:\d+: error: .*bad duration `5 minutes`: write a number and a unit, like 30s, 5m, 2h or 1d/);
    expect(r.stdout).toMatch(/ref\.yaml:6:\d+: error: .*unknown ref `alise`: did you mean `alice`\?/);
    expect(r.stdout).toMatch(/1 passed, 6 did not load of 7 scenarios/);
  });

  it('--junit writes well-formed JUnit XML with the right counts, failure text and load errors', async () => {
    const dir = tempDir({ 'a-pass.yaml': PASSING, 'b-fail.yaml': FAILING, 'c-bad.yaml': MALFORMED });
    const junit = join(tempDir(), 'reports', 'scenarios.xml');
    const r = await cli('run', dir, '--junit', junit);
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(wellFormed(xml)).toBe(true);
    expect(xml).toMatch(/^<\?xml version="1\.0" encoding="UTF-8"\?>\n<testsuites name="sync-sim scenarios" tests="3" failures="1" errors="1" time="[\d.]+">/);
    expect(xml).toMatch(/<testsuite name="sync-sim scenarios" tests="3" failures="1" errors="1" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(3);
    expect(xml).toMatch(/<testcase classname="sync-sim scenarios" name="a-pass\.yaml: Marketo title reaches Salesforce" file="[^"]*a-pass\.yaml" time="[\d.]+"\/>/);
    expect(xml).toMatch(/<failure message="Salesforce Lead \w+ \(`alice`\) Title differs" type="ScenarioFailure">[^<]*expected: Title = &quot;CFO&quot;/);
    expect(xml).toMatch(/<error message="unknown field `Titel` on Lead: did you mean `Title`\?" type="ScenarioLoadError">/);
  });

  it('--grep runs only the scenarios whose file or name matches', async () => {
    const dir = tempDir({ 'a-pass.yaml': PASSING, 'b-fail.yaml': FAILING });
    const byName = await cli('run', dir, '--grep', 'title REACHES');
    expect(byName.code).toBe(0);
    expect(byName.stdout).toContain('a-pass.yaml');
    expect(byName.stdout).not.toContain('b-fail.yaml');
    const byFile = await cli('run', dir, '--grep', '^.*b-fail');
    expect(byFile.stdout).not.toContain('a-pass.yaml');
    expect(byFile.code).toBe(1);
    const none = await cli('run', dir, '--grep', 'nothing like this');
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('sync-sim run: no scenario matches --grep "nothing like this"\n');
  });

  it('--trace writes each timeline as text; --seed overrides every seed', async () => {
    const dir = tempDir({ 'a-pass.yaml': PASSING });
    const traces = join(tempDir(), 'traces');
    const r = await cli('run', join(dir, 'a-pass.yaml'), '--trace', traces, '--seed', '42');
    expect(r.code).toBe(0);
    expect(readdirSync(traces)).toEqual(['a-pass.trace.txt']);
    const text = readFileSync(join(traces, 'a-pass.trace.txt'), 'utf8');
    expect(text).toMatch(/^# Marketo title reaches Salesforce\n# file: .*a-pass\.yaml\n# seed: 42\n# trace hash: [0-9a-f]{64}\n# verdict: pass\n/);
    expect(text).toMatch(/2026-01-05T09:05:00\.000Z {2}engine {5}field {10}person 1 ⇄ Lead \w+ Title: to-salesforce/);
  });

  it('refuses a bad --seed or a missing path with one line, exit 1', async () => {
    const bad = await cli('run', tempDir({ 'a.yaml': PASSING }), '--seed', 'seven');
    expect(bad).toMatchObject({ code: 1, stderr: 'sync-sim run: --seed: expected a whole number (like 7), got "seven"\n' });
    const missing = await cli('run', 'no/such/dir');
    expect(missing).toMatchObject({ code: 1, stderr: 'sync-sim run: no such file or folder: no/such/dir\n' });
    expect(existsSync('no')).toBe(false);
  });

  it('--help shows the options and examples, exit 0', async () => {
    const r = await cli('run', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: sync-sim run [options] [paths...]');
    expect(r.stdout).toContain('--junit <file>');
    expect(r.stdout).toContain('$ sync-sim run --junit reports/scenarios.xml');
  });
});

describe('colour', () => {
  it('only on a terminal, never with NO_COLOR, and when FORCE_COLOR asks', () => {
    expect(useColour({ isTTY: true }, {})).toBe(true);
    expect(useColour({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColour({ isTTY: false }, {})).toBe(false);
    expect(useColour({}, { FORCE_COLOR: '1' })).toBe(true);
    expect(useColour({ isTTY: true }, { TERM: 'dumb' })).toBe(false);
  });
});
