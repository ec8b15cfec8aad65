import type { AxiosResponse } from 'axios';

/** True when `value` looks like an axios response: an object with a numeric `status` and a `data` field. */
export function isResponse(value: unknown): value is AxiosResponse {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { status?: unknown }).status === 'number' &&
    'data' in value
  );
}
