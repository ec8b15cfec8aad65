// Compiles a consumer's code against the packed declarations (dist/*.d.ts, dist/*.d.cts) with TypeScript 5.9
// (the `typescript-5.9` dev dependency, an npm alias), so that a project still on TypeScript 5.x can use the
// package without `skipLibCheck`. Three setups:
//
//   defaults   TypeScript 5.9's defaults (target ES5, module CommonJS, node10 resolution, no esModuleInterop,
//              skipLibCheck off), with only `lib` raised to ES2022 + DOM: axios's own typings need it.
//              node10 ignores `exports`, so the subpath entries are imported by their dist/ paths.
//   strict     the same with `strict`.
//   nodenext   `module: nodenext` and `strict`: an ES module and a CommonJS module import every entry by
//              its public name (the `import` and `require` conditions: dist/*.d.ts and dist/*.d.cts).
//
// Only the consumer's files and this package's declarations are checked: other packages' diagnostics are
// theirs (under the defaults, zod's locales ask for esModuleInterop).
//
// Usage: node scripts/check-consumer-types.mjs <tarball from npm pack>   (check-package.mjs runs it)
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript-5.9';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const NAME = 'partner-center-resilience';

/** What a consumer writes: every entry imported, a value and a type used from each. */
const USES = `
const handle = attachResilience(axios.create(), { retry: { maxAttempts: 2 } });
handle.detach();
export const kindOf = (error: unknown) => (isPartnerCenterError(error) ? error.kind : undefined);
export const paged = (api: AxiosInstance) => paginate(api, '/v1/customers');
export const startSimulator = () => startPartnerCenterSimulator({ seed: 1 });
export const toStore = (options: Parameters<typeof createRedisScopeStore>[0]) => createRedisScopeStore(options);
export const instrument = (h: ResilienceHandle) => instrumentResilience(h);
export const waitMs = (headers: Record<string, string>) => parseRetryAfter(headers)?.ms;
export type Challenges = AuthChallenge[];
export type Pair = [PartnerCenterError, PartnerCenterSimulator];
`;

const imports = (entry) => `
import axios, { type AxiosInstance } from 'axios';
import {
  attachResilience, isPartnerCenterError, paginate, type PartnerCenterError, type ResilienceHandle,
} from '${NAME}';
import { startPartnerCenterSimulator, type PartnerCenterSimulator } from '${entry('testing')}';
import { createRedisScopeStore } from '${entry('redis')}';
import { instrumentResilience } from '${entry('otel')}';
import { type AuthChallenge, parseRetryAfter } from '${entry('advanced')}';
`;

const DEFAULTS = { lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'], noEmit: true };

const SETUPS = [
  {
    name: 'TypeScript 5.9 defaults (lib ES2022 + DOM)',
    options: DEFAULTS,
    files: { 'consumer.ts': imports((e) => `${NAME}/dist/${e}`) + USES },
  },
  {
    name: 'TypeScript 5.9 defaults + strict',
    options: { ...DEFAULTS, strict: true },
    files: { 'consumer.ts': imports((e) => `${NAME}/dist/${e}`) + USES },
  },
  {
    name: 'TypeScript 5.9 module nodenext + strict (ESM and CommonJS consumers)',
    options: {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
    },
    files: {
      'consumer.mts': imports((e) => `${NAME}/${e}`) + USES,
      'consumer.cts': imports((e) => `${NAME}/${e}`) + USES,
    },
  },
];

/**
 * Unpacks `tarball` as `node_modules/partner-center-resilience` of a scratch consumer inside this repository's
 * node_modules (so axios, zod, ioredis and @opentelemetry/api resolve), compiles each setup, and returns the
 * problems as printable lines (empty: every setup compiled).
 */
export function checkConsumerTypes(tarball) {
  const dir = join(root, 'node_modules/.cache/consumer-types');
  const installed = join(dir, 'node_modules', NAME);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const problems = [];
  try {
    for (const setup of SETUPS) {
      const files = Object.entries(setup.files).map(([name, text]) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      });
      const program = ts.createProgram(files, setup.options);
      // Only our files are checked (the checker reads other packages' types as it needs them): fast, and
      // their own diagnostics are not ours to fix.
      const ours = [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...program
          .getSourceFiles()
          .filter((file) => isOurs(file.fileName, dir, installed))
          .flatMap((file) => [
            ...program.getSyntacticDiagnostics(file),
            ...program.getSemanticDiagnostics(file),
          ]),
      ];
      if (ours.length > 0) {
        problems.push(`${setup.name}: ${ours.length} error(s)`);
        problems.push(
          ts.formatDiagnostics(ours, {
            getCanonicalFileName: (f) => f,
            getCurrentDirectory: () => dir,
            getNewLine: () => '\n',
          }),
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return problems;
}

function isOurs(fileName, dir, installed) {
  const file = resolve(fileName);
  return file.startsWith(installed + sep) || dirname(file) === dir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tarball = process.argv[2];
  if (!tarball) {
    console.error('usage: node scripts/check-consumer-types.mjs <tarball>');
    process.exit(2);
  }
  const problems = checkConsumerTypes(resolve(tarball));
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(1);
  }
  console.log(`consumer types: ${SETUPS.length} setups compile with TypeScript ${ts.version}`);
}
