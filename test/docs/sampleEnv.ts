/**
 * What a documentation sample may use without declaring it. The docs test (samples.test.ts) imports these
 * names into a sample that uses them and does not declare them itself, so that a sample can read like the
 * code of an integrator:
 *
 * - `tokenProvider`: a {@link TokenProvider} (in the docs: yours; here: tokens issued by the simulator);
 * - `credential`: an `@azure/identity`-shaped TokenCredential (`getToken(scopes, options)`);
 * - `customerId`: a customer tenant id that exists (here: the simulator's first customer);
 * - `logger`: a console-style logger (here: silent).
 *
 * When the test runs a sample, every request to the Partner Center API hosts goes to the simulator.
 */
import type { Logger, TokenCredentialLike, TokenProvider } from '../../src/index.js';
import { sampleEnvironment } from './sampleHost.js';

const HOUR = 3_600_000;

export const tokenProvider: TokenProvider = {
  async getToken() {
    return { token: sampleEnvironment().issueToken(), expiresOnTimestamp: Date.now() + HOUR };
  },
};

export const credential: TokenCredentialLike = {
  async getToken(_scopes: string | string[], _options?: object) {
    return { token: sampleEnvironment().issueToken(), expiresOnTimestamp: Date.now() + HOUR };
  },
};

export const customerId: string = sampleEnvironment().customerIds[0] ?? '';

/** Accepts both call orders: console's `(message, fields)` and pino's `(fields, message)`. */
export interface SampleLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const quiet = (): void => undefined;
export const logger: SampleLogger & Logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
