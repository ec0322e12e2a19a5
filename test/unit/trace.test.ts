import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/clock.ts';
import { renderTimelineHtml } from '../../src/sim/timeline-html.ts';
import { Trace, stableJson } from '../../src/sim/trace.ts';

function sample(titleValue: string): Trace {
  const clock = new VirtualClock();
  const trace = new Trace(() => clock.now());
  trace.record('user', 'edit', 'alice: Salesforce Title = CFO', { ref: 'alice', field: 'Title', value: 'CFO' });
  clock.advanceBy(300_000);
  trace.record('world', 'cycle.start', 'cycle 1');
  trace.record('engine', 'decision', `Lead Title: marketo wins (both changed) → ${titleValue}`, { winner: 'marketo', value: titleValue });
  trace.record('salesforce', 'request', 'PATCH /composite/sobjects 200', { ok: true });
  return trace;
}

describe('Trace', () => {
  it('stamps events with virtual time and prints one line each', () => {
    const text = sample('CEO').toText();
    expect(text.split('\n')).toHaveLength(4);
    expect(text.split('\n')[0]).toMatch(/^2026-01-05T09:00:00\.000Z {2}user {7}edit {11}alice: Salesforce Title = CFO$/);
    expect(text.split('\n')[2]).toContain('2026-01-05T09:05:00.000Z  engine');
  });

  it('hashes equal traces equally and tells different ones apart, data included', () => {
    expect(sample('CEO').hash()).toBe(sample('CEO').hash());
    expect(sample('CEO').hash()).not.toBe(sample('CFO').hash());
  });

  it('hashes data independently of key order', () => {
    expect(stableJson({ b: 1, a: { d: 2, c: 3 } })).toBe(stableJson({ a: { c: 3, d: 2 }, b: 1 }));
  });
});

describe('HTML timeline', () => {
  it('puts each event in its lane and escapes text', () => {
    const trace = sample('<CEO>');
    const html = renderTimelineHtml({ title: 'Conflict <demo>', facts: [['seed', '7']], events: trace.events, highlight: new Set([3]) });
    expect(html).toContain('<title>Conflict &lt;demo&gt;</title>');
    expect(html).toContain('<th>People</th><th>Salesforce</th><th>Engine</th><th>Marketo</th><th>Faults</th>');
    const engineRow = /<tr data-lane="engine">[\s\S]*?<\/tr>/.exec(html)![0];
    // time, people, salesforce, then the engine cell
    expect(engineRow.split('<td').length - 1).toBe(6);
    expect(engineRow.indexOf('class="ev')).toBeGreaterThan(engineRow.indexOf('<td></td><td></td>'));
    expect(engineRow).toContain('&lt;CEO&gt;');
    expect(engineRow).toContain(' hl');
    expect(html).not.toContain('<CEO>');
  });
});
