/** Problems found in a scenario file, each pinned to a file, line and column. */

export type ScenarioErrorCode =
  | 'io' // the file could not be read
  | 'yaml' // not valid YAML
  | 'empty' // nothing in the file
  | 'unknown-key' // a key the language does not have
  | 'missing-key' // a required key is absent
  | 'type' // a value of the wrong type
  | 'value' // a value outside the allowed set or range
  | 'duration' // not a duration
  | 'unknown-step'
  | 'step-shape' // a step that is not `- kind: value`
  | 'unknown-field'
  | 'unknown-ref'
  | 'duplicate-ref'
  | 'duplicate';

export interface ScenarioError {
  code: ScenarioErrorCode;
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** What is wrong and, where one is near, the fix ("…: did you mean `Title`?"). */
  message: string;
  /** The nearest valid name, when there is one. */
  suggestion?: string;
  /** The step the problem is in (1-based number, as printed; kind as written, `?` when the step has no key). */
  step?: { number: number; kind: string };
  /** Where in the document, as keys and indexes (`steps`, 3, `salesforce.update`, `Titel`). */
  path: Array<string | number>;
  /** The source line, for the code frame. */
  lineText: string;
  /** How many characters from `column` the caret underlines (at least 1). */
  span: number;
}

/** One error as `file:line:col`, the message, and a code frame with a caret. */
export function formatError(error: ScenarioError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  const step = !error.step ? '' : error.step.kind === '?' ? `step ${error.step.number}: ` : `step ${error.step.number} (${error.step.kind}): `;
  const head = `${where}: error: ${step}${error.message}`;
  if (error.code === 'io' || error.lineText === '') return head;
  const gutter = String(error.line).length;
  const text = error.lineText.replace(/\t/g, ' ');
  const caret = ' '.repeat(Math.max(0, error.column - 1)) + '^'.repeat(Math.max(1, error.span));
  return [head, `  ${String(error.line)} | ${text}`, `  ${' '.repeat(gutter)} | ${caret}`].join('\n');
}

/** All errors, one block each, then a count. */
export function formatErrors(errors: readonly ScenarioError[]): string {
  if (errors.length === 0) return '';
  const blocks = errors.map(formatError);
  const files = new Set(errors.map((e) => e.file)).size;
  const total = `${errors.length} error${errors.length === 1 ? '' : 's'}` + (files > 1 ? ` in ${files} files` : '');
  return `${blocks.join('\n\n')}\n\n${total}\n`;
}
