import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeAllWorlds } from '../../src/sim/world.ts';
import { cli, FAILING, MALFORMED, PASSING, tempDir } from './helpers.ts';

afterAll(() => closeAllWorlds());

describe('sync-sim replay', () => {
  it('prints the whole timeline with virtual timestamps, the same for the same seed', async () => {
    const file = join(tempDir({ 'a.yaml': PASSING }), 'a.yaml');
    const r = await cli('replay', file);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Marketo title reaches Salesforce\nfile .*a\.yaml · seed 1 · trace [0-9a-f]{64} · \d+ events\n\n/);
    for (const lane of ['user', 'salesforce', 'marketo', 'engine', 'world']) expect(r.stdout).toMatch(new RegExp(`^2026-01-05T09:0\\d:00\\.000Z  ${lane}`, 'm'));
    expect(r.stdout).toMatch(/^2026-01-05T09:01:00\.000Z {2}user {7}mkto\.update/m);
    expect(r.stdout).toMatch(/PASS all 4 steps\n$/);
    const again = await cli('replay', file);
    expect(again.stdout).toBe(r.stdout);
  });

  it('exits 1 with the explanation for a failing scenario, and for a file that does not load', async () => {
    const dir = tempDir({ 'f.yaml': FAILING, 'bad.yaml': MALFORMED });
    const failed = await cli('replay', join(dir, 'f.yaml'));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL .*f\.yaml:10:\d+: step 4 \(expect\) failed at 2026-01-05T09:03:00\.000Z/);
    const bad = await cli('replay', join(dir, 'bad.yaml'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml:6:\d+: error: .*did you mean `Title`\?/);
  });

  it('--html writes one self-contained page with a lane per system and one for the engine', async () => {
    const dir = tempDir({ 'a.yaml': PASSING });
    const page = join(dir, 'out', 'timeline.html');
    const r = await cli('replay', join(dir, 'a.yaml'), '--html', page);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`timeline page: ${page}`);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toMatch(/<th class="t">time \(UTC\)<\/th><th>People<\/th><th>Salesforce<\/th><th>Engine<\/th><th>Marketo<\/th><th>Faults<\/th>/);
    for (const lane of ['salesforce', 'marketo', 'engine', 'user']) expect(html).toContain(`<tr data-lane="${lane}">`);
    expect(html).toMatch(/<b class="dec to-salesforce">◀ to Salesforce<\/b> person 1 ⇄ Lead \w+ Title: to-salesforce/);
    expect(html).toContain('<dt>verdict</dt><dd>pass</dd>');
    // Self-contained: no external scripts, styles or images.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html.match(/<tr/g)!.length).toBe(html.match(/<\/tr>/g)!.length);
  });

  it('--html highlights the failed check and states the verdict for a failing scenario', async () => {
    const dir = tempDir({ 'f.yaml': FAILING });
    const page = join(dir, 'f.html');
    const r = await cli('replay', join(dir, 'f.yaml'), '--html', page);
    expect(r.code).toBe(1);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/<dt>verdict<\/dt><dd>FAIL at step 4 \(line 10\): Salesforce Lead \w+ \(`alice`\) Title differs<\/dd>/);
    expect(html).toMatch(/<tr class="world k-fail hl bad">.*step 4 \(expect\) failed/);
  });

  it('--help shows examples', async () => {
    const r = await cli('replay', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: sync-sim replay [options] <file>');
    expect(r.stdout).toContain('--html <file>');
  });
});
