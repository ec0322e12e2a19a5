/** Runs `sync-sim` in-process and captures what it prints. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { main } from '../../src/cli/main.ts';

export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

export function tempDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'sync-sim-cli-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

export const PASSING = `name: Marketo title reaches Salesforce
salesforce:
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme, Email: alice@acme.test }
steps:
  - wait: 1m
  - marketo.update: { ref: alice, title: CFO }
  - wait: 4m
  - expect:
      salesforce: { ref: alice, Title: CFO }
`;

/** Fails at line 9: nothing has synced 3 minutes in. */
export const FAILING = `name: Expects the title too early
salesforce:
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme, Email: alice@acme.test }
steps:
  - wait: 1m
  - marketo.update: { ref: alice, title: CFO }
  - wait: 2m
  - expect:
      salesforce: { ref: alice, Title: CFO }
`;

/** Unknown field at line 6, column 30. */
export const MALFORMED = `name: Misspelt field
salesforce:
  records:
    - { ref: alice, object: Lead, LastName: Smith, Company: Acme }
steps:
  - salesforce.update: { ref: alice, Titel: CFO }
`;
