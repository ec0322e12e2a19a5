/**
 * A scenario result as text: the one-line verdict, and for a failure the
 * explanation (where, when, expected, found) followed by the timeline.
 * Shared by the CLI and the vitest suite so both say the same thing.
 */
import type { ScenarioResult } from './runner.ts';

export function formatDurationMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** `file:line:col step N (kind) at <virtual time>: message`, then expected/found lines. */
export function explainFailure(result: ScenarioResult): string {
  const f = result.failure;
  if (!f) return '';
  const where = `${f.file}:${f.line}:${f.column}`;
  const step = f.step ? `step ${f.step.number} (${f.step.kind})` : 'setup';
  const lines = [`${where}: ${step} failed at ${f.at} (virtual time), seed ${result.seed}`, `  ${f.message}`];
  if (f.expected !== undefined) lines.push(`  expected: ${indent(f.expected)}`);
  if (f.found !== undefined) lines.push(`  found:    ${indent(f.found)}`);
  return lines.join('\n');
}

function indent(text: string): string {
  return text.split('\n').join('\n            ');
}

/** The failure's explanation and the scenario's whole timeline. */
export function failureReport(result: ScenarioResult): string {
  return `${explainFailure(result)}\n\ntimeline of "${result.name}":\n${result.trace.toText()}\n`;
}
