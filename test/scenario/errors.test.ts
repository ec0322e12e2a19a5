import { describe, expect, it } from 'vitest';
import { formatError, formatErrors } from '../../src/scenario/errors.ts';
import { loadErrors, withSteps } from './helpers.ts';

// withSteps puts the first step on line 9, column 3 ("  - ").
const only = (text: string) => {
  const errors = loadErrors(text);
  expect(errors.map((e) => e.message)).toHaveLength(1);
  return errors[0]!;
};

describe('each malformed file names the line, the column and the fix', () => {
  it('bad YAML syntax', () => {
    const e = only('name: broken\nsteps:\n  - wait: 5m\n  - salesforce.update: { ref: alice, Title: CFO\n');
    // Shown where the map should have closed: the end of line 4.
    expect(e).toMatchObject({ code: 'yaml', line: 4, column: 47 });
    expect(e.message).toMatch(/^YAML: Flow map .* end with a \}$/);
  });

  it('a duplicate key is a YAML error on its line', () => {
    const e = only('name: a\nname: b\nsteps: []\n');
    expect(e).toMatchObject({ code: 'yaml', line: 2, column: 1 });
    expect(e.message).toMatch(/unique/);
  });

  it('an unknown step, with the nearest step', () => {
    const e = only(withSteps('  - wait: 5m\n  - salesforce.updte: { ref: alice, Title: CFO }\n'));
    expect(e).toMatchObject({ code: 'unknown-step', line: 10, column: 5, suggestion: 'salesforce.update' });
    expect(e.message).toBe('unknown step `salesforce.updte`: did you mean `salesforce.update`?');
    expect(e.step).toEqual({ number: 2, kind: 'salesforce.updte' });
    expect(formatError(e)).toMatch(/^bad\.yaml:10:5: error: step 2 \(salesforce\.updte\): unknown step/);
  });

  it('an unknown bare step', () => {
    const e = only(withSteps('  - engine.restrat\n'));
    expect(e).toMatchObject({ code: 'unknown-step', line: 9, column: 5, suggestion: 'engine.restart' });
  });

  it('an unknown field, with a suggestion, pointing at the key', () => {
    const e = only(withSteps('  - salesforce.update: { ref: alice, Titel: CFO }\n'));
    expect(e).toMatchObject({ code: 'unknown-field', line: 9, column: 38, suggestion: 'Title', step: { number: 1, kind: 'salesforce.update' } });
    expect(e.message).toBe('unknown field `Titel` on Lead: did you mean `Title`?');
    expect(e.path).toEqual(['steps', 0, 'salesforce.update', 'Titel']);
  });

  it('an unknown Marketo field', () => {
    const e = only(withSteps('  - marketo.update: { ref: bob, titel: CEO }\n'));
    expect(e.message).toBe('unknown field `titel` on a Marketo person: did you mean `title`?');
    expect(e.column).toBe(33);
  });

  it('a Salesforce field name on a Marketo person', () => {
    const e = only(withSteps('  - marketo.update: { ref: bob, mobilephone: "1", HasOptedOutOfEmail: true }\n'));
    expect(e).toMatchObject({ code: 'unknown-field', line: 9, column: 51 });
    expect(e.message).toBe('unknown field `HasOptedOutOfEmail` on a Marketo person: declare custom fields under `marketo.fields`');
  });

  it('an unknown field in a record of the setup', () => {
    const e = only('name: x\nsalesforce:\n  records:\n    - { ref: a, object: Contact, LastName: X, Compnay: Acme }\nsteps: []\n');
    expect(e).toMatchObject({ line: 4, column: 47 });
    // Contact has no Company: the nearest Contact field is offered, not Lead's.
    expect(e.message).toMatch(/^unknown field `Compnay` on Contact/);
  });

  it('a field unknown in a validation rule formula', () => {
    const e = only('name: x\nsalesforce:\n  rules:\n    - { object: Lead, name: R, formula: ISBLANK(Phon), message: m }\nsteps: []\n');
    expect(e.message).toBe('the formula uses unknown field `Phon` on Lead: did you mean `Phone`?');
    expect(e.line).toBe(4);
  });

  it('a wrong type: `wait: five`', () => {
    const e = only(withSteps('  - wait: five\n'));
    expect(e).toMatchObject({ line: 9, column: 11, step: { number: 1, kind: 'wait' } });
    expect(e.message).toMatch(/`five`.*like 30s, 5m, 2h or 1d/);
  });

  it('a wrong type: a word where a whole number goes', () => {
    const e = only(withSteps('  - fault: { system: salesforce, kind: timeout, times: many }\n'));
    expect(e).toMatchObject({ code: 'type', line: 9, column: 56 });
    expect(e.message).toBe('expected a whole number, got text `many`');
  });

  it('a wrong type: a list where a field value goes', () => {
    const e = only(withSteps('  - salesforce.update: { ref: alice, Title: [a, b] }\n'));
    expect(e).toMatchObject({ code: 'type', line: 9, column: 45 });
    expect(e.message).toMatch(/expected a single value .* got a list/);
  });

  it('a bad duration', () => {
    const e = only(withSteps('  - fault: { system: marketo, kind: unavailable, for: 10 minutes }\n'));
    expect(e).toMatchObject({ code: 'duration', line: 9, column: 55 });
    expect(e.message).toBe('bad duration `10 minutes`: write a number and a unit, like 30s, 5m, 2h or 1d');
  });

  it('a duration without a unit', () => {
    const e = only(withSteps('  - wait: 5\n'));
    expect(e).toMatchObject({ code: 'duration', line: 9, column: 11 });
    expect(e.message).toMatch(/has no unit/);
  });

  it('an unknown ref, with the nearest defined one', () => {
    const e = only(withSteps('  - salesforce.update: { ref: alise, Title: CFO }\n'));
    expect(e).toMatchObject({ code: 'unknown-ref', line: 9, column: 31, suggestion: 'alice' });
    expect(e.message).toBe('unknown ref `alise`: did you mean `alice`?');
  });

  it('a ref used before the step that defines it', () => {
    const errors = loadErrors(withSteps('  - marketo.update: { ref: carol, title: CEO }\n  - marketo.create: { ref: carol, email: c@x.test }\n'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'unknown-ref', line: 9 });
    expect(errors[0]!.message).toMatch(/unknown ref `carol`: define it first/);
  });

  it('a ref defined twice', () => {
    const e = only(withSteps('  - marketo.create: { ref: alice, email: a@x.test }\n'));
    expect(e).toMatchObject({ code: 'duplicate-ref', line: 9 });
    expect(e.message).toBe('ref `alice` is already defined on line 4: each ref names one person/record pair');
  });

  it('an unknown fault kind', () => {
    const e = only(withSteps('  - fault: { system: salesforce, kind: timout }\n'));
    expect(e).toMatchObject({ code: 'value', line: 9, column: 40, suggestion: 'timeout' });
    expect(e.message).toMatch(/^`timout` is not one of `unavailable`, `timeout`, .*: did you mean `timeout`\?$/);
  });

  it('a missing required key', () => {
    const e = only(withSteps('  - salesforce.create: { ref: carol, LastName: Ng }\n'));
    expect(e).toMatchObject({ code: 'missing-key', line: 9, column: 24 });
    expect(e.message).toMatch(/^missing required key `object`/);
  });

  it('a missing top-level key', () => {
    const e = only('steps: []\n');
    expect(e).toMatchObject({ code: 'missing-key', line: 1, column: 1 });
    expect(e.message).toBe('missing required key `name` at the top of the file');
  });

  it('an unknown top-level key, with a suggestion', () => {
    const e = only('name: x\nseeds: 3\nsteps: []\n');
    expect(e).toMatchObject({ code: 'unknown-key', line: 2, column: 1, suggestion: 'seed' });
    expect(e.message).toBe('unknown key `seeds` at the top of the file: did you mean `seed`?');
  });

  it('an unknown check in expect', () => {
    const e = only(withSteps('  - expect: { lnked: { ref: alice, sfdcType: Lead } }\n'));
    expect(e.message).toBe('unknown check `lnked` in expect: did you mean `linked`?');
    expect(e.column).toBe(15);
  });

  it('a step that is not a map', () => {
    const e = only(withSteps('  - wait: 5m\n  - [wait, 5m]\n'));
    expect(e).toMatchObject({ code: 'step-shape', line: 10, column: 5, step: { number: 2, kind: '?' } });
    expect(formatError(e)).toMatch(/error: step 2: expected a step like `- wait: 5m`, got a list$/m);
  });

  it('two actions in one step', () => {
    const e = only(withSteps('  - wait: 5m\n    expect: { converged: true }\n'));
    expect(e).toMatchObject({ code: 'step-shape', line: 10, column: 5 });
    expect(e.message).toMatch(/one action per step.*put `expect` in its own `- expect: …` item/);
  });

  it('`rejected` on the flow action, which never fails a step', () => {
    const e = only(withSteps('  - marketo.syncPersonToSfdc: { ref: bob }\n    rejected: REQUIRED_FIELD_MISSING\n'));
    expect(e).toMatchObject({ line: 10, column: 5 });
    expect(e.message).toMatch(/`rejected` does not apply to `marketo.syncPersonToSfdc`.*expect: \{ activity/);
  });

  it('a misspelt Salesforce error code', () => {
    const e = only(withSteps('  - salesforce.update: { ref: alice, LastName: null }\n    rejected: REQUIRED_FIELD_MISING\n'));
    expect(e).toMatchObject({ line: 10, column: 15, suggestion: 'REQUIRED_FIELD_MISSING' });
  });

  it('an unknown object in a permission', () => {
    const e = only('name: x\nsalesforce:\n  permissions:\n    Leed.Phone: none\nsteps: []\n');
    expect(e).toMatchObject({ line: 4, column: 5, suggestion: 'Lead' });
  });

  it('an empty file', () => {
    expect(only('')).toMatchObject({ code: 'empty', line: 1 });
  });
});

