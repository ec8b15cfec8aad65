import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('the demo (npm run demo), short run', () => {
  // The run writes into a temporary directory: `npm test` never overwrites the chart of `npm run demo`.
  const outDir = mkdtempSync(join(tmpdir(), 'pcr-demo-'));
  const userChart = join(root, 'demo-output', 'timeline.html');
  const userChartBefore = existsSync(userChart) ? statSync(userChart).mtimeMs : undefined;
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(join(root, 'dist', 'testing.js'))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
    }
  }, 130_000);

  it('runs the workload against the simulator, prints the summary and writes the timeline', () => {
    const run = spawnSync(process.execPath, ['examples/demo.mjs', '--short', `--out=${outDir}`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).toContain('Summary');
    for (const row of [
      'logical calls',
      'retries',
      '429s received / honoured',
      'breaker: opened',
      'latency p50 / p99',
    ]) {
      expect(out).toContain(row);
    }
    expect(out).toMatch(/retries sent before their Retry-After\s+0\n/);
    expect(out).toMatch(/hits inside a throttle window \(in flight\)\s+\d+ \(\d+\)\n/);
    expect(out).toMatch(/duplicate orders\s+0\n/);
    const html = readFileSync(join(outDir, 'timeline.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('partner');
    expect(out).toContain(join(outDir, 'timeline.html'));
    // The chart of the user's own `npm run demo` is left as it was (or absent).
    expect(existsSync(userChart) ? statSync(userChart).mtimeMs : undefined).toBe(userChartBefore);
  }, 70_000);
});
