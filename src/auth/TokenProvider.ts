import { PartnerCenterError } from '../errors/PartnerCenterError.js';

/** What the library asks a {@link TokenProvider} for, once per needed token (not once per request). */
export interface TokenRequest {
  /** Tenant scope key of the call: `'partner'` or `'customer:<guid>'`. */
  readonly scope: string;
  /** OAuth scopes, e.g. `['https://api.partnercenter.microsoft.com/.default']`. */
  readonly scopes: readonly string[];
  /** Partner Center realm from a 401 challenge (`urn:cpsvc:cpid:{cid}`), when one was seen. */
  readonly realm?: string | undefined;
  /**
   * The challenge of the 401 that caused this request, when there was one: `scheme` as the server sent it
   * (`OAuth`, `Bearer`), parameter names lower-cased, values unquoted (an `AuthChallenge` of
   * `partner-center-resilience/advanced`).
   */
  readonly challenge?:
    | {
        readonly scheme: string;
        readonly params: Readonly<Record<string, string>>;
        readonly token68?: string;
      }
    | undefined;
  /** Decoded claims of an `insufficient_claims` challenge (JSON text), to pass to the identity provider. */
  readonly claims?: string | undefined;
  /**
   * True when a previously returned token was rejected (a 401) or claims are required: the provider must not
   * answer from its own cache.
   */
  readonly forceRefresh: boolean;
  /** Aborts this request. A shared refresh in the token cache is never given one caller's signal. */
  readonly signal?: AbortSignal | undefined;
}

/** A bearer token and when it expires (milliseconds since the epoch, like `Date.now()`). */
export interface AccessToken {
  readonly token: string;
  readonly expiresOnTimestamp: number;
}

/**
 * Supplies Partner Center bearer tokens. Implement `getToken(request)`; it receives one {@link TokenRequest}
 * object.
 *
 * Set `kind: 'token-provider'` to make {@link toTokenProvider} recognise the object without guessing (see
 * its rules); objects returned by `toTokenProvider` carry it.
 */
export interface TokenProvider {
  readonly kind?: 'token-provider';
  getToken(request: TokenRequest): Promise<AccessToken>;
}

/**
 * Structurally an `@azure/identity` `TokenCredential` (`DefaultAzureCredential`, `ClientSecretCredential`, ...),
 * without depending on `@azure/identity`. Its first argument is the OAuth scopes; it may resolve `null`. The
 * options the library passes are a subset of `GetTokenOptions`; `abortSignal` has the shape `@azure/core-auth`
 * accepts (a DOM/Node `AbortSignal` satisfies it).
 */
