// Fails when the main entry (dist/index.js) is not runtime-neutral. Two esbuild bundles, nothing written:
//   1. the library's own code, platform "neutral", dependencies left as imports: any import of a Node
//      builtin (`node:crypto`, `events`, ...) fails;
//   2. the whole graph, platform "browser" (axios picks its browser build): any Node builtin that a
//      dependency pulls in fails.
// Run after `npm run build`. Usage: node scripts/check-bundle.mjs [entry]
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const entry = resolve(root, process.argv[2] ?? 'dist/index.js');
const builtins = new Set([...builtinModules, ...builtinModules.map((name) => `node:${name}`)]);

/** Node builtins imported anywhere in the bundle's inputs, as `importer -> builtin` lines. */
function builtinImports(metafile) {
  const found = [];
  for (const [file, input] of Object.entries(metafile.inputs)) {
    for (const imported of input.imports) {
      if (builtins.has(imported.path) || imported.path.startsWith('node:')) {
        found.push(`${file} -> ${imported.path}`);
      }
    }
  }
  return found;
}

/** Bundles with `options`; returns the problems (unresolvable imports and builtin imports). */
async function problems(options) {
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      ...options,
    });
    return builtinImports(result.metafile);
  } catch (error) {
    const errors = /** @type {{ errors?: Array<{ text: string, location?: { file: string } | null }> }} */ (
      error
    ).errors;
    if (!errors) throw error;
    return errors.map((e) => `${e.location?.file ?? '?'}: ${e.text}`);
  }
}

const checks = [
  ['own code, platform neutral', { platform: 'neutral', packages: 'external' }],
  ['with its dependencies, platform browser', { platform: 'browser' }],
];
let failed = false;
for (const [name, options] of checks) {
  const found = await problems(options);
  if (found.length === 0) continue;
  failed = true;
  console.error(`check-bundle: ${entry} (${name}) reaches Node builtins:\n  ${found.join('\n  ')}`);
}
if (failed) process.exitCode = 1;
