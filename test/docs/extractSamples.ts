import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A ```ts code block of a Markdown file.
 *
 * The info string decides what the docs test does with it:
 * - ```ts           type-checked, then run against the Partner Center simulator;
 * - ```ts no-run    type-checked only (fragments that need real Azure credentials, a Redis server, ...);
 * - ```ts vitest    type-checked, then run as a vitest test file (its describe/it/beforeAll/afterAll).
 * Other languages (sh, jsonc, text) are not samples.
 */
export interface Sample {
  /** Markdown file, relative to the repository root (`docs/throttling.md`). */
  readonly file: string;
  /** 1-based line of the first code line in the Markdown file. */
  readonly line: number;
  /** The words after `ts` in the info string. */
  readonly flags: readonly string[];
  readonly code: string;
  /** A file-name-safe id, unique per sample: `docs-throttling-3`. */
  readonly id: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;

/** The ```ts blocks of one Markdown file. */
export function extractSamples(root: string, file: string): Sample[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const samples: Sample[] = [];
  const stem = file.replace(/\.md$/, '').replace(/[^A-Za-z0-9]+/g, '-');
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (!open) continue;
    const [, indent = '', fence = '```', lang = '', rest = ''] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end] ?? '').trimStart().startsWith(fence)) end++;
    if (lang === 'ts' || lang === 'typescript') {
      const code = lines
        .slice(i + 1, end)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
        .join('\n');
      samples.push({
        file,
        line: i + 2,
        flags: rest.trim().split(/\s+/).filter(Boolean),
        code,
        id: `${stem}-${samples.length + 1}`,
      });
    }
    i = end;
  }
  return samples;
}

/** README.md and every docs/*.md (not the generated docs/api). */
export function documentationFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => relative(root, join(root, 'docs', name)));
  return ['README.md', ...docs];
}
