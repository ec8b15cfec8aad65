import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImportCycles, importSpecifiers } from '../../../scripts/check-cycles.mjs';

const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'check-cycles.mjs');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path relative to the root -> source) into a fresh temporary directory. */
function tree(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'pcr-cycles-'));
  dirs.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function run(dir: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('scripts/check-cycles.mjs', () => {
  it('reads imports, type imports and re-exports, not dynamic imports or strings', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "import './side-effect.js';",
      "export { c } from './c/index.js';",
      "export * from './d.js';",
      "export type { E } from './e.js';",
      "import fs = require('./f.js');",
      "const later = import('./dynamic.js');",
      'const text = "import { x } from \'./not-an-import.js\'";',
      '// import { y } from "./commented.js";',
      "import {\n  g,\n  type H,\n} from './g.js';",
    ].join('\n');
    expect(importSpecifiers(text)).toEqual([
      './a.js',
      '../b.js',
      './side-effect.js',
      './c/index.js',
      './d.js',
      './e.js',
      './f.js',
      './g.js',
    ]);
  });

  it('reports a 2-file cycle made of a type import and an import', () => {
    const root = tree({
      'a.ts': "import type { B } from './b.js';\nexport const a = 1;\n",
      'b.ts': "import { a } from './a.js';\nexport type B = typeof a;\n",
      'c.ts': "import { a } from './a.js';\nexport const c = a;\n",
    });
    const { files, cycles } = checkImportCycles(root, root);
    expect(files).toBe(3);
    expect(cycles).toEqual([['a.ts', 'b.ts', 'a.ts']]);
    const { status, output } = run(root);
    expect(status).toBe(1);
    expect(output).toContain('import cycle:');
    expect(output).toMatch(/a\.ts -> .*b\.ts -> .*a\.ts/);
  });

  it('reports a 3-file cycle through a re-export and a folder index', () => {
    const root = tree({
      'x.ts': "export { y } from './sub/index.js';\n",
      'sub/index.ts': "export { y } from './y.js';\n",
      'sub/y.ts': "import { x } from '../x.js';\nexport const y = x;\n",
      'leaf.ts': "import axios from 'axios';\nexport const leaf = axios;\n",
    });
    const { cycles } = checkImportCycles(root, root);
    expect(cycles).toEqual([[join('sub', 'index.ts'), join('sub', 'y.ts'), 'x.ts', join('sub', 'index.ts')]]);
    expect(run(root).status).toBe(1);
  });

  it('passes an acyclic tree and says how many files it read', () => {
    const root = tree({
      'index.ts': "export { a } from './a.js';\nexport type { B } from './b.js';\n",
      'a.ts': "import type { B } from './b.js';\nimport { c } from './util';\nexport const a: B = c;\n",
      'b.ts': "import { c } from './util/index.js';\nexport type B = typeof c;\n",
      'util/index.ts': "import { readFileSync } from 'node:fs';\nexport const c = readFileSync;\n",
    });
    expect(checkImportCycles(root, root)).toEqual({ files: 4, cycles: [] });
    const { status, output } = run(root);
    expect(status).toBe(0);
    expect(output).toMatch(/^no import cycle in .*\/ \(4 files\)\n$/);
  });
});
