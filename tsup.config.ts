import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    advanced: 'src/advanced.ts',
    testing: 'src/testing/index.ts',
    redis: 'src/stores/redis.ts',
    otel: 'src/otel/index.ts',
    sweep: 'src/sweep.ts',
    bullmq: 'src/bullmq/index.ts',
  },
  format: ['esm', 'cjs'],
  // stripInternal: declarations tagged `@internal` (a store's rate limiter backend, the in-memory limiter
  // backend's fast-path lanes) stay out of dist/*.d.ts, and so out of the public API.
  dts: { compilerOptions: { ignoreDeprecations: '6.0', stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  platform: 'node',
  splitting: false,
  treeshake: true,
  // The Redis store's Lua scripts (src/stores/lua/*.lua) are inlined as strings.
  loader: { '.lua': 'text' },
  // No per-file size lines (nothing a user must act on). Errors and the declaration bundler's warnings
  // (rollup) still print; esbuild's warnings are hidden, tsc and Biome check that code.
  silent: true,
});
