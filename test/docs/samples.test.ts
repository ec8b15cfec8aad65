import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type PartnerCenterSimulator,
  scenarios,
  startPartnerCenterSimulator,
} from '../../src/testing/index.js';
import { documentationFiles, extractSamples, type Sample } from './extractSamples.js';
import { provideSampleEnvironment, SAMPLE_ENV_NAMES } from './sampleHost.js';

/*
 * Every ```ts block of README.md and docs/*.md is type-checked (strict, as the library's own code) and, unless
 * marked `no-run`, run against the Partner Center simulator. A block marked `vitest` is a test file of its own
 * (describe, it, beforeAll, ...): it is imported while this file's suites are collected, so its suites and
 * tests run here, under `<file>:<line> (vitest)`. See CONTRIBUTING.md, "Documentation samples".
 *
 * Each sample becomes a module in test/docs/.samples/ (git-ignored): `<id>.ts` imports the package by its
 * public names, mapped to src/ by the generated tsconfig's `paths`; `run/<id>.ts` is the same code with the
 * specifiers rewritten to src/, imported by vitest. Names from sampleEnv.ts (tokenProvider, credential,
 * customerId, logger) are imported at the end of a sample that uses them without declaring them, so that the
 * line numbers of the sample and the Markdown match.
 */

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'test/docs/.samples');
const runDir = join(outDir, 'run');

/** Documents whose samples need something the test does not start; they are type-checked only. */
const TYPE_CHECK_ONLY: Readonly<Record<string, string>> = {
  'docs/redis.md': 'needs a Redis server (the store is run by test/integration/redis.*.test.ts)',
};

const KNOWN_FLAGS = new Set(['no-run', 'vitest']);

const SUBPATHS: Readonly<Record<string, string>> = {
  'partner-center-resilience': 'src/index.ts',
  'partner-center-resilience/advanced': 'src/advanced.ts',
  'partner-center-resilience/testing': 'src/testing/index.ts',
  'partner-center-resilience/otel': 'src/otel/index.ts',
  'partner-center-resilience/redis': 'src/stores/redis.ts',
  'partner-center-resilience/sweep': 'src/sweep.ts',
  'partner-center-resilience/bullmq': 'src/bullmq/index.ts',
};

/** Type declarations for packages the samples mention but the repository does not install. */
const SHIMS = `// Only the members the documentation uses; the real packages are not installed here.
declare module '@azure/identity' {
  interface GetTokenOptions {
    abortSignal?: { readonly aborted: boolean };
    tenantId?: string;
    claims?: string;
    enableCae?: boolean;
  }
  interface AccessToken {
    token: string;
    expiresOnTimestamp: number;
  }
  interface TokenCredential {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
  }
  interface CredentialOptions {
    authorityHost?: string;
  }
  export class ClientSecretCredential implements TokenCredential {
    constructor(tenantId: string, clientId: string, clientSecret: string, options?: CredentialOptions);
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
  }
  export class ClientCertificateCredential implements TokenCredential {
    constructor(tenantId: string, clientId: string, certificatePath: string, options?: CredentialOptions);
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
  }
  export class DefaultAzureCredential implements TokenCredential {
    constructor(options?: CredentialOptions);
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null>;
  }
}
`;

