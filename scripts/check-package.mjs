// Packs the library as npm would and checks the tarball with publint and @arethetypeswrong/cli.
// Both run offline. Exits non-zero on any problem.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'pcr-pack-'));
const run = (cmd, args) =>
  execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
try {
  const out = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]));
  const tarball = join(dir, out[0].filename);
  const files = out[0].files.map((f) => f.path);
  const unexpected = files.filter((f) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(f));
  if (unexpected.length > 0) throw new Error(`unexpected files in the package: ${unexpected.join(', ')}`);
  console.log(`npm pack: ${files.length} files, ${out[0].size} bytes`);
  process.stdout.write(run('npx', ['--no-install', 'publint', 'run', tarball, '--strict']));
  process.stdout.write(
    run('npx', ['--no-install', 'attw', tarball, '--profile', 'node16', '--format', 'table-flipped']),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
