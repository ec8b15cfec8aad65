/**
 * A `.lua` file imported as its text: tsup (esbuild's `text` loader) inlines it into the bundle, and
 * vitest.config.ts does the same for the tests.
 */
declare module '*.lua' {
  const source: string;
  export default source;
}
