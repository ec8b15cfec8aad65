// Types of gcTrace.mjs, for the TypeScript unit test.
export interface PhaseStats {
  calls: number;
  scavenges: number;
  promotedBytes: number;
  copiedBytes: number;
}
export interface GcRates {
  calls: number;
  scavenges: number;
  promotedPerScavenge: number;
  copiedPerScavenge: number;
  survivedPerScavenge: number;
  promotedPerCall: number;
  copiedPerCall: number;
  survivedPerCall: number;
}
export function phaseMarker(kind: 'start' | 'end', phase: string, calls?: number): string;
export function parseNvpLine(line: string): Record<string, number | string> | undefined;
export function scavengeBytes(
  fields: Record<string, number | string> | undefined,
): { promoted: number; copied: number } | undefined;
export function summarizeGcTrace(text: string): Record<string, PhaseStats>;
export function gcRates(stats: PhaseStats): GcRates;
