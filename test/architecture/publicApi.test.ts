import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The public API stays small enough to hold in one's head: the main entry exports at most 60 names (values
 * and types alike), every entry's API report (etc/*.api.md, from the built declarations) names every type its
 * signatures reference (no `ae-forgotten-export`), and no declaration shows a zod type (a zod major would
 * break users).
 */
const MAX_MAIN_NAMES = 60;
const root = fileURLToPath(new URL('../..', import.meta.url));

/** The names a module exports, read with the TypeScript parser; `export *` is refused (its names are unknown). */
function exportedNames(source: string, fileName = 'index.ts'): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  for (const statement of file.statements) {
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause;
      if (clause === undefined) throw new Error(`${fileName}: export * is not allowed`);
      if (ts.isNamespaceExport(clause)) names.push(clause.name.text);
      else for (const element of clause.elements) names.push(element.name.text);
      continue;
    }
    if (ts.isExportAssignment(statement)) {
      names.push('default');
      continue;
    }
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (!exported) continue;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
      }
    } else if (
      'name' in statement &&
      statement.name !== undefined &&
      ts.isIdentifier(statement.name as ts.Node)
    ) {
      names.push((statement.name as ts.Identifier).text);
    }
  }
  return names;
}

describe('exportedNames', () => {
  it('counts re-exported values and types, and declarations exported in place', () => {
    const names = exportedNames(
      [
        "export { a, type B, c as d } from './x.js';",
        "export type { E } from './y.js';",
        'export const f = 1, g = 2;',
        'export interface H {}',
        'export function i(): void {}',
        'const hidden = 3;',
        'interface Hidden {}',
      ].join('\n'),
    );
    expect(names).toEqual(['a', 'B', 'd', 'E', 'f', 'g', 'H', 'i']);
  });

  it('refuses export *', () => {
    expect(() => exportedNames("export * from './x.js';")).toThrow(/export \*/);
  });
});

describe('the public API', () => {
  it(`main entry (src/index.ts) exports at most ${MAX_MAIN_NAMES} names`, () => {
    const names = exportedNames(readFileSync(`${root}/src/index.ts`, 'utf8'));
    expect(new Set(names).size).toBe(names.length);
    expect(names.length, names.join(', ')).toBeLessThanOrEqual(MAX_MAIN_NAMES);
  });

  const reports = readdirSync(`${root}/etc`).filter((f) => f.endsWith('.api.md'));
  const entries = Object.keys(
    (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Record<string, unknown> })
      .exports,
  ).filter((key) => key !== './package.json');

  it('has one API report per package entry', () => {
    const expected = entries.map((key) =>
      key === '.' ? 'partner-center-resilience.api.md' : `partner-center-resilience-${key.slice(2)}.api.md`,
    );
    for (const report of expected) expect(reports).toContain(report);
  });

  for (const report of reports) {
    it(`${report}: no forgotten export, no zod type`, () => {
      const text = readFileSync(`${root}/etc/${report}`, 'utf8');
      expect(text.match(/ae-forgotten-export.*/g) ?? []).toEqual([]);
      expect(text.match(/.*\bzod\b.*|.*\bZod[A-Z]\w*.*/g) ?? []).toEqual([]);
    });
  }
});
