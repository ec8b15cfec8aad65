import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import {
  fromTokenCredential,
  type TokenCredentialLike,
  type TokenCredentialOptions,
  type TokenProvider,
  type TokenRequest,
  toTokenProvider,
  validateAccessToken,
} from '../../../src/auth/TokenProvider.js';
import { PartnerCenterError } from '../../../src/errors/PartnerCenterError.js';

const SCOPES = ['https://api.partnercenter.microsoft.com/.default'];
const request = (extra: Partial<TokenRequest> = {}): TokenRequest => ({
  scope: 'partner',
  scopes: SCOPES,
  forceRefresh: false,
  ...extra,
});
const canary = (): string => `opaque-canary-${randomBytes(16).toString('hex')}`;

/** Mimics an @azure/identity credential class: `getToken(scopes, options = {})` has length 1. */
class FakeClientSecretCredential {
  readonly calls: Array<[string | string[], TokenCredentialOptions]> = [];
  constructor(private readonly result: { token: string; expiresOnTimestamp: number } | null) {}
  async getToken(scopes: string | string[], options: TokenCredentialOptions = {}) {
    this.calls.push([scopes, options]);
    return this.result;
  }
}

describe('toTokenProvider', () => {
  it('passes a plain TokenProvider the request object and validates its answer', async () => {
    const getToken = vi.fn(async (_r: TokenRequest) => ({
      token: 't1',
      expiresOnTimestamp: 1000,
      extra: 'x',
    }));
    const provider = toTokenProvider({ getToken });
    const req = request({ realm: 'urn:cpsvc:cpid:1', forceRefresh: true });
    await expect(provider.getToken(req)).resolves.toEqual({ token: 't1', expiresOnTimestamp: 1000 });
    expect(getToken).toHaveBeenCalledWith(req);
    expect(provider.kind).toBe('token-provider');
  });

  it('returns its own result as is, and treats an explicitly marked object as a provider', async () => {
    const provider = toTokenProvider({ getToken: async () => ({ token: 't', expiresOnTimestamp: 1 }) });
    expect(toTokenProvider(provider)).toBe(provider);
    // Length 2 would otherwise mean "credential"; the kind decides.
    const marked: TokenProvider = {
      kind: 'token-provider',
      getToken: async (r: TokenRequest, ..._rest: unknown[]) => ({ token: r.scope, expiresOnTimestamp: 1 }),
    };
    await expect(toTokenProvider(marked).getToken(request())).resolves.toEqual({
      token: 'partner',
      expiresOnTimestamp: 1,
    });
  });

  it('recognises an @azure/identity-like credential class and maps scopes, claims and abort', async () => {
    const credential = new FakeClientSecretCredential({ token: 'c1', expiresOnTimestamp: 5000 });
    const provider = toTokenProvider(credential);
    const controller = new AbortController();
    await expect(
      provider.getToken(request({ claims: '{"a":1}', signal: controller.signal, realm: 'urn:cpsvc:cpid:9' })),
    ).resolves.toEqual({ token: 'c1', expiresOnTimestamp: 5000 });
    expect(credential.calls).toHaveLength(1);
    const [scopes, options] = credential.calls[0] ?? [];
    expect(scopes).toEqual(SCOPES);
    expect(scopes).not.toBe(SCOPES); // a copy, never the caller's array
    expect(options).toEqual({ abortSignal: controller.signal, claims: '{"a":1}', enableCae: true });
    expect(options).not.toHaveProperty('tenantId');
  });

  it('recognises a plain credential object declaring (scopes, options)', async () => {
    const getToken = vi.fn(async (_scopes: string | string[], _options?: TokenCredentialOptions) => ({
      token: 'c2',
      expiresOnTimestamp: 7,
    }));
    const provider = toTokenProvider({ getToken } satisfies TokenCredentialLike);
    // vi.fn keeps the implementation's arity
    expect(getToken.length).toBe(2);
    await provider.getToken(request());
    expect(getToken).toHaveBeenCalledWith(SCOPES, {});
  });

  it('turns a null credential answer into a clear unauthorized error', async () => {
    const provider = fromTokenCredential(new FakeClientSecretCredential(null));
    const error = await provider.getToken(request({ scope: 'customer:abc' })).catch((e: unknown) => e);
    expect(PartnerCenterError.is(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'unauthorized', retryable: false, scope: 'customer:abc' });
    expect((error as Error).message).toContain('returned no token');
  });

  it('passes provider errors through unchanged', async () => {
    const boom = new Error('AADSTS7000215: invalid client secret');
    const provider = toTokenProvider({
      getToken: async () => {
        throw boom;
      },
    });
    await expect(provider.getToken(request())).rejects.toBe(boom);
  });

  it('rejects input without getToken', () => {
    expect(() => toTokenProvider({} as TokenProvider)).toThrow(TypeError);
    expect(() => toTokenProvider(null as unknown as TokenProvider)).toThrow(TypeError);
  });
});

