import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Which src files a healthy call runs code in (closed breaker, no throttle, a rate limiter slot at once, a
 * fresh token): scripts/call-path.mjs makes one call through an attached instance of the built bundle and maps
 * every function V8's precise coverage saw run back to its src file. A healthy call stays within a few files.
 * It is measured after the first contact: the rate limiter's slow start (its first few seconds, or its first
 * 715 successes) runs in the limiter's backend.
 */
const MAX_FILES = 8;
const root = fileURLToPath(new URL('../..', import.meta.url));

function measure(): Record<string, string[]> {
  if (!existsSync(`${root}/dist/index.js.map`))
    throw new Error('dist/ is missing: run `npm run build` first');
  return JSON.parse(
    execFileSync(process.execPath, ['scripts/call-path.mjs'], { cwd: root, encoding: 'utf8' }),
  );
}

describe('a healthy call', () => {
  const report = measure();
  for (const variant of ['defaults', 'tokenProvider']) {
    it(`runs code in at most ${MAX_FILES} src files (${variant})`, () => {
      const files = report[variant] ?? [];
      expect(files.length).toBeGreaterThan(2);
      expect(files.length, files.join('\n')).toBeLessThanOrEqual(MAX_FILES);
    });
  }
});
