import { type AxiosAdapter, AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';

/** One scripted answer: a response, a network fault, or a function of the request. */
export type Step =
  | { status: number; headers?: Record<string, string>; data?: unknown; delayMs?: number }
  | { fault: string; message?: string; delayMs?: number }
  | { hang: true };

export interface Hit {
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly data: unknown;
}

/**
 * An axios adapter that answers from a script (the last step repeats), records every hit, honours
 * `validateStatus` and the request's AbortSignal like axios's own adapters. No network.
 */
export function scriptedAdapter(steps: Step[] | ((hit: Hit, index: number) => Step)) {
  const hits: Hit[] = [];
  const adapter: AxiosAdapter = (config: InternalAxiosRequestConfig) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(config.headers.toJSON())) headers[k.toLowerCase()] = String(v);
    const hit: Hit = {
      at: Date.now(),
      method: (config.method ?? 'get').toUpperCase(),
      // An absolute url ignores the baseURL, as axios's own adapters do.
      url: /^[a-z][a-z\d+.-]*:\/\//i.test(config.url ?? '')
        ? (config.url ?? '')
        : `${config.baseURL ?? ''}${config.url ?? ''}`,
      headers,
      data: config.data,
    };
    hits.push(hit);
    const index = hits.length - 1;
    const step =
      typeof steps === 'function' ? steps(hit, index) : (steps[Math.min(index, steps.length - 1)] as Step);
    return new Promise<AxiosResponse>((resolve, reject) => {
      const signal = config.signal as AbortSignal | undefined;
      const onAbort = () => {
        if (timer) clearTimeout(timer);
        reject(new AxiosError('canceled', AxiosError.ERR_CANCELED, config));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = () => {
        signal?.removeEventListener('abort', onAbort);
        if ('hang' in step) return;
        if ('fault' in step) {
          reject(new AxiosError(step.message ?? step.fault, step.fault, config));
          return;
        }
        const response: AxiosResponse = {
          status: step.status,
          statusText: String(step.status),
          headers: step.headers ?? {},
          data: step.data ?? '',
          config,
          request: {},
        };
        const ok = config.validateStatus ? config.validateStatus(step.status) : step.status < 300;
        if (ok) resolve(response);
        else
          reject(
            new AxiosError(
              `Request failed with status code ${step.status}`,
              step.status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST,
              config,
              {},
              response,
            ),
          );
      };
      const delay = 'delayMs' in step ? (step.delayMs ?? 0) : 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      if ('hang' in step) return;
      if (delay > 0) timer = setTimeout(finish, delay);
      else queueMicrotask(finish);
    });
  };
  return { adapter, hits };
}
