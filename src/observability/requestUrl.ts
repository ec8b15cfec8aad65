import axios, { type AxiosRequestConfig } from 'axios';

/** The request fields {@link requestUrl} reads; any object is accepted and checked field by field. */
interface UrlParts {
  readonly url?: unknown;
  readonly baseURL?: unknown;
  readonly allowAbsoluteUrls?: unknown;
  readonly params?: unknown;
  readonly paramsSerializer?: unknown;
}

/**
 * axios's `isAbsoluteURL`: `scheme://...`, or a protocol-relative `//host/...`, which axios sends as it is
 * (Node cannot parse it without a base: "Invalid URL"; a browser sends it to that host).
 */
const ABSOLUTE_FOR_AXIOS = /^([a-z][a-z\d+\-.]*:)?\/\//i;

/** Whether axios sends `url` as it is rather than appending it to the `baseURL` (see {@link requestUrl}). */
export function isAbsoluteForAxios(url: string): boolean {
  return ABSOLUTE_FOR_AXIOS.test(url);
}

/**
 * The URL axios sends a request to, before its query `params`: axios's own `buildFullPath` (and its
 * `combineURLs`). A `url` that axios reads as absolute (`https://...` or protocol-relative `//host/...`) is
 * used as it is, unless `allowAbsoluteUrls` is `false`; otherwise it is appended to the `baseURL` (slashes
 * between them collapsed to one). An empty or missing `baseURL` leaves `url` as it is.
 */
function fullPath(url: string | undefined, baseURL: string | undefined, allowAbsolute: boolean): string {
  if (baseURL === undefined || (url !== undefined && allowAbsolute && isAbsoluteForAxios(url))) {
    return url ?? '';
  }
  if (!url) return baseURL;
  return `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
}

/**
 * The URL a request goes to, as axios builds it (see {@link isAbsoluteForAxios}): `baseURL` and `url`
 * combined, query from `params` included (serialised as axios does, fragment dropped), or `undefined` when
 * the config names neither `url` nor `baseURL`. It is what the transport check (`assertSafeToSendToken`),
 * the errors and the workflows' origin checks read, so that they all see the request where axios sends it:
 * a protocol-relative `//host/x` stays as it is (not a path under the `baseURL`). Never throws, whatever it
 * is given. Not redacted: pass it through the sanitizer before it is reported anywhere.
 */
export function requestUrl(config: UrlParts): string | undefined {
  const url = typeof config.url === 'string' ? config.url : undefined;
  const baseURL = typeof config.baseURL === 'string' && config.baseURL !== '' ? config.baseURL : undefined;
  if (url === undefined && baseURL === undefined) return undefined;
  const path = fullPath(url, baseURL, config.allowAbsoluteUrls !== false);
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

/** `scheme://host[:port]` of an absolute URL (lower case, as the URL parser writes it), or `undefined`. */
export function originOf(url: string | undefined): string | undefined {
  if (url === undefined || !/^[a-z][a-z\d+.-]*:\/\//i.test(url)) return undefined;
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return undefined;
  }
}
