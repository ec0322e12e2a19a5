/**
 * A trace as one self-contained HTML page: a row per event, a column (lane)
 * per actor — people, Salesforce, the engine, Marketo, faults — so a
 * developer can follow a record across systems and see at a glance where a
 * field decision went the wrong way. No external assets: the page must open
 * from a CI artifact with no network.
 */
import { iso } from './clock.ts';
import type { Lane, TraceEvent } from './trace.ts';

const LANES: Array<{ lane: Lane; title: string }> = [
  { lane: 'user', title: 'People' },
  { lane: 'salesforce', title: 'Salesforce' },
  { lane: 'engine', title: 'Engine' },
  { lane: 'marketo', title: 'Marketo' },
  { lane: 'fault', title: 'Faults' },
];

export interface TimelinePage {
  title: string;
  /** e.g. seed, trace hash, verdict. */
  facts?: Array<[string, string]>;
  events: readonly TraceEvent[];
  /** Seq numbers of events to highlight (a failed expectation, a violation). */
  highlight?: ReadonlySet<number>;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function eventClass(e: TraceEvent, highlight?: ReadonlySet<number>): string {
  const classes = [`k-${e.kind.replace(/[^a-z0-9]+/gi, '-')}`];
  if (highlight?.has(e.seq)) classes.push('hl');
  if (/fail|reject|error|violation/i.test(e.kind) || e.data?.['ok'] === false) classes.push('bad');
  return classes.join(' ');
}

/** A field decision's direction at a glance: which way the value went, and who won a conflict. */
function decisionBadge(e: TraceEvent): string {
  if (e.kind !== 'field' || typeof e.data?.['decision'] !== 'string') return '';
  const d = e.data['decision'];
  const winner = typeof e.data['winner'] === 'string' ? ` ${e.data['winner']} wins` : '';
  const label = d === 'to-salesforce' ? '◀ to Salesforce' : d === 'to-marketo' ? 'to Marketo ▶' : '= agree';
  return `<b class="dec ${escapeHtml(d)}">${escapeHtml(label + winner)}</b> `;
}

export function renderTimelineHtml(page: TimelinePage): string {
  const rows: string[] = [];
  for (const e of page.events) {
    if (e.lane === 'world') {
      rows.push(`<tr class="world ${eventClass(e, page.highlight)}"><td class="t">${iso(e.at).slice(11, 23)}</td><td colspan="${LANES.length}">${escapeHtml(e.text)}</td></tr>`);
      continue;
    }
    const cells = LANES.map(({ lane }) => {
      if (lane !== e.lane) return '<td></td>';
      const details = e.data ? `<details><summary></summary><pre>${escapeHtml(JSON.stringify(e.data, null, 2))}</pre></details>` : '';
      return `<td class="ev ${eventClass(e, page.highlight)}"><span class="kind">${escapeHtml(e.kind)}</span> ${decisionBadge(e)}${escapeHtml(e.text)}${details}</td>`;
    });
    rows.push(`<tr data-lane="${e.lane}"><td class="t" title="${iso(e.at)}">${iso(e.at).slice(11, 23)}</td>${cells.join('')}</tr>`);
  }
  const facts = (page.facts ?? []).map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>
body{font:13px/1.4 system-ui,sans-serif;margin:0;color:#1d2330}
header{padding:12px 16px;background:#f3f5f9;border-bottom:1px solid #d8dde6;position:sticky;top:0;z-index:2}
h1{font-size:16px;margin:0 0 6px}
dl{display:flex;flex-wrap:wrap;gap:4px 16px;margin:0}dt{font-weight:600}dd{margin:0 8px 0 0;font-family:monospace}
input{margin-top:6px;width:320px;padding:3px 6px}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th{position:sticky;top:86px;background:#fff;border-bottom:2px solid #1d2330;text-align:left;padding:4px 6px;z-index:1}
td{vertical-align:top;padding:3px 6px;border-bottom:1px solid #eef0f4;word-wrap:break-word}
td.t{font-family:monospace;color:#667;width:96px}
th.t{width:96px}
td.ev{border-left:3px solid #c9d3e3}
tr[data-lane=salesforce] td.ev{background:#eef6ff;border-left-color:#0b72d6}
tr[data-lane=marketo] td.ev{background:#f6efff;border-left-color:#5c4ccf}
tr[data-lane=engine] td.ev{background:#effaf2;border-left-color:#1f9d55}
tr[data-lane=user] td.ev{background:#fff8e6;border-left-color:#c98a00}
tr[data-lane=fault] td.ev{background:#fff0f0;border-left-color:#d33}
tr.world td{background:#1d2330;color:#fff;font-weight:600}
td.bad{outline:2px solid #d33}
td.hl,tr.hl td{box-shadow:inset 0 0 0 2px #ff9f1a}
.dec{font-size:11px;padding:0 4px;border-radius:3px;background:#1f9d55;color:#fff;margin-right:4px}.dec.to-salesforce{background:#0b72d6}.dec.to-marketo{background:#5c4ccf}
.kind{font-family:monospace;font-size:11px;color:#556;margin-right:4px}
details{display:inline}summary{display:inline;cursor:pointer;color:#667}pre{white-space:pre-wrap;font-size:11px;margin:4px 0}
</style></head><body>
<header><h1>${escapeHtml(page.title)}</h1><dl>${facts}</dl>
<input id="f" placeholder="filter: a record id, a field, a ref…" oninput="filter(this.value)"></header>
<table><thead><tr><th class="t">time (UTC)</th>${LANES.map((l) => `<th>${l.title}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<script>
function filter(q){q=q.toLowerCase();for(const tr of document.querySelectorAll('tbody tr')){tr.style.display=!q||tr.textContent.toLowerCase().includes(q)?'':'none'}}
</script>
</body></html>
`;
}
