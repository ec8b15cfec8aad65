import { bounded } from './bounded.js';
import type { SweepCheckpoint, SweepCheckpointStore } from './checkpoint.js';

/** A save starts no sooner than this many times the last save's duration after it (a large checkpoint saves less often). */
export const SAVE_SPACING = 4;

/**
 * Saves a sweep's checkpoint as it changes: one save at a time, at most one every `intervalMs` (or every
 * {@link SAVE_SPACING} x the last save's duration, when longer: saving takes at most a fifth of the time),
 * each bounded by `timeoutMs`. A failed save is counted and the next change tries again; {@link flush} saves the last state
 * and throws if that fails.
 */
export class CheckpointSaver {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | undefined;
  private dirty = false;
  private lastSaveAt = Number.NEGATIVE_INFINITY;
  private lastSaveMs = 0;
  /** Saves that failed (the sweep went on). */
  failures = 0;
  /** The last failure of a save, if any. */
  lastError: unknown;

  constructor(
    private readonly store: SweepCheckpointStore,
    private readonly snapshot: () => SweepCheckpoint,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
  ) {}

  /** Something changed: a save follows (now, or once the one in progress or the interval is over). */
  changed(): void {
    this.dirty = true;
    if (this.timer !== undefined || this.saving !== undefined) return;
    const spacing = Math.max(this.intervalMs, SAVE_SPACING * this.lastSaveMs);
    const wait = Math.max(0, this.lastSaveAt + spacing - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.saveNow().catch(() => undefined);
    }, wait);
  }

  /** Saves the state now (after the save in progress); throws when the store fails or times out. */
  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.saving?.catch(() => undefined);
    this.dirty = true;
    await this.saveNow();
  }

  private async saveNow(): Promise<void> {
    this.dirty = false;
    const startedAt = Date.now();
    const checkpoint = this.snapshot();
    const saving = bounded('saving the sweep checkpoint', this.timeoutMs, (signal) =>
      this.store.save(checkpoint, signal),
    );
    this.saving = saving;
    try {
      await saving;
    } catch (error: unknown) {
      this.failures += 1;
      this.lastError = error;
      throw error;
    } finally {
      this.saving = undefined;
      this.lastSaveAt = Date.now();
      this.lastSaveMs = this.lastSaveAt - startedAt;
      if (this.dirty && this.timer === undefined) this.changed();
    }
  }
}
