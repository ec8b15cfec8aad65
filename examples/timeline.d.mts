/** One mark of the chart: its legend label, colour and shape. */
export interface TimelineMark {
  readonly label: string;
  readonly color: string;
  readonly shape: string;
}
/** Every mark the chart draws, by event or outcome type. */
export const MARKS: Readonly<Record<string, TimelineMark>>;
/** The outcome mark of a failed call's `PartnerCenterError` kind (`other` for kinds without their own). */
export function failureMark(kind: string): string;
/** One event of the run. */
export interface TimelineEvent {
  readonly t: number;
  readonly scope: string;
  readonly type: string;
  readonly detail?: string;
  readonly ms?: number;
}
/**
 * An injected fault, one lane of the chart labelled in its margin: a band for its time window (also on its
 * scope's row when it has one) and a mark at each time it fired.
 */
export interface TimelineFault {
  readonly label: string;
  readonly fromMs?: number;
  readonly untilMs?: number;
  /** When it fired (ms since the start), one mark each. */
  readonly marks?: readonly number[];
  readonly scope?: string;
}
/** The chart as one self-contained HTML page. */
export function renderTimeline(input: {
  timeline: readonly TimelineEvent[];
  faults?: readonly TimelineFault[];
  durationMs: number;
  title: string;
  subtitle?: string;
  /** Scopes drawn on rows of their own (the partner and the most notable); the rest share one. Default: 10. */
  maxRows?: number;
}): string;
