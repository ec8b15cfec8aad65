import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OPTION_DEFAULTS } from '../../src/options/defaults.js';
import { optionsSchema } from '../../src/options/ResilienceOptions.js';

/*
 * docs/getting-started.md's "Options" table lists every option of attachResilience with its default. This
 * test holds it to the options schema (src/options/schema.ts) and the defaults table (src/options/defaults.ts),
 * so that an option added, renamed or given another default cannot leave the table behind.
 *
 * - Paths are read from the schema: a strict object (retry, token, tenants, hooks, ...) has sub-options; any
 *   other value is one option. `rateLimit` and `partnerRetryBudget` (an object or `false`) hide their shape
 *   from introspection: their sub-options are the keys of their resolved defaults, each checked to be
 *   accepted by the schema.
 * - A row names one path. A row that no other row extends (`hooks`) stands for all its sub-options; a row
 *   that others extend (`rateLimit`, with `rateLimit.rules`, ...) does not, and its sub-options need rows.
 * - Where the defaults table has a value for a row, the row's Default cell shows it (`120000`, `'auto'`).
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOC = 'docs/getting-started.md';

interface Row {
  readonly path: string;
  readonly defaultCell: string;
  readonly line: number;
}

/** The rows of the first table after the `## Options` heading. */
function optionRows(markdown: string): Row[] {
  const lines = markdown.split('\n');
  const heading = lines.findIndex((l) => l.trim() === '## Options');
  if (heading < 0) throw new Error(`${DOC} has no "## Options" section`);
  const rows: Row[] = [];
  let inTable = false;
  for (let i = heading + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('## ')) break;
    if (!line.startsWith('|')) {
      if (inTable) break;
      continue;
    }
    inTable = true;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const path = /^`([\w.]+)`$/.exec(cells[0] ?? '')?.[1];
    if (path === undefined) continue; // the header and the separator
    rows.push({ path, defaultCell: cells[1] ?? '', line: i + 1 });
  }
  return rows;
}

/** Unwraps `.optional()`. */
function inner(schema: z.ZodType): z.ZodType {
  return schema instanceof z.ZodOptional ? inner(schema.unwrap() as z.ZodType) : schema;
}

/** A strict object: its keys are options of their own (loose objects, like `logger`, are the caller's). */
function strictShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const s = inner(schema);
  if (!(s instanceof z.ZodObject)) return undefined;
  return s.def.catchall instanceof z.ZodNever ? (s.shape as Record<string, z.ZodType>) : undefined;
}

/** Options whose value is an object or `false`: the schema checks them in a refinement, without a shape. */
const OPAQUE = ['rateLimit', 'partnerRetryBudget'] as const;

/** Every option path the schema (and, for the opaque ones, the defaults) knows, leaves and inner nodes. */
function knownPaths(): { paths: Set<string>; leaves: string[] } {
  const paths = new Set<string>();
  const leaves: string[] = [];
  const walk = (shape: Record<string, z.ZodType>, prefix: string) => {
    for (const [key, value] of Object.entries(shape)) {
      const path = `${prefix}${key}`;
      paths.add(path);
      const nested = strictShape(value);
      if (nested && Object.keys(nested).length > 0) walk(nested, `${path}.`);
      else if (!(OPAQUE as readonly string[]).includes(path)) leaves.push(path);
    }
  };
  walk(optionsSchema.shape as Record<string, z.ZodType>, '');
  for (const option of OPAQUE) {
    for (const key of Object.keys(OPTION_DEFAULTS[option])) {
      paths.add(`${option}.${key}`);
      leaves.push(`${option}.${key}`);
    }
  }
  return { paths, leaves };
}

/** True when the schema accepts `key` inside the opaque option `option` (an unknown key is an issue). */
function schemaAccepts(option: string, key: string): boolean {
  const parsed = optionsSchema.safeParse({ [option]: { [key]: undefined } });
  return (
    parsed.success ||
    !parsed.error.issues.some((issue) => /unrecognized key|unknown option/i.test(issue.message))
  );
}

/** The default at `path` in the defaults table, if it has one. */
function defaultAt(path: string): unknown {
  const { policy, tenants, token, storeTimeoutMs, rateLimit, partnerRetryBudget } = OPTION_DEFAULTS;
  let value: unknown = { ...policy, tenants, token, storeTimeoutMs, rateLimit, partnerRetryBudget };
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** A default as the table writes it: `120000`, `'auto'`, `['a']`, `{ type: 'consecutive', threshold: 5 }`. */
function literal(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${k}: ${literal(v)}`);
    return entries.length === 0 ? '{}' : `{ ${entries.join(', ')} }`;
  }
  return String(value);
}

const rows = optionRows(readFileSync(join(root, DOC), 'utf8'));
const { paths, leaves } = knownPaths();
const isAncestor = (a: string, b: string) => b.startsWith(`${a}.`);
/** Rows that stand for a whole option: no other row extends them. */
const whole = rows.filter((row) => !rows.some((other) => isAncestor(row.path, other.path)));

describe(`${DOC}: the Options table`, () => {
  it('is found, and names each option once', () => {
    expect(rows.length).toBeGreaterThan(30);
    const names = rows.map((r) => r.path);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('lists every option of the schema (a sub-option by its own row, or by a row for the whole option)', () => {
    const missing = leaves.filter(
      (leaf) => !whole.some((row) => row.path === leaf || isAncestor(row.path, leaf)),
    );
    expect(missing).toEqual([]);
  });

  it('names only options the schema knows', () => {
    const unknown = rows.filter((row) => !paths.has(row.path)).map((row) => `${DOC}:${row.line} ${row.path}`);
    expect(unknown).toEqual([]);
  });

  it('the sub-options of rateLimit and partnerRetryBudget are the ones their schema accepts', () => {
    for (const option of OPAQUE) {
      for (const key of Object.keys(OPTION_DEFAULTS[option])) {
        expect(schemaAccepts(option, key), `${option}.${key}`).toBe(true);
      }
      // The probe can fail: a key the schema does not know is refused.
      expect(schemaAccepts(option, 'notAnOption')).toBe(false);
    }
  });

  it('shows the default of every option the defaults table has', () => {
    const wrong = whole
      .map((row) => ({ row, value: defaultAt(row.path) }))
      .filter(({ row, value }) => value !== undefined && !row.defaultCell.includes(`\`${literal(value)}\``))
      .map(
        ({ row, value }) =>
          `${DOC}:${row.line} ${row.path}: \`${literal(value)}\` not in "${row.defaultCell}"`,
      );
    expect(wrong).toEqual([]);
    // Enough rows are checked for the comparison to mean something.
    expect(whole.filter((row) => defaultAt(row.path) !== undefined).length).toBeGreaterThan(25);
  });
});
