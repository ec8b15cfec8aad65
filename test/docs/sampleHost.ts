/** The docs test's side of sampleEnv.ts: what it provides before the first sample runs. */
export interface SampleEnvironment {
  readonly customerIds: readonly string[];
  readonly issueToken: () => string;
}

/** The names a sample may use undeclared: the exports of sampleEnv.ts. */
export const SAMPLE_ENV_NAMES = ['tokenProvider', 'credential', 'customerId', 'logger'] as const;

const KEY = '__partnerCenterResilienceDocsSamples';

/** Called by the docs test before the first sample is imported (and with `undefined` after the last). */
export function provideSampleEnvironment(env: SampleEnvironment | undefined): void {
  (globalThis as Record<string, unknown>)[KEY] = env;
}

/** Read by sampleEnv.ts. */
export function sampleEnvironment(): SampleEnvironment {
  const env = (globalThis as Record<string, unknown>)[KEY] as SampleEnvironment | undefined;
  if (!env) throw new Error('documentation samples run only from test/docs/samples.test.ts');
  return env;
}
