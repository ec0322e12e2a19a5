/**
 * JUnit XML for CI servers (Jenkins, GitLab, GitHub Actions test reporters):
 * one <testcase> per scenario, a <failure> with the explanation and the
 * timeline for a failed one, an <error> for a file that does not load.
 */
export interface JunitCase {
  /** Shown as the test's name. */
  name: string;
  /** The file, as the CI server groups by it. */
  file: string;
  seconds: number;
  failure?: { message: string; body: string };
  error?: { message: string; body: string };
}

/** Escapes text for XML and drops the characters XML 1.0 cannot hold (ANSI escapes, NUL). */
export function xmlEscape(text: string): string {
  return text
    // eslint-disable-next-line no-control-regex
    .replace(/\u001b\[[0-9;]*m/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function junitXml(suiteName: string, cases: readonly JunitCase[]): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const time = cases.reduce((s, c) => s + c.seconds, 0).toFixed(3);
  const body = cases.map((c) => {
    const open = `    <testcase classname="${xmlEscape(suiteName)}" name="${xmlEscape(c.name)}" file="${xmlEscape(c.file)}" time="${c.seconds.toFixed(3)}"`;
    const detail = c.failure
      ? `      <failure message="${xmlEscape(c.failure.message)}" type="ScenarioFailure">${xmlEscape(c.failure.body)}</failure>\n`
      : c.error
        ? `      <error message="${xmlEscape(c.error.message)}" type="ScenarioLoadError">${xmlEscape(c.error.body)}</error>\n`
        : '';
    return detail ? `${open}>\n${detail}    </testcase>` : `${open}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${time}">`,
    `  <testsuite name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0" time="${time}">`,
    ...body,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
