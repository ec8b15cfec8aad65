import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const demoDirs = () => readdirSync(tmpdir()).filter((name) => name.startsWith('pcr-sweep-demo-'));

describe('the sweep demo (npm run demo -- sweep), 50 customers', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'sweep.js')) || !existsSync(join(root, 'dist', 'testing.js'))) {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
    }
  }, 130_000);

  it('sweeps every customer, is killed half way, resumes from its checkpoint and reports', () => {
    const before = demoDirs();
    // spawnSync returns once the demo exited and its output closed: a child process left behind, holding the
    // inherited stdout, would hold it until the timeout, and the test would fail.
    const run = spawnSync(process.execPath, ['examples/demo.mjs', 'sweep', '--customers', '50'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(
      /SIGKILL: the sweep process was killed with \d+ tasks completed; the checkpoint file says \d+/,
    );
    expect(out).toMatch(/resumed: the new process loaded \d+ tenants done from the checkpoint/);
    const row = (label: string) => new RegExp(`\\n${label} +(\\S+(?: \\S+)*?)  `).exec(out)?.[1];
    expect(row('customer tenants')).toBe('50');
    expect(row(' {2}done')).toBe('50');
    expect(row(' {2}failed')).toBe('0');
    expect(row(' {2}lost')).toBe('0');
    expect(row('done twice per the checkpoint')).toBe('0');
    expect(row('tenants read at least once')).toBe('50 / 50');
    expect(row('duration')).toMatch(/^\d+\.\d s$/);
    expect(row('429s')).toMatch(/^\d+ \(\d+\.\d\d per 100\)$/);
    expect(Number(row('tenants read twice'))).toBeGreaterThanOrEqual(0);
    // Readable without a terminal: no bar's carriage returns, every line within 120 columns.
    expect(out).not.toContain('\r');
    for (const line of out.split('\n')) expect(line.length, line).toBeLessThanOrEqual(120);
    // The checkpoint's temporary directory is gone.
    expect(demoDirs().filter((name) => !before.includes(name))).toEqual([]);
  }, 40_000);
});
