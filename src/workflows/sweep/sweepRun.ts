import { MAX_TIMER_MS } from '../../options/rules.js';
import { bounded } from './bounded.js';
import { parseCheckpoint, SweepCheckpointError } from './checkpoint.js';
import { CheckpointSaver } from './checkpointSaver.js';
import { AdaptiveConcurrency } from './concurrency.js';
import { failureOf, retryableKind } from './failure.js';
import { ProgressMeter } from './progressMeter.js';
import { runTask } from './runTask.js';
import type { SweepClient, SweepFailure, SweepOutcome, SweepProgress, SweepReport } from './SweepOptions.js';
import { type CountedCalls, countCalls } from './sweepCounters.js';
import type { SweepPlan } from './sweepPlan.js';
import { SweepState } from './sweepState.js';
import { TenantQueue } from './tenantQueue.js';
import { tenantIds } from './tenantSource.js';

/** Why the sweep stopped starting tasks: a stop asked for, or its source failed. */
type StopReason = 'aborted' | 'deadline' | 'source';

/** One run of a sweep: the loop that starts tasks as the concurrency allows, and its state. */
export class SweepRun {
  private state = new SweepState(undefined, false);
  private readonly concurrency: AdaptiveConcurrency;
  private counters: CountedCalls = { calls: 0, throttled: 0, held: 0 };
  /** The tasks running, and when each started (epoch ms). */
  private readonly running = new Map<string, number>();
  /** Aborted to cancel every running task (`stop: 'cancel'`). */
  private readonly cancel = new AbortController();
  private readonly queue = new TenantQueue();
  private readonly attemptsThisRun = new Map<string, number>();
  private readonly startedAt = Date.now();
  private readonly meter = new ProgressMeter(this.startedAt);
  private readonly source = new AbortController();
  private saver: CheckpointSaver | undefined;
  private sourceDone = false;
  private sourceError: unknown;
  private stopReason: StopReason | undefined;
  private finishedThisRun = 0;
  private wakeUp: (() => void) | undefined;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly plan: SweepPlan,
    private readonly client: SweepClient,
  ) {
    this.concurrency = new AdaptiveConcurrency(
      plan.initialConcurrency,
      plan.maxConcurrency,
      plan.initialConcurrency,
    );
  }

  async run(): Promise<SweepReport> {
    const { plan } = this;
    const store = plan.checkpoint;
    const loaded =
      store === undefined
        ? undefined
        : await bounded('loading the sweep checkpoint', plan.checkpointTimeoutMs, (signal) =>
            store.load(signal),
          );
    // A store of the caller's may give anything: it is checked as a file's content is.
    const from =
      loaded === undefined ? undefined : parseCheckpoint(loaded, "the checkpoint store's checkpoint");
    this.state = new SweepState(from, plan.retryFailed);
    if (store !== undefined) {
      this.saver = new CheckpointSaver(
        store,
        () => this.state.snapshot(new Date()),
        plan.checkpointIntervalMs,
        plan.checkpointTimeoutMs,
      );
    }
    try {
      this.listen();
      void this.read();
      await this.loop();
    } finally {
      for (const cleanup of this.cleanups.splice(0)) cleanup();
    }
    const report = this.report();
    try {
      await this.saver?.flush();
    } catch (error: unknown) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new SweepCheckpointError(
        `the sweep ended (${report.outcome}) but its checkpoint could not be saved: ${plan.sanitizer.scrubText(reason)}`,
        report,
      );
    }
    if (this.stopReason === 'source') throw this.sourceError;
    this.emitProgress();
    return report;
  }

  /** Counts the instance's requests, 429s and limiter holds; stops on the signal and the deadline. */
  private listen(): void {
    const { events, signal, deadline } = this.plan;
    const counting = countCalls(events);
    this.counters = counting.totals;
    this.cleanups.push(counting.dispose);
    if (signal !== undefined) {
      const onAbort = () => this.stop('aborted');
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      this.cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (deadline !== undefined && deadline <= Date.now()) this.stop('deadline');
    else if (deadline !== undefined) this.every(() => this.stop('deadline'), deadline - Date.now(), false);
    if (this.plan.onProgress !== undefined)
      this.every(() => this.emitProgress(), this.plan.progressIntervalMs, true);
  }

  /** Calls `action` after `ms` (clamped to a valid timer), again every `ms` when `repeat`; cleared at the end. */
  private every(action: () => void, ms: number, repeat: boolean): void {
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, ms));
    const timer = repeat ? setInterval(action, delay) : setTimeout(action, delay);
    this.cleanups.push(() => clearTimeout(timer));
  }

  private emitProgress(): void {
    try {
      this.plan.onProgress?.(this.progress());
    } catch {
      // A progress listener's failure is its own: the sweep goes on.
    }
  }

  private stop(reason: StopReason): void {
    if (this.stopReason !== undefined) return;
    this.stopReason = reason;
    this.source.abort();
    if (this.plan.stop === 'cancel') this.cancel.abort();
    this.wake();
  }

  private wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /** Reads the source into the ready queue; a failure stops the sweep (running tasks end, then it throws). */
  private async read(): Promise<void> {
    const { plan } = this;
    try {
      for await (const id of tenantIds(
        this.client,
        plan.tenants,
        plan.customersPageSize,
        this.source.signal,
      )) {
        if (this.stopReason !== undefined) return;
        if (this.state.admit(id)) this.queue.push(id);
        this.wake();
      }
      this.sourceDone = true;
      this.state.complete = true;
    } catch (error: unknown) {
      if (this.stopReason !== undefined) return;
      this.sourceError = error;
      this.stop('source');
    } finally {
      this.wake();
    }
  }

  private async loop(): Promise<void> {
    for (;;) {
      if (this.stopReason === undefined) this.fill();
      if (this.running.size === 0) {
        if (this.stopReason !== undefined) return;
        if (this.sourceDone && this.queue.empty) return;
      }
      await this.nextWake();
    }
  }

  /** Waits for a task's end, a tenant from the source, a stop, a retry's time, or a task's stall. */
  private nextWake(): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
      const at = this.stopReason === undefined ? this.nextChangeAt() : undefined;
      if (at !== undefined)
        timer = setTimeout(() => this.wake(), Math.min(MAX_TIMER_MS, Math.max(0, at - Date.now())));
    });
  }

  /** The earliest of the next retry's time and the next stall of a running task, if any. */
  private nextChangeAt(): number | undefined {
    let at = this.queue.nextRetryAt;
    const stallMs = this.queue.stallAfterMs;
    if (stallMs === Number.POSITIVE_INFINITY) return at;
    const now = Date.now();
    for (const startedAt of this.running.values()) {
      const stallsAt = startedAt + stallMs;
      if (stallsAt > now && (at === undefined || stallsAt < at)) at = stallsAt;
    }
    return at;
  }

  /**
   * Starts tasks while the concurrency allows: retries whose time has come, then tenants in source order. A
   * stalled task (running past `queue.stallAfterMs`) does not take a slot; `maxConcurrency` bounds them all.
   */
  private fill(): void {
    const now = Date.now();
    const stallMs = this.queue.stallAfterMs;
    let busy = 0;
    for (const startedAt of this.running.values()) if (now - startedAt < stallMs) busy += 1;
    while (busy < this.concurrency.limit && this.running.size < this.plan.maxConcurrency) {
      const id = this.queue.next(now);
      if (id === undefined) return;
      this.start(id, now);
      busy += 1;
    }
  }

  private start(id: string, now: number): void {
    this.running.set(id, now);
    this.attemptsThisRun.set(id, (this.attemptsThisRun.get(id) ?? 0) + 1);
    void this.attempt(id, this.state.attempt(id))
      .catch((error: unknown) => this.failed(id, failureOf(error, id, 1, new Date(), this.plan.sanitizer)))
      .finally(() => {
        this.queue.finished(Date.now() - now);
        this.running.delete(id);
        this.concurrency.taskEnded(this.counters);
        this.saver?.changed();
        this.wake();
      });
  }

  /** Runs one attempt of a tenant's task (bounded by `taskTimeoutMs` and the cancel) and records how it ended. */
  private async attempt(id: string, attempt: number): Promise<void> {
    const { plan } = this;
    const timeoutMs = plan.taskTimeoutMs;
    const end = await runTask(plan.task, { tenantId: id, attempt, timeoutMs, cancel: this.cancel.signal });
    if (end.ended === 'done') {
      this.state.markDone(id);
      this.finished();
    } else if (end.ended !== 'cancelled') {
      this.failed(id, failureOf(end.error, id, attempt, new Date(), plan.sanitizer));
    }
    // Cancelled: back to pending, the next run does it.
  }

  /** A failed attempt: tried again later when its kind may pass and attempts are left, else failed for good. */
  private failed(id: string, failure: SweepFailure): void {
    if (failure.kind === 'throttled' && this.plan.events === undefined) this.counters.throttled += 1;
    const tries = this.attemptsThisRun.get(id) ?? 1;
    if (retryableKind(failure.kind) && tries < this.plan.maxAttempts) {
      // Stopped: it stays pending (the next run tries it); else it waits while other tenants run.
      if (this.stopReason === undefined) this.queue.retryAt(id, Date.now() + this.plan.retryDelayMs * tries);
      return;
    }
    this.state.markFailed(failure);
    this.finished();
  }

  private finished(): void {
    this.finishedThisRun += 1;
    this.meter.finished(Date.now());
  }

  private progress(): SweepProgress {
    const now = Date.now();
    const rate = this.meter.rate(now);
    const pending = this.state.pendingCount;
    return {
      done: this.state.done.size,
      failed: this.state.failed.size,
      pending,
      running: this.running.size,
      total: this.state.known.size,
      totalKnown: this.sourceDone,
      finishedThisRun: this.finishedThisRun,
      ratePerSecond: rate,
      etaMs: this.meter.etaMs(now, pending, this.sourceDone),
      elapsedMs: now - this.startedAt,
      concurrency: this.concurrency.limit,
      calls: this.counters.calls,
      throttled: this.counters.throttled,
    };
  }

  private report(): SweepReport {
    const outcome: SweepOutcome =
      this.stopReason === 'aborted' || this.stopReason === 'deadline' ? this.stopReason : 'completed';
    return {
      ...this.progress(),
      outcome,
      skipped: this.state.skipped,
      failures: [...this.state.failed.values()],
      durationMs: Date.now() - this.startedAt,
    };
  }
}
