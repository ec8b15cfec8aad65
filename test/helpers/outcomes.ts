import type { AxiosResponse } from 'axios';
import type { Outcome } from '../../src/policies/pipeline.js';

/** An answered attempt (200), for policies driven with a fake `next`. */
export const OK: Outcome = {
  response: {
    status: 200,
    statusText: 'OK',
    headers: {},
    data: 'ok',
    config: {},
    request: {},
  } as AxiosResponse,
};