describe('all problems in a file are reported', () => {
  const text = withSteps(
    [
      '  - wait: five', // 9
      '  - salesforce.updte: { ref: alice }', // 10
      '  - salesforce.update: { ref: alice, Titel: CFO }', // 11
      '  - marketo.update: { ref: alise, title: CEO }', // 12
      '  - fault: { system: salesforce, kind: timout }', // 13
      '  - expect: { converged: true }', // 14: fine
      '  - salesforce.delete: {}', // 15
      '',
    ].join('\n'),
  );

  it('one error per problem, in file order, each on its own line', () => {
    const errors = loadErrors(text);
    expect(errors.map((e) => [e.line, e.code])).toEqual([
      [9, 'duration'],
      [10, 'unknown-step'],
      [11, 'unknown-field'],
      [12, 'unknown-ref'],
      [13, 'value'],
      [15, 'missing-key'],
    ]);
  });

  it('prints file:line:col, the step, the message and a caret under the problem', () => {
    const errors = loadErrors(text, 'scenarios/broken.yaml');
    expect(formatError(errors[2]!)).toBe(
      [
        'scenarios/broken.yaml:11:38: error: step 3 (salesforce.update): unknown field `Titel` on Lead: did you mean `Title`?',
        '  11 |   - salesforce.update: { ref: alice, Titel: CFO }',
        '     |                                      ^^^^^',
      ].join('\n'),
    );
    const all = formatErrors(errors);
    expect(all).toContain('scenarios/broken.yaml:9:11: error: step 1 (wait): bad duration `five`');
    expect(all.trimEnd().endsWith('6 errors')).toBe(true);
  });
});