const samples: Sample[] = documentationFiles(root).flatMap((file) => extractSamples(root, file));
const runnable = samples.filter(
  (s) => !s.flags.includes('no-run') && !s.flags.includes('vitest') && TYPE_CHECK_ONLY[s.file] === undefined,
);
/** Samples that are vitest test files (` ```ts vitest `): their suites run as suites of this file. */
const suites = samples.filter((s) => s.flags.includes('vitest') && TYPE_CHECK_ONLY[s.file] === undefined);

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The sampleEnv names a sample uses without declaring or importing them. */
function undeclaredEnvNames(source: string): string[] {
  // Line comments do not use a name (a `//` after a space or at a line start, not the one in a URL).
  const code = source.replace(/(^|\s)\/\/[^\n]*/g, '$1');
  return SAMPLE_ENV_NAMES.filter((name) => {
    const n = escapeRegExp(name);
    // A property key or a member (`tokenProvider: sim.tokenProvider()`) is not a use of the name.
    if (!new RegExp(`(?<!\\.)\\b${n}\\b(?!\\s*:)`).test(code)) return false;
    const declared = new RegExp(`\\b(?:const|let|var|function|class)\\s+${n}\\b`).test(code);
    const imported = new RegExp(`import\\s[^;]*\\b${n}\\b[^;]*\\sfrom\\s`).test(code);
    const destructured = new RegExp(`(?:const|let|var)\\s*[[{][^\\]}]*\\b${n}\\b[^\\]}]*[\\]}]\\s*=`).test(
      code,
    );
    return !declared && !imported && !destructured;
  });
}

/** The module text of a sample; `envPath` and `rewrite` differ between the type-check and the run copy. */
function moduleText(sample: Sample, envPath: string, rewrite: (specifier: string) => string): string {
  const code = sample.code.replace(
    /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(partner-center-resilience(?:\/[a-z]+)?)\2/g,
    (_match, prefix: string, quote: string, specifier: string) =>
      `${prefix}${quote}${rewrite(specifier)}${quote}`,
  );
  const env = undeclaredEnvNames(sample.code);
  // Appended, not prepended: imports are hoisted, and the sample's line numbers stay those of the Markdown.
  const tail = [
    '',
    `// ${sample.file}:${sample.line}`,
    env.length > 0 ? `import { ${env.join(', ')} } from '${envPath}';` : '',
    'export {};',
    '',
  ];
  return `${code}\n${tail.join('\n')}`;
}

function writeSamples(): void {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(runDir, { recursive: true });
  const paths: Record<string, string[]> = {};
  for (const [specifier, target] of Object.entries(SUBPATHS)) paths[specifier] = [`../../../${target}`];
  writeFileSync(
    join(outDir, 'tsconfig.json'),
    `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023', 'DOM'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          types: ['node'],
          strict: true,
          noUncheckedIndexedAccess: true,
          exactOptionalPropertyTypes: true,
          noImplicitOverride: true,
          noImplicitReturns: true,
          useUnknownInCatchVariables: true,
          verbatimModuleSyntax: true,
          isolatedModules: true,
          esModuleInterop: true,
          skipLibCheck: true,
          noEmit: true,
          paths,
        },
        files: ['shims.d.ts', ...samples.map((s) => `${s.id}.ts`)],
      },
      null,
      2,
    )}\n`,
  );
  writeFileSync(join(outDir, 'shims.d.ts'), SHIMS);
  for (const sample of samples) {
    writeFileSync(
      join(outDir, `${sample.id}.ts`),
      moduleText(sample, '../sampleEnv.js', (s) => s),
    );
    writeFileSync(
      join(runDir, `${sample.id}.ts`),
      moduleText(sample, '../../sampleEnv.js', (s) =>
        `../../../../${SUBPATHS[s] ?? 'src/index.ts'}`.replace(/\.ts$/, '.js'),
      ),
    );
  }
}

