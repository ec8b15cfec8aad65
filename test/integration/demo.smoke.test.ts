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
    // Every line fits 120 columns, whole (no line cut short with an ellipsis).
    for (const line of out.split('\n')) {
      expect(line.length, line).toBeLessThanOrEqual(120);
      expect(line, line).not.toContain('\u2026');
    }
    // Every summary row has its explanation beside it (or a wrapped one below it).
    const summaryAt = out.indexOf('\nSummary');
    const tableAt = out.indexOf('\nThe same', summaryAt);
    const summary = out.slice(summaryAt, tableAt);
    const rows = summary.split('\n');
    for (const row of [
      'logical calls',
      'attempts sent / server hits',
      'retries',
      '429s received / honoured',
      'calls held at the throttle gate',
      'attempts paced by the rate limiter',
      'breaker opened / half-open / closed',
      'tokens fetched',
      '401s from the server',
      'orders placed / unknown / reconciled',
      'latency p50 / p99',
    ]) {
      expect(
        rows.find((line) => line.startsWith(row)),
        row,
      ).toMatch(/\S {2}[a-z]/);
    }
    expect(out).toMatch(/retries before their Retry-After\s+0 {2}/);
    expect(out).toMatch(/sent while the tenant was throttled\s+\d+ {2}/);
    expect(out).toMatch(/ {2}already on the wire at the 429\s+\d+ {2}/);
    expect(out).toMatch(/duplicate orders\s+0 {2}/);
    // An outcome row is explained only when present (no "throttled" explanation without its row).
    for (const [, kind] of summary.matchAll(/^ {2}([a-z-]+(?: \(reconciled\))?) +\d+ {2}/gm)) {
      expect(kind).toMatch(
        /^(ok|ok \(reconciled\)|circuit-open|throttled|server|network|timeout|unauthorized)$/,
      );
    }
    // The paced attempts are attempts: never more than the attempts sent.
    const sent = Number(/attempts sent \/ server hits\s+(\d+) \//.exec(out)?.[1]);
    const paced = Number(/attempts paced by the rate limiter\s+(\d+) \(/.exec(out)?.[1]);
    expect(paced).toBeLessThanOrEqual(sent);
    // The injected faults are announced, breaker lines name the tenant.
    expect(out).toContain('Injected faults:');
    expect(out).toMatch(/tenant outage: customer:[0-9a-f-]{36} answers 503/);
    expect(out).toMatch(/breaker opened for customer:[0-9a-f-]{36}/);
    // The closing comparison: the same calls through bare axios, axios-retry and the library, last on screen.
    const table = out.slice(tableAt);
    expect(table).toMatch(/client +calls ok +failed +server hits +429s +duplicate orders\n/);
    for (const client of ['axios', 'axios \\+ axios-retry', 'partner-center-resilience']) {
      expect(table).toMatch(new RegExp(`\\n${client} +\\d+ +\\d+ +\\d+ +\\d+ +\\d+\\n`));
    }
    expect(table).toMatch(/\npartner-center-resilience +\d+ +\d+ +\d+ +\d+ +0\n/);
    const summaryJson = JSON.parse(readFileSync(join(outDir, 'summary.json'), 'utf8')) as {
      workload: { calls: number };
      library: { calls: number };
      comparison: Array<{ client: string; ok: number; failed: number; calls: number }>;
    };
    expect(summaryJson.comparison.map((c) => c.client)).toEqual([
      'axios',
      'axios + axios-retry',
      'partner-center-resilience',
    ]);
    for (const c of summaryJson.comparison) {
      expect(c.calls, c.client).toBe(summaryJson.workload.calls);
      expect(c.ok + c.failed, c.client).toBe(c.calls);
    }
    const html = readFileSync(join(outDir, 'timeline.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('partner');
    // The chart draws the outcomes and every injected fault (labelled in the margin), scales to the window,
    // and has axis titles.
    for (const text of [
      'call succeeded',
      'outage: customer:',
      'revoked token: 401, then a new token',
      'order processed, answer lost: 504',
      'order processed, connection reset',
      '503 on every 9th GET',
      'time since the run started (seconds)',
      '>tenant scope</text>',
      'width:100%',
    ]) {
      expect(html).toContain(text);
    }
    expect(html).not.toMatch(/retry in \d+ ms after\s*</);
    expect(html).not.toMatch(/\d\.\d{4,} ?ms/); // no raw float delays
    expect(out).toContain(join(outDir, 'timeline.html'));
    expect(out).toContain(join(outDir, 'summary.json'));
    // The chart of the user's own `npm run demo` is left as it was (or absent).
    expect(existsSync(userChart) ? statSync(userChart).mtimeMs : undefined).toBe(userChartBefore);
  }, 70_000);
});
