import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

const jsonReport = process.env['VITEST_JSON_REPORT'];

export default defineConfig({
  plugins: [
    {
      // Imports a `.lua` file as its text, as tsup's `text` loader does in the build (src/stores/lua/lua.d.ts).
      name: 'lua-as-text',
      enforce: 'pre',
      transform(code, id) {
        if (!id.endsWith('.lua')) return undefined;
        return { code: `export default ${JSON.stringify(code)};`, map: null };
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    // Every core (vitest's default leaves one idle: on a 2-core machine, one worker): most files wait on
    // sockets, child processes or timers.
    maxWorkers: availableParallelism(),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    restoreMocks: true,
    // What a test prints (console.log, stdout) is shown only when the test fails: a green run prints no
    // noise. `npx vitest run --silent=false` shows it all.
    silent: 'passed-only',
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