/** `test/docs/.samples/docs-x-2.ts(5,3): error TS...` -> `docs/x.md:<line>:3: error TS...`. */
function mapDiagnostics(output: string): string {
  const byId = new Map(samples.map((s) => [s.id, s]));
  return output
    .split('\n')
    .map((line) => {
      const match = /^(?:.*[\\/])?\.samples[\\/]([\w-]+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
      const sample = match?.[1] === undefined ? undefined : byId.get(match[1]);
      if (!match || !sample) return line;
      return `${sample.file}:${sample.line + Number(match[2]) - 1}:${match[3]}: ${match[4]}`;
    })
    .join('\n');
}

writeSamples();

describe('documentation samples', () => {
  it('are found, and use only known flags', () => {
    expect(samples.length).toBeGreaterThan(20);
    const unknown = samples.filter((s) => s.flags.some((f) => !KNOWN_FLAGS.has(f)));
    expect(unknown.map((s) => `${s.file}:${s.line} ${s.flags.join(' ')}`)).toEqual([]);
  });

  it('declare what they use (no sample leans on the names of sampleEnv.ts)', () => {
    const leaning = samples
      .map((sample) => ({ at: `${sample.file}:${sample.line}`, names: undeclaredEnvNames(sample.code) }))
      .filter((entry) => entry.names.length > 0);
    expect(leaning).toEqual([]);
  });

  it('type-check (strict)', () => {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    let output = '';
    try {
      execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(outDir, 'tsconfig.json')], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error: unknown) {
      const e = error as { stdout?: string; stderr?: string; message?: string };
      output = `${e.stdout ?? ''}${e.stderr ?? ''}` || (e.message ?? 'tsc failed');
    }
    expect(mapDiagnostics(output)).toBe('');
  }, 60_000);

  describe('run against the simulator', () => {
    let sim: PartnerCenterSimulator;
    /** The MS-RequestIds each POST (url + body) of the running sample was sent with. */
    const postIds = new Map<string, Set<string>>();
    let previousAdapter: NonNullable<typeof axios.defaults.adapter> = [];

    beforeAll(async () => {
      sim = await startPartnerCenterSimulator({
        scenario: { ...scenarios.healthy, name: 'docs', auth: { required: true } },
        seed: 7,
      });
      provideSampleEnvironment({ customerIds: sim.customerIds, issueToken: () => sim.issueToken() });
      // Instances created by the samples (axios.create, createPartnerCenterClient) inherit this adapter:
      // requests to the Partner Center hosts go to the simulator, and nothing else leaves loopback.
      const http = axios.getAdapter('http');
      const toSimulator = (url: string) =>
        url.replace(
          /^https:\/\/(?:api\.partnercenter\.microsoft\.com|partner\.partnercenterapi\.microsoftonline\.cn)/i,
          sim.url,
        );
      const redirect: AxiosAdapter = (config) => {
        const next: InternalAxiosRequestConfig = { ...config };
        if (config.baseURL !== undefined) next.baseURL = toSimulator(config.baseURL);
        if (config.url !== undefined) next.url = toSimulator(config.url);
        const target = axios.getUri(next);
        if (config.method === 'post') {
          const key = `POST ${target} ${typeof config.data === 'string' ? config.data : ''}`;
          const ids = postIds.get(key) ?? new Set<string>();
          ids.add(String(next.headers?.get?.('MS-RequestId') ?? ''));
          postIds.set(key, ids);
        }
        if (!/^http:\/\/(?:127\.0\.0\.1|localhost|\[::1\])[:/]/.test(target)) {
          return Promise.reject(new Error(`a documentation sample tried to reach ${target}`));
        }
        return http(next);
      };
      previousAdapter = axios.defaults.adapter ?? previousAdapter;
      axios.defaults.adapter = redirect;
    });

    afterAll(async () => {
      axios.defaults.adapter = previousAdapter;
      provideSampleEnvironment(undefined);
      await sim?.close();
    });

    for (const sample of runnable) {
      it(`${sample.file}:${sample.line}`, async () => {
        for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
          vi.spyOn(console, method).mockImplementation(() => undefined);
        }
        postIds.clear();
        await import(join(runDir, `${sample.id}.ts`));
        // A POST sent again must carry its MS-RequestId (a new or empty one makes the server create it twice).
        const resentUnderNewId = [...postIds].filter(([, ids]) => ids.size > 1).map(([key]) => key);
        expect(resentUnderNewId, 'the same POST sent under different MS-RequestIds').toEqual([]);
      }, 15_000);
    }
  });
});

// A sample test file registers its suites and hooks under this suite while vitest collects it (vitest awaits
// an async suite factory with this suite current).
for (const sample of suites) {
  describe(`${sample.file}:${sample.line} (vitest)`, async () => {
    await import(join(runDir, `${sample.id}.ts`));
  });
}
