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
    // The plain form of the former "hits inside a throttle window (in flight) N (M)" row.
    expect(out).toMatch(/requests sent while their tenant was throttled\s+\d+\n/);
    expect(out).toMatch(/ {2}already on the wire when the 429 came\s+\d+\n/);
    // The injected faults are announced, breaker lines name the tenant, "throttled" has one meaning.
    expect(out).toContain('Injected faults:');
    expect(out).toMatch(/tenant outage: customer:[0-9a-f-]{36} answers 503/);
    expect(out).toMatch(/breaker opened for customer:[0-9a-f-]{36}/);
    expect(out).not.toMatch(/ throttled +\d+ +breaker/);
    expect(out).toMatch(/duplicate orders\s+0\n/);
    const html = readFileSync(join(outDir, 'timeline.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('partner');
    // The chart draws the outcomes and the injected faults, scales to the window, and has axis titles.
    for (const text of [
      'call succeeded',
      'tenant outage: customer:',
      'revoked token',
      'time since the run started (seconds)',
      'tenant scope (one row each)',
      'width:100%',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).not.toMatch(/retry in \d+ ms after\s*</);
    expect(html).not.toMatch(/\d\.\d{4,} ?ms/); // no raw float delays
    expect(out).toContain(join(outDir, 'timeline.html'));
    // The chart of the user's own `npm run demo` is left as it was (or absent).
    expect(existsSync(userChart) ? statSync(userChart).mtimeMs : undefined).toBe(userChartBefore);
  }, 70_000);
});
