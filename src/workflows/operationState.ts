import type { AxiosResponse } from 'axios';

/** What a poll answer says about the operation: finished, still running, or failed. */
export type OperationState = 'done' | 'running' | 'failed';

/**
 * `status` values (compared in lower case, spaces, `_` and `-` removed) that mean the operation still runs.
 * Partner Center's subscription registration says `registering`; Graph's and Azure's long-running operations
 * say `notStarted`, `running`, `inProgress`, `pending` or `accepted`.
 */
const RUNNING_OPERATION_STATUSES: readonly string[] = Object.freeze([
  'notstarted',
  'running',
  'inprogress',
  'pending',
  'accepted',
  'registering',
]);

/** `status` values (compared as above) that mean the operation failed or was cancelled. */
const FAILED_OPERATION_STATUSES: readonly string[] = Object.freeze([
  'failed',
  'canceled',
  'cancelled',
  'error',
]);

/** The body's `status` as written (a string only), or `undefined`. */
export function operationStatusOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const status = (body as { status?: unknown }).status;
  return typeof status === 'string' ? status : undefined;
}

function normalised(status: string): string {
  return status.toLowerCase().replace(/[\s_-]/g, '');
}

/**
 * The default reading of a 2xx poll answer: `202` is running; a JSON body whose `status` (any case, spaces,
 * `_` and `-` ignored) is `notStarted`, `running`, `inProgress`, `pending`, `accepted` or `registering` is
 * running; `failed`, `canceled`, `cancelled` or `error` is failed; anything else (another status, no status,
 * no body) is done.
 */
export function defaultOperationState(response: AxiosResponse): OperationState {
  if (response.status === 202) return 'running';
  const status = operationStatusOf(response.data);
  if (status === undefined) return 'done';
  const key = normalised(status);
  if (RUNNING_OPERATION_STATUSES.includes(key)) return 'running';
  if (FAILED_OPERATION_STATUSES.includes(key)) return 'failed';
  return 'done';
}
