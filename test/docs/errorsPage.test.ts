import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ERROR_CODES, PARTNER_CENTER_ERROR_KINDS } from '../../src/errors/classify.js';
import {
  DEFAULT_ALLOWED_HEADERS,
  DEFAULT_ALLOWED_QUERY_PARAMETERS,
} from '../../src/observability/sanitizer.js';

const DOC = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

function section(title: string): string {
  const start = DOC.indexOf(`## ${title}`);
  if (start === -1) throw new Error(`docs/errors.md has no section ${title}`);
  const end = DOC.indexOf('\n## ', start + 1);
  return DOC.slice(start, end === -1 ? undefined : end);
}

describe('docs/errors.md stays in step with the code', () => {
  it('lists every default error code with its class and meaning', () => {
    const rows = section('Code table')
      .split('\n')
      .filter((line) => /^\| `\d/.test(line));
    const documented = new Map<string, { class: string; meaning: string }>();
    for (const row of rows) {
      const [codes, cls, meaning] = row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      for (const code of (codes ?? '').matchAll(/`(\d+)`/g)) {
        documented.set(code[1] ?? '', { class: (cls ?? '').replace(/`/g, ''), meaning: meaning ?? '' });
      }
    }
    expect([...documented.keys()].sort()).toEqual(Object.keys(DEFAULT_ERROR_CODES).sort());
    for (const [code, info] of Object.entries(DEFAULT_ERROR_CODES)) {
      expect(documented.get(code), code).toEqual({ class: info.class, meaning: info.meaning });
    }
  });

  it('lists every kind', () => {
    const kinds = section('Kinds');
    for (const kind of PARTNER_CENTER_ERROR_KINDS)
      expect(kinds).toMatch(new RegExp(`^\\| \`${kind}\` +\\|`, 'm'));
  });

  it('lists the default allow-lists', () => {
    const redaction = section('Redaction');
    for (const name of DEFAULT_ALLOWED_QUERY_PARAMETERS) expect(redaction).toContain(`\`${name}\``);
    for (const name of DEFAULT_ALLOWED_HEADERS) expect(redaction).toContain(`\`${name}\``);
  });
});
