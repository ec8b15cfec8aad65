/** Every .ts file under `dir` (declaration files excluded), as absolute paths, sorted. */
export function listSourceFiles(dir: string): string[];
/** The module specifiers of a file's static imports and re-exports (top-level statements). */
export function importSpecifiers(text: string, fileName?: string): string[];
/** The file a relative specifier names ('./x.js' -> x.ts, './x' -> x.ts or x/index.ts), or undefined. */
export function resolveSpecifier(fromFile: string, specifier: string): string | undefined;
/** The import graph of the .ts files under `dir`: file -> the files it imports. */
export function buildImportGraph(dir: string): Map<string, string[]>;
/** Strongly connected components with more than one node, or a node importing itself. */
export function cyclicComponents(graph: ReadonlyMap<string, readonly string[]>): string[][];
/** For every file in a cyclic component, the shortest cycle through it, each cycle once ([a, ..., a]). */
export function findImportCycles(graph: ReadonlyMap<string, readonly string[]>): string[][];
/** Checks `dir`: the number of files and every cycle, with paths relative to `base` (default: cwd). */
export function checkImportCycles(dir: string, base?: string): { files: number; cycles: string[][] };
