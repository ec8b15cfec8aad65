import type { PartnerCenterRequestOptions } from './options/requestOptions.js';

declare module 'axios' {
  // Type parameters must match axios's own declaration (axios >= 1.20).
  // biome-ignore lint/suspicious/noExplicitAny: mirrors axios's own declaration, required for merging
  interface AxiosRequestConfig<D = any, P = any> {
    /** Per-request Partner Center resilience options. */
    partnerCenter?: PartnerCenterRequestOptions;
  }
}
