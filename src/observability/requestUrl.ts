import axios, { type AxiosRequestConfig } from 'axios';

/** The request fields {@link requestUrl} reads; any object is accepted and checked field by field. */
interface UrlParts {
  readonly url?: unknown;
  readonly baseURL?: unknown;
  readonly params?: unknown;
  readonly paramsSerializer?: unknown;
}

/**
 * The absolute URL a request goes to, query from `params` included (serialised as axios does, fragment
 * dropped), or `undefined` when the config names neither `url` nor `baseURL`. Never throws, whatever it is
 * given. Not redacted: pass it through the sanitizer before it is reported anywhere.
 */
export function requestUrl(config: UrlParts): string | undefined {
  const url = typeof config.url === 'string' ? config.url : undefined;
  const baseURL = typeof config.baseURL === 'string' && config.baseURL !== '' ? config.baseURL : undefined;
  if (url === undefined && baseURL === undefined) return undefined;
  const path =
    url !== undefined && (/^[a-z][a-z\d+.-]*:\/\//i.test(url) || baseURL === undefined)
      ? url
      : `${(baseURL ?? '').replace(/\/+$/, '')}${url ? `/${url.replace(/^\/+/, '')}` : ''}`;
  if (config.params === undefined || config.params === null) return path;
  try {
    const request: AxiosRequestConfig = { url: path, params: config.params };
    const serializer = config.paramsSerializer;
    if (typeof serializer === 'function' || (serializer !== null && typeof serializer === 'object')) {
      request.paramsSerializer = serializer as NonNullable<AxiosRequestConfig['paramsSerializer']>;
    }
    return axios.getUri(request);
  } catch {
    return path.split('#')[0] ?? path;
  }
}