export interface TokenCredentialLike {
  getToken(
    scopes: string | string[],
    options?: {
      abortSignal?: {
        readonly aborted: boolean;
        addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
        removeEventListener(type: 'abort', listener: () => void): void;
      };
      tenantId?: string;
      claims?: string;
      enableCae?: boolean;
    },
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

/** The options this library passes to a {@link TokenCredentialLike}: a subset of `GetTokenOptions`. */
export type TokenCredentialOptions = NonNullable<Parameters<TokenCredentialLike['getToken']>[1]>;

/** The abort signal shape `@azure/core-auth` accepts; a DOM/Node `AbortSignal` satisfies it. */
export type AbortSignalLike = NonNullable<TokenCredentialOptions['abortSignal']>;

const KIND = 'token-provider';
/** Providers made by this module: already validating, returned as is. */
const ADAPTED = new WeakSet<object>();

function adapted(provider: TokenProvider): TokenProvider {
  const frozen = Object.freeze(provider);
  ADAPTED.add(frozen);
  return frozen;
}

/**
 * Accepts either shape and returns a {@link TokenProvider} that validates every token it returns.
 *
 * How the two are told apart, in this order:
 * 1. `kind: 'token-provider'` on the object: a TokenProvider (returned as is when it came from this module).
 * 2. `getToken.length >= 2` (declares `scopes, options`): a TokenCredential.
 * 3. An instance of a class whose name ends in `Credential` (every `@azure/identity` credential, whose
 *    `getToken(scopes, options = {})` has length 1 because of the default): a TokenCredential.
 * 4. Anything else: a TokenProvider (a plain `{ getToken(request) { ... } }`).
 * When in doubt, wrap a credential with {@link fromTokenCredential} or mark a provider with `kind`.
 *
 * @throws TypeError when `input` has no `getToken` function.
 */
export function toTokenProvider(input: TokenProvider | TokenCredentialLike): TokenProvider {
  if (input === null || typeof input !== 'object' || typeof input.getToken !== 'function') {
    throw new TypeError(
      'tokenProvider must be an object with a getToken function (a TokenProvider or a TokenCredential)',
    );
  }
  if (ADAPTED.has(input)) return input as TokenProvider;
  if (!isBranded(input) && looksLikeCredential(input))
    return fromTokenCredential(input as TokenCredentialLike);
  const provider = input as TokenProvider;
  return adapted({
    kind: KIND,
    async getToken(request: TokenRequest): Promise<AccessToken> {
      return validateAccessToken(await provider.getToken(request), 'the token provider');
    },
  });
}

/**
 * Adapts a TokenCredential: `scopes` are passed as an array, `claims` as `claims` with `enableCae: true` (as
 * the Azure SDK does for claims challenges), `signal` as `abortSignal`. The realm is not a tenant id and is
 * not passed. A credential has no `forceRefresh`: `@azure/identity` answers from its own cache until the
 * token nears expiry, so after a 401 it may hand back the rejected token; the token cache detects that and
 * fails with a clear error instead of replaying a rejected token. `null` becomes a PartnerCenterError.
 */
export function fromTokenCredential(credential: TokenCredentialLike): TokenProvider {
  return adapted({
    kind: KIND,
    async getToken(request: TokenRequest): Promise<AccessToken> {
      const options: TokenCredentialOptions = {};
      if (request.signal) options.abortSignal = request.signal;
      if (request.claims !== undefined) {
        options.claims = request.claims;
        options.enableCae = true;
      }
      const result = await credential.getToken([...request.scopes], options);
      if (result === null || result === undefined) {
        throw new PartnerCenterError({
          kind: 'unauthorized',
          retryable: false,
          scope: request.scope,
          reason: `the TokenCredential returned no token for scopes ${request.scopes.join(' ')}`,
        });
      }
      return validateAccessToken(result, 'the TokenCredential');
    },
  });
}

/**
 * Checks that `value` is an {@link AccessToken} (a non-empty string token, a finite `expiresOnTimestamp`) and
 * returns a frozen copy holding only those two fields. The error never contains the token.
 *
 * @throws PartnerCenterError of kind `unauthorized`, not retryable.
 */
export function validateAccessToken(value: unknown, source = 'the token provider'): AccessToken {
  const problem = accessTokenProblem(value);
  if (problem !== undefined) {
    throw new PartnerCenterError({
      kind: 'unauthorized',
      retryable: false,
      reason: `${source} returned an invalid access token: ${problem}`,
    });
  }
  const token = value as AccessToken;
  return Object.freeze({ token: token.token, expiresOnTimestamp: token.expiresOnTimestamp });
}

function accessTokenProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `expected an object, got ${describeType(value)}`;
  const { token, expiresOnTimestamp } = value as { token?: unknown; expiresOnTimestamp?: unknown };
  if (typeof token !== 'string') return `token is ${describeType(token)}, expected a string`;
  if (token.trim() === '') return 'token is an empty string';
  if (typeof expiresOnTimestamp !== 'number' || !Number.isFinite(expiresOnTimestamp)) {
    return `expiresOnTimestamp is ${typeof expiresOnTimestamp === 'number' ? String(expiresOnTimestamp) : describeType(expiresOnTimestamp)}, expected a finite number of milliseconds since the epoch`;
  }
  return undefined;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isBranded(input: object): input is TokenProvider {
  return (input as { kind?: unknown }).kind === KIND;
}

function looksLikeCredential(input: { getToken: (...args: never[]) => unknown }): boolean {
  if (input.getToken.length >= 2) return true;
  const ctor = (Object.getPrototypeOf(input) as { constructor?: unknown } | null)?.constructor;
  return (
    typeof ctor === 'function' &&
    ctor !== Object &&
    typeof ctor.name === 'string' &&
    /Credential$/.test(ctor.name)
  );
}
