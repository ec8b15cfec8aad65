// Fails when the files under src/ import each other in a cycle. Reads every .ts file's static imports and
// re-exports (`import type` and `export ... from` included) with the TypeScript parser, resolves relative
// specifiers ('./x.js' -> x.ts or x/index.ts), finds the strongly connected components (Tarjan) and prints,
// for every file caught in one, the shortest cycle through it. Usage: node scripts/check-cycles.mjs [dir]
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** Every .ts file under `dir` (declaration files excluded), as absolute paths, sorted. */
export function listSourceFiles(dir) {
  const out = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
    }
  };
  walk(dir);
  return out.sort();
}

/** The module specifiers of a file's static imports and re-exports (top-level statements). */
export function importSpecifiers(text, fileName = 'file.ts') {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const out = [];
  for (const statement of source.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      out.push(statement.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      ts.isStringLiteral(statement.moduleReference.expression)
    ) {
      out.push(statement.moduleReference.expression.text);
    }
  }
  return out;
}

/** The file a relative specifier names ('./x.js' -> x.ts, './x' -> x.ts or x/index.ts), or undefined. */
export function resolveSpecifier(fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(fromFile), specifier.replace(/\.(?:js|ts|mjs|mts)$/, ''));
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** The import graph of the .ts files under `dir`: file -> the files it imports (sorted, no duplicates). */
export function buildImportGraph(dir) {
  const graph = new Map();
  for (const file of listSourceFiles(dir)) {
    const targets = new Set();
    for (const specifier of importSpecifiers(readFileSync(file, 'utf8'), file)) {
      const target = resolveSpecifier(file, specifier);
      if (target !== undefined) targets.add(target);
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Tarjan's strongly connected components of `graph` with more than one node, or a node importing itself. */
export function cyclicComponents(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}

/** The shortest cycle through `start` inside `members` (breadth-first), as [start, ..., start]. */
function shortestCycle(graph, start, members) {
  const previous = new Map();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at];
    for (const next of graph.get(node) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const chain = [start];
        for (let back = node; back !== start; back = previous.get(back)) chain.unshift(back);
        chain.unshift(start);
        return chain;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

/**
 * The import cycles of `graph`: for every file in a cyclic component, the shortest cycle through it, each
 * cycle reported once (rotated to start at its smallest path).
 */
export function findImportCycles(graph) {
  const cycles = [];
  const seen = new Set();
  for (const component of cyclicComponents(graph)) {
    const members = new Set(component);
    for (const file of component) {
      const chain = shortestCycle(graph, file, members).slice(0, -1);
      const smallest = chain.indexOf([...chain].sort()[0]);
      const rotated = [...chain.slice(smallest), ...chain.slice(0, smallest)];
      const key = rotated.join('\0');
      if (seen.has(key)) continue;
      seen.add(key);
      cycles.push([...rotated, rotated[0]]);
    }
  }
  return cycles;
}

/** Checks `dir`: the number of files and every cycle, with paths relative to `base`. */
export function checkImportCycles(dir, base = process.cwd()) {
  const graph = buildImportGraph(dir);
  const cycles = findImportCycles(graph).map((cycle) => cycle.map((file) => relative(base, file)));
  return { files: graph.size, cycles };
}

function main() {
  const dir = resolve(process.argv[2] ?? 'src');
  const name = relative(process.cwd(), dir) || '.';
  const { files, cycles } = checkImportCycles(dir);
  if (cycles.length === 0) {
    console.log(`no import cycle in ${name}/ (${files} files)`);
    return 0;
  }
  for (const cycle of cycles) console.error(`import cycle: ${cycle.join(' -> ')}`);
  console.error(`${cycles.length} import cycle(s) in ${name}/ (${files} files)`);
  return 1;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main();
}
