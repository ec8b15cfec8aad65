import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { AccessToken } from '../../../src/auth/TokenProvider.js';
import { cancelled, refreshError, rejectedAgain, wait } from '../../../src/auth/tokenErrors.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';

const TOKEN = 'opaque-token-value-123';

/** Everything an error shows: message, stack, cause chain, inspect and JSON. */
function shown(error: unknown): string {
  const parts: string[] = [inspect(error, { depth: 10 }), JSON.stringify(error) ?? ''];
  let current: unknown = error;
  for (let i = 0; i < 6 && current instanceof Error; i++) {
    parts.push(current.message, current.stack ?? '', String(current.name));
    current = (current as { cause?: unknown }).cause;
  }
  if (current !== undefined) parts.push(typeof current === 'string' ? current : inspect(current));
  return parts.join('\n');
}

describe('cancelled', () => {
  it("is the caller's abort: cancelled, not retryable, with the scope and the signal's reason", () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    const error = cancelled('customer:c1', controller.signal);
    expect(error).toMatchObject({ kind: 'cancelled', retryable: false, scope: 'customer:c1' });
    expect((error.cause as Error).message).toBe('stop');
  });
});

describe('rejectedAgain', () => {
  it('is unauthorized and not retryable, and says the provider handed back the rejected token', () => {
    expect(rejectedAgain()).toMatchObject({
      kind: 'unauthorized',
      retryable: false,
      reason: expect.stringContaining('returned the token that was just rejected'),
    });
  });
});

describe('refreshError', () => {
  it('is unauthorized, not retryable, and names what the provider said', () => {
    const error = refreshError(new TypeError('network down'), 'partner', []);
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, scope: 'partner' });
    expect(error.reason).toBe('token refresh failed: TypeError: network down');
  });

  it('keeps what an error without a known token says', () => {
    const thrown = new RangeError('network down');
    const cause = refreshError(thrown, 'partner', [TOKEN]).cause as Error;
    expect([cause.name, cause.message]).toEqual(['RangeError', 'network down']);
  });

  it('removes the known tokens from the reason, the message, the stack and the cause chain', () => {
    const inner = new Error(`inner saw ${TOKEN}`);
    const thrown = new Error(`bad answer ${TOKEN}`, { cause: inner });
    (thrown as Error & { code?: string }).code = 'E_TOKEN';
    const error = refreshError(thrown, 'partner', [TOKEN]);
    expect(shown(error)).not.toContain(TOKEN);
    expect(error.reason).toContain('bad answer');
    expect((error.cause as Error & { code?: string }).code).toBe('E_TOKEN');
    expect(((error.cause as Error).cause as Error).message).toContain('inner saw');
  });

  it('removes them from a thrown string or plain object too', () => {
    expect(shown(refreshError(`failed with ${TOKEN}`, 'partner', [TOKEN]))).not.toContain(TOKEN);
    expect(shown(refreshError({ detail: TOKEN }, 'partner', [TOKEN]))).not.toContain(TOKEN);
  });

  it('describes a non-Error value without its content', () => {
    expect(refreshError(null, 'partner', []).reason).toBe(
      'token refresh failed: a non-Error value (null) was thrown',
    );
  });
});

describe('wait', () => {
  it('is the shared promise itself without a signal', () => {
    const promise = Promise.resolve<AccessToken>({ token: 'T', expiresOnTimestamp: 1 });
    expect(wait({ promise }, 'partner', undefined)).toBe(promise);
  });

  it('rejects only this caller on its abort; the shared refresh goes on', async () => {
    let answer!: (token: AccessToken) => void;
    const promise = new Promise<AccessToken>((resolve) => {
      answer = resolve;
    });
    const controller = new AbortController();
    const mine = wait({ promise }, 'partner', controller.signal);
    const other = wait({ promise }, 'partner', new AbortController().signal);
    controller.abort();
    const error = await mine.catch((thrown: unknown) => thrown);
    expect(PartnerCenterError.is(error) && error.kind).toBe('cancelled');
    answer({ token: 'T', expiresOnTimestamp: 1 });
    await expect(other).resolves.toMatchObject({ token: 'T' });
  });
});
