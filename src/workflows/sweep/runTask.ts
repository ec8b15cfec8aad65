import { PartnerCenterError } from '../../errors/PartnerCenterError.js';
import type { SweepTaskContext } from './SweepOptions.js';

/** How one attempt of a tenant's task ended. */
export type TaskOutcome =
  | { readonly ended: 'done' }
  /** The task threw (or rejected) `error`; `timeout`: it ran past its limit (`error` says so). */
  | { readonly ended: 'failed' | 'timeout'; readonly error: unknown }
  /** The worker cancelled it (closing with `stop: 'cancel'`): the tenant goes back to waiting. */
  | { readonly ended: 'cancelled' };

/** What {@link runTask} needs besides the task. */
export interface RunTaskInput {
  readonly tenantId: string;
  readonly attempt: number;
  /** Longest run, in ms (at most 2^31-1). */
  readonly timeoutMs: number;
  /** Aborted when the worker cancels its running tasks. */
  readonly cancel: AbortSignal | undefined;
}

/**
 * Runs one attempt of `task` with a signal of its own, aborted after `timeoutMs` or when `cancel` is: the
 * attempt then ends at once (a task that ignores its signal is left to end by itself, its outcome unused).
 * Never rejects.
 */
export async function runTask(
  task: (tenantId: string, context: SweepTaskContext) => Promise<unknown>,
  input: RunTaskInput,
): Promise<TaskOutcome> {
  const controller = new AbortController();
  let stopped: ((outcome: TaskOutcome) => void) | undefined;
  const stop = new Promise<TaskOutcome>((resolve) => {
    stopped = resolve;
  });
  const timer = setTimeout(() => {
    const error = new PartnerCenterError({
      kind: 'timeout',
      retryable: true,
      reason: `the task of tenant ${input.tenantId} ran past taskTimeoutMs (${input.timeoutMs} ms)`,
    });
    controller.abort(error);
    stopped?.({ ended: 'timeout', error });
  }, input.timeoutMs);
  const onCancel = () => {
    controller.abort(new Error('the sweep worker is closing: the task was cancelled'));
    stopped?.({ ended: 'cancelled' });
  };
  if (input.cancel?.aborted) onCancel();
  else input.cancel?.addEventListener('abort', onCancel, { once: true });
  const context: SweepTaskContext = {
    tenantId: input.tenantId,
    signal: controller.signal,
    attempt: input.attempt,
  };
  const run = Promise.resolve()
    .then(() => (controller.signal.aborted ? undefined : task(input.tenantId, context)))
    .then(
      (): TaskOutcome => ({ ended: 'done' }),
      (error: unknown): TaskOutcome => ({ ended: 'failed', error }),
    );
  try {
    return await Promise.race([stop, run]);
  } finally {
    clearTimeout(timer);
    input.cancel?.removeEventListener('abort', onCancel);
  }
}
