import axios, { type InternalAxiosRequestConfig } from 'axios';

/**
 * The absolute URL a request goes to, query from `params` included (serialised as axios does). Not
 * redacted: pass it through the sanitizer before it is reported anywhere.
 */
export function requestUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? '';
  const path =
    /^[a-z][a-z\d+.-]*:\/\//i.test(url) || !config.baseURL
      ? url
      : `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
  if (config.params === undefined || config.params === null) return path;
  // The query axios will send from `params` (redacted later by the sanitizer), serialised as axios does.
  try {
    const serializer = config.paramsSerializer;
    return axios.getUri({
      url: path,
      params: config.params,
      ...(serializer ? { paramsSerializer: serializer } : {}),
    });
  } catch {
    return path;
  }
}
