import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|lua)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(relative(src, path));
  }
  return out.sort();
}

/** The file table of docs/architecture.md: every `path` named in its "The files" section. */
function filesNamed(): string[] {
  const page = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const section = page.slice(page.indexOf('<!-- files:start -->'), page.indexOf('<!-- files:end -->'));
  return [...section.matchAll(/`([\w/.-]+\.(?:ts|lua))`/g)].map((match) => match[1] as string);
}

describe('docs/architecture.md', () => {
  it('accounts for every file of src/, and names no file that is gone', () => {
    const named = new Set(filesNamed());
    const files = sourceFiles(src);
    expect(files.filter((file) => !named.has(file))).toEqual([]);
    expect([...named].filter((file) => !files.includes(file))).toEqual([]);
  });
});
