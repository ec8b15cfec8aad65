import { CHECKPOINT_FORMAT, type SweepCheckpoint } from './checkpoint.js';
import type { SweepFailure } from './SweepOptions.js';

/**
 * What a sweep knows of its tenants: done, failed (with why), pending (admitted and not finished), the
 * attempts made so far, and the earlier run's pending ones the source has not given again yet. The
 * checkpoint is a snapshot of it.
 */
export class SweepState {
  readonly done: Set<string>;
  readonly failed: Map<string, SweepFailure>;
  /** Attempts per tenant, earlier runs included (kept for pending and failed tenants). */
  readonly attempts: Map<string, number>;
  /** Tenants admitted to this run and not finished, in the order the source gave them. */
  readonly pending = new Set<string>();
  /** Tenants the source gave in this run (each once). */
  readonly known = new Set<string>();
  /** Tenants done when the run started. */
  readonly skipped: number;
  /** The earlier run's pending tenants not given again yet (kept in the checkpoint until the source ends). */
  private readonly carried: Set<string>;
  /** True once the source was read to its end. */
  complete = false;

  constructor(
    from: SweepCheckpoint | undefined,
    private readonly retryFailed: boolean,
  ) {
    this.done = new Set(from?.done ?? []);
    this.failed = new Map((from?.failed ?? []).map((failure) => [failure.tenantId, failure]));
    this.attempts = new Map(Object.entries(from?.attempts ?? {}));
    for (const failure of this.failed.values()) this.attempts.set(failure.tenantId, failure.attempts);
    this.carried = new Set((from?.pending ?? []).filter((id) => !this.done.has(id)));
    this.skipped = this.done.size;
  }

  /** Takes a tenant the source gave; true when it must run (not given before, not done, not failed for good). */
  admit(id: string): boolean {
    if (this.known.has(id)) return false;
    this.known.add(id);
    this.carried.delete(id);
    if (this.done.has(id)) return false;
    if (this.failed.has(id)) {
      if (!this.retryFailed) return false;
      this.failed.delete(id);
    }
    this.pending.add(id);
    return true;
  }

  /** Counts an attempt of `id` starting; answers its number (earlier runs included). */
  attempt(id: string): number {
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    return attempt;
  }

  markDone(id: string): void {
    this.pending.delete(id);
    this.attempts.delete(id);
    this.done.add(id);
  }

  markFailed(failure: SweepFailure): void {
    this.pending.delete(failure.tenantId);
    this.failed.set(failure.tenantId, failure);
  }

  /** Pending tenants, the earlier run's not given again yet included while the source is being read. */
  get pendingCount(): number {
    return this.pending.size + (this.complete ? 0 : this.carried.size);
  }

  snapshot(at: Date): SweepCheckpoint {
    const pending = this.complete ? [...this.pending] : [...this.pending, ...this.carried];
    const attempts: Record<string, number> = {};
    for (const id of pending) {
      const count = this.attempts.get(id);
      if (count !== undefined) attempts[id] = count;
    }
    return {
      format: CHECKPOINT_FORMAT,
      version: 1,
      savedAt: at.toISOString(),
      done: [...this.done],
      failed: [...this.failed.values()],
      pending,
      attempts,
      complete: this.complete,
    };
  }
}
