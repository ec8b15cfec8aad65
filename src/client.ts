import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { attachResilience, type ResilienceHandle } from './attach.js';
import { type PartnerCenterCloudName, resolveCloud } from './auth/clouds.js';
import type { TokenCredentialLike, TokenProvider } from './auth/TokenProvider.js';
import type { ResilienceOptions } from './options/ResilienceOptions.js';

/** Options of {@link createPartnerCenterClient}: a cloud, a credential, and any {@link ResilienceOptions}. */
export interface PartnerCenterClientOptions extends Omit<ResilienceOptions, 'tokenProvider'> {
  /**
   * Which Partner Center cloud: base URL, authority and token scope (`PARTNER_CENTER_CLOUDS` of
   * `partner-center-resilience/advanced`). Default: `'global'`.
   */
  readonly cloud?: 'global' | 'china' | 'usgov' | 'germany-legacy';
  /** Token source: a {@link TokenProvider} or an `@azure/identity` `TokenCredential`. Required. */
  readonly credential: TokenProvider | TokenCredentialLike;
  /** API base URL, e.g. a simulator's. Default: the cloud's. */
  readonly baseURL?: string;
  /** Sent as `MS-PartnerCenter-Application` (your application's name). Default: not sent. */
  readonly application?: string;
  /** Sent as `X-Locale` (e.g. `en-US`). Default: not sent. */
  readonly locale?: string;
  /** Extra axios defaults (agents, proxy, ...); `baseURL` and the Partner Center headers win. Default: none. */
  readonly axios?: CreateAxiosDefaults;
}

/** An axios instance ready for Partner Center, with its resilience handle. */
export type PartnerCenterClient = AxiosInstance & { readonly resilience: ResilienceHandle };

/** Compiles only while the `cloud` option (spelt out for the public API) names every cloud and no other. */
type CloudOption = NonNullable<PartnerCenterClientOptions['cloud']>;
const _everyCloud: [CloudOption, PartnerCenterCloudName] extends [PartnerCenterCloudName, CloudOption]
  ? true
  : never = true;

/**
 * Creates an axios instance for Partner Center: the cloud's base URL, `MS-Contract-Version: v1`,
 * `Accept: application/json`, `MS-PartnerCenter-Application` and `X-Locale` when given, tokens from
 * `credential` with the cloud's token scope, and {@link attachResilience} applied. The handle is
 * `client.resilience`.
 */
export function createPartnerCenterClient(options: PartnerCenterClientOptions): PartnerCenterClient {
  const {
    cloud: cloudName = 'global',
    credential,
    baseURL,
    application,
    locale,
    axios: defaults,
    ...rest
  } = options;
  const cloud = resolveCloud(cloudName);
  const headers: Record<string, string> = {
    'MS-Contract-Version': 'v1',
    Accept: 'application/json',
  };
  if (application) headers['MS-PartnerCenter-Application'] = application;
  if (locale) headers['X-Locale'] = locale;
  const instance = axios.create({
    ...defaults,
    baseURL: baseURL ?? cloud.baseURL,
    headers: { ...(defaults?.headers as Record<string, string> | undefined), ...headers },
  });
  const resilience = attachResilience(instance, {
    ...rest,
    tokenProvider: credential,
    token: { ...rest.token, scopes: rest.token?.scopes ?? cloud.tokenScopes },
  });
  Object.defineProperty(instance, 'resilience', { value: resilience, enumerable: false });
  return instance as PartnerCenterClient;
}
