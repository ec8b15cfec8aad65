// Packs the library as npm would and checks the tarball: its file list, publint, @arethetypeswrong/cli, and a
// consumer compiled against its declarations with TypeScript 5.9 (check-consumer-types.mjs). All offline.
// A clean run prints one line; on a problem, everything the failing tool said is printed and it exits 1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConsumerTypes } from './check-consumer-types.mjs';

/** Runs a command; returns its exit status and everything it printed (stdout then stderr). */
function run(cmd, args) {
  try {
    const stdout = execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    return { ok: true, output: stdout };
  } catch (error) {
    return { ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` || String(error.message) };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pcr-pack-'));
const problems = [];
let summary = '';
try {
  const packed = run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]);
  if (!packed.ok) throw new Error(`npm pack failed:\n${packed.output}`);
  const [pack] = JSON.parse(packed.output);
  const tarball = join(dir, pack.filename);
  const files = pack.files.map((f) => f.path);
  const unexpected = files.filter((f) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(f));
  if (unexpected.length > 0) problems.push(`unexpected files in the package: ${unexpected.join(', ')}`);

  const publint = run('npx', ['--no-install', 'publint', 'run', tarball, '--strict']);
  if (!publint.ok) problems.push(`publint:\n${publint.output}`);
  // attw exits 1 on a problem; a clean table still lists the node10 column it ignores (profile node16).
  const attw = run('npx', [
    '--no-install',
    'attw',
    tarball,
    '--profile',
    'node16',
    '--format',
    'table-flipped',
  ]);
  if (!attw.ok) problems.push(`attw:\n${attw.output}`);
  const types = checkConsumerTypes(tarball);
  if (types.length > 0) problems.push(`consumer types:\n${types.join('\n')}`);

  summary = `check:package: ${files.length} files, ${pack.size} bytes; publint, attw (node16) and a consumer on TypeScript 5.9 clean`;
} catch (error) {
  problems.push(error instanceof Error ? error.message : String(error));
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(problems.join('\n\n'));
  console.error('\ncheck:package failed.');
  process.exit(1);
}
console.log(summary);
