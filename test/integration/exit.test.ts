import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('a process that made 1,000 concurrent calls', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js'))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
    }
  }, 130_000);

  it('exits on its own: no timer, socket or pending promise of the library keeps it alive', () => {
    const run = spawnSync(process.execPath, ['test/fixtures/scripts/thousand-calls.mjs'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.error, 'the process did not exit within 30 s').toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as {
      ok: number;
      hits: number;
      unhandled: number;
    };
    expect(summary.ok).toBe(1_000);
    expect(summary.hits).toBeGreaterThan(1_000);
    expect(summary.unhandled).toBe(0);
  }, 40_000);
});