describe('validateAccessToken', () => {
  it.each([
    ['null', null, 'expected an object, got null'],
    ['a string', 'tok', 'expected an object, got string'],
    ['missing token', { expiresOnTimestamp: 1 }, 'token is undefined'],
    ['empty token', { token: '  ', expiresOnTimestamp: 1 }, 'token is an empty string'],
    ['numeric token', { token: 42, expiresOnTimestamp: 1 }, 'token is number'],
    ['NaN expiry', { token: 'x', expiresOnTimestamp: Number.NaN }, 'expiresOnTimestamp is NaN'],
    ['Infinity expiry', { token: 'x', expiresOnTimestamp: Number.POSITIVE_INFINITY }, 'is Infinity'],
    ['string expiry', { token: 'x', expiresOnTimestamp: '123' }, 'expiresOnTimestamp is string'],
  ])('rejects %s', (_name, value, message) => {
    expect(() => validateAccessToken(value)).toThrow(message);
    try {
      validateAccessToken(value);
    } catch (error) {
      expect(error).toMatchObject({ kind: 'unauthorized', retryable: false });
    }
  });

  it('never puts the token in its error', () => {
    const token = canary();
    for (const bad of [
      { token, expiresOnTimestamp: Number.NaN },
      { token, expiresOnTimestamp: `${token}` },
    ]) {
      const error = (() => {
        try {
          validateAccessToken(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(PartnerCenterError);
      expect(JSON.stringify(error)).not.toContain(token);
      expect(String((error as Error).stack)).not.toContain(token);
    }
  });

  it('returns a frozen copy with only the two fields', () => {
    const result = validateAccessToken({ token: 'x', expiresOnTimestamp: 1, refreshAfterTimestamp: 0 });
    expect(result).toEqual({ token: 'x', expiresOnTimestamp: 1 });
    expect(Object.isFrozen(result)).toBe(true);
  });
});

describe('TokenCredentialLike', () => {
  it('accepts the @azure/core-auth TokenCredential shape at compile time', async () => {
    // Mirrors @azure/core-auth 1.x (AbortSignalLike, GetTokenOptions, AccessToken, TokenCredential).
    interface CoreAbortSignalLike {
      readonly aborted: boolean;
      readonly reason?: unknown;
      addEventListener(
        type: 'abort',
        listener: (this: CoreAbortSignalLike, ev: unknown) => unknown,
        options?: unknown,
      ): void;
      removeEventListener(
        type: 'abort',
        listener: (this: CoreAbortSignalLike, ev: unknown) => unknown,
        options?: unknown,
      ): void;
    }
    interface CoreGetTokenOptions {
      abortSignal?: CoreAbortSignalLike;
      requestOptions?: { timeout?: number };
      tracingOptions?: { tracingContext?: unknown };
      claims?: string;
      enableCae?: boolean;
      tenantId?: string;
      proofOfPossessionOptions?: { nonce: string; resourceRequestMethod: string; resourceRequestUrl: string };
    }
    interface CoreAccessToken {
      token: string;
      expiresOnTimestamp: number;
      refreshAfterTimestamp?: number;
      tokenType?: 'Bearer' | 'pop';
    }
    interface CoreTokenCredential {
      getToken(scopes: string | string[], options?: CoreGetTokenOptions): Promise<CoreAccessToken | null>;
    }
    const real: CoreTokenCredential = {
      getToken: async (_scopes, options) => ({
        token: options?.abortSignal?.aborted ? 'aborted' : 'ok',
        expiresOnTimestamp: 1,
        tokenType: 'Bearer',
      }),
    };
    const like: TokenCredentialLike = real;
    await expect(
      fromTokenCredential(like).getToken(request({ signal: new AbortController().signal })),
    ).resolves.toEqual({
      token: 'ok',
      expiresOnTimestamp: 1,
    });
  });
});
