import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  type DataPoint,
  MeterProvider,
  type MetricData,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import axios, { type AxiosInstance } from 'axios';
import { attachResilience, type ResilienceHandle, type ResilienceOptions } from '../../src/index.js';
import { type InstrumentResilienceOptions, instrumentResilience } from '../../src/otel/index.js';
import { noSlowStart } from './noSlowStart.js';
import { type Hit, type Step, scriptedAdapter } from './scriptedAdapter.js';

export { settle } from './settle.js';

export const BASE = 'https://api.partnercenter.microsoft.com';

/** A metric reader collected by hand: no export timers to fight the fake clock. */
class ManualReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One recorded metric point, flattened for assertions. */
export interface Point {
  readonly name: string;
  readonly attributes: Attributes;
  readonly value: DataPoint<unknown>['value'];
}

/** Tracer and meter providers backed by memory, plus readers for what they recorded. */
export function setupOtel() {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return {
    tracerProvider,
    meterProvider,
    spans: (): ReadableSpan[] => exporter.getFinishedSpans(),
    async points(): Promise<Point[]> {
      const { resourceMetrics, errors } = await reader.collect();
      if (errors.length > 0) throw new Error(`metric collection failed: ${String(errors[0])}`);
      const metrics: MetricData[] = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
      return metrics.flatMap((m) =>
        (m.dataPoints as DataPoint<unknown>[]).map((p) => ({
          name: m.descriptor.name,
          attributes: p.attributes,
          value: p.value,
        })),
      );
    },
  };
}

/** An axios instance on a scripted adapter, with resilience attached and instrumented. */
export function setupClient(
  steps: Step[] | ((hit: Hit, index: number) => Step),
  options: ResilienceOptions = {},
  instrumentOptions: InstrumentResilienceOptions = {},
) {
  const otel = setupOtel();
  const scripted = scriptedAdapter(steps);
  const instance: AxiosInstance = axios.create({ adapter: scripted.adapter, baseURL: BASE });
  // Exact durations and event lists: no slow start pacing the retries (unless the options ask for one).
  const handle: ResilienceHandle = attachResilience(instance, {
    ...noSlowStart(options),
    retry: { jitter: 'none', baseDelayMs: 100, ...options.retry },
  });
  const instrumentation = instrumentResilience(handle, {
    tracerProvider: otel.tracerProvider,
    meterProvider: otel.meterProvider,
    ...instrumentOptions,
  });
  return { ...otel, ...scripted, instance, handle, instrumentation };
}
