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
/** An injected fault, drawn as a labelled band (also on its scope's row when it has one). */
export interface TimelineFault {
  readonly label: string;
  readonly fromMs: number;
  readonly untilMs: number;
  readonly scope?: string;
}
/** The chart as one self-contained HTML page. */
export function renderTimeline(input: {
  timeline: readonly TimelineEvent[];
  faults?: readonly TimelineFault[];
  durationMs: number;
  title: string;
  subtitle?: string;
}): string;
