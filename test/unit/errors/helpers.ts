import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A base64url string of `bytes` random bytes. */
export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** A JWT-shaped canary bearer token: three base64url segments, the first a JSON header. */
export function jwtCanary(): string {
  return `eyJhbGciOi${randomToken(12)}.eyJzdWIiOi${randomToken(24)}.${randomToken(32)}`;
}

export interface Fixture {
  readonly name: string;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
  readonly rawBody?: string;
}

export const FIXTURE_DIR = join(import.meta.dirname, '..', '..', 'fixtures', 'partner-center-errors');

export function loadFixtures(dir: string = FIXTURE_DIR): Fixture[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Omit<Fixture, 'name'>;
      return { name: f.replace(/\.json$/, ''), ...parsed };
    });
}

export interface AxiosLikeOptions {
  readonly status?: number;
  readonly headers?: unknown;
  readonly data?: unknown;
  readonly message?: string;
  readonly code?: string;
  readonly method?: string;
  readonly url?: string;
  readonly baseURL?: string;
  readonly token?: string;
  readonly requestId?: string;
  readonly params?: Record<string, unknown>;
}

/** An object shaped like an AxiosError, with or without a response. */
export function axiosLikeError(options: AxiosLikeOptions): Record<string, unknown> {
  const status = options.status;
  const config = {
    method: options.method ?? 'get',
    url: options.url ?? '/v1/customers/1b2c3d4e-0000-0000-0000-000000000001/subscriptions',
    baseURL: options.baseURL ?? 'https://api.partnercenter.microsoft.com',
    headers: {
      Authorization: `Bearer ${options.token ?? jwtCanary()}`,
      'MS-RequestId': options.requestId ?? '11111111-2222-3333-4444-555555555555',
      'MS-CorrelationId': 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    },
    ...(options.params === undefined ? {} : { params: options.params }),
  };
  const error: Record<string, unknown> = {
    isAxiosError: true,
    name: 'AxiosError',
    message:
      options.message ??
      (status === undefined ? 'Network Error' : `Request failed with status code ${status}`),
    config,
  };
  if (status !== undefined) {
    error['code'] = options.code ?? (status >= 500 ? 'ERR_BAD_RESPONSE' : 'ERR_BAD_REQUEST');
    error['response'] = { status, headers: options.headers ?? {}, data: options.data, config };
  } else if (options.code !== undefined) {
    error['code'] = options.code;
  }
  return error;
}
