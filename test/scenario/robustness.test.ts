import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatErrors } from '../../src/scenario/errors.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import { DESIGN_EXAMPLE, loadErrors } from './helpers.ts';

/** Whatever the text, the loader answers with a scenario or with located errors: it never throws. */
function checkAnswer(text: string): void {
  const result = parseScenario(text, 'fuzz.yaml');
  if (result.ok) return;
  expect(result.errors.length).toBeGreaterThan(0);
  const lines = text.split(/\r?\n/).length;
  for (const e of result.errors) {
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.line).toBeLessThanOrEqual(lines);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.message.length).toBeGreaterThan(0);
  }
  expect(() => formatErrors(result.errors)).not.toThrow();
}

describe('the loader never throws', () => {
  it('on odd shapes', () => {
    const odd = [
      '42', '[]', '- a\n- b', 'name: x\nsteps: {}', 'name: x\nsteps:\n  -\n  - null\n  - 5\n  - [wait, 5m]',
      'name: x\nsteps:\n  - wait:\n  - salesforce.update:\n  - expect:\n  - expect: {}\n  - fault: []',
      'name: x\nsalesforce: 5\nmarketo: [1]\nsync: x\nsteps: []', 'name: x\nsalesforce:\n  records: [5, null, { ref: 1 }]\nsteps: []',
      'name: &n x\nsteps:\n  - wait: &w 5m\n  - wait: *w\n', 'name: x\nsteps:\n  - { 1: 2 }\n  - { rejected: X }\n',
      'name: x\nsteps:\n  - expect: { salesforce: [], marketo: [5], count: { marketo.people: -1 }, converged: yes }',
      'name: x\nsync: { winner: { Lead: both, Account: marketo, Lead.Nope: marketo, X.Y.Z: salesforce } }\nsteps: []',
      '---\nname: a\nsteps: []\n---\nname: b\nsteps: []\n', '\t', '{', 'name: "unterminated\n',
    ];
    for (const text of odd) checkAnswer(text);
  });

  test.prop([fc.string({ maxLength: 200 })])('on any text', (text) => checkAnswer(text));

  const lines = DESIGN_EXAMPLE.split('\n');
  test.prop([
    fc.array(
      fc.record({ line: fc.nat(lines.length - 1), at: fc.nat(60), cut: fc.nat(4), insert: fc.constantFrom('', ' ', ':', '{', '}', '-', '#', 'x', '\t', '5m', 'ref') }),
      { minLength: 1, maxLength: 4 },
    ),
  ])('on the DESIGN example with random edits', (edits) => {
    const copy = [...lines];
    for (const { line, at, cut, insert } of edits) {
      const l = copy[line]!;
      const i = Math.min(at, l.length);
      copy[line] = l.slice(0, i) + insert + l.slice(i + cut);
    }
    checkAnswer(copy.join('\n'));
  });
});

it('reports two documents in one file', () => {
  const errors = loadErrors('name: a\nsteps: []\n---\nname: b\nsteps: []\n');
  expect(errors[0]!.code).toBe('yaml');
});

it('reports an alias without its anchor where the alias is', () => {
  const [e] = loadErrors('name: x\nsteps:\n  - wait: *later\n');
  expect(e).toMatchObject({ code: 'yaml', line: 3, column: 11 });
  expect(e!.message).toMatch(/^YAML: .*alias/i);
});
