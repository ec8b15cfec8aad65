import { type Span, SpanKind, type Tracer } from '@opentelemetry/api';
import type { CallInfo } from '../observability/callInfo.js';
import { methodAttributes, serverAttributes, spanNameOf } from './httpAttributes.js';

/** What ends a call: its attempts and how long it took. */
export interface CallEnd extends CallInfo {
  readonly attempts: number;
  readonly durationMs: number;
}

/** The span of a logical call still in flight, and how many requests it has sent. */
interface OpenCall {
  readonly span: Span;
  sends: number;
}

/**
 * One CLIENT span per logical call (HTTP client semantic conventions), found by its `MS-RequestId`: started
 * by the call's first event, ended by its last ({@link CallSpans.finish}). Bounded: past `maxOpen` open
 * spans, the oldest is ended (marked `partner_center.span.incomplete`) and forgotten, so a call that never
 * ends cannot leak.
 */
export class CallSpans {
  private readonly open = new Map<string, OpenCall>();

  /** `scopeLabel` maps a scope key to the span's `partner_center.scope` attribute. */
  constructor(
    private readonly tracer: Tracer,
    private readonly maxOpen: number,
    private readonly scopeLabel: (scope: string) => string,
  ) {}

  /** Number of spans open. */
  get size(): number {
    return this.open.size;
  }

  /** The open call of an event, started now if the event is the call's first; none without a request id. */
  callOf(event: CallInfo): OpenCall | undefined {
    if (event.requestId === '') return undefined;
    let call = this.open.get(event.requestId);
    if (!call) {
      while (this.open.size >= this.maxOpen) {
        const oldest = this.open.keys().next();
        if (oldest.done) break;
        this.abandon(oldest.value);
      }
      call = this.start(event);
      this.open.set(event.requestId, call);
    }
    return call;
  }

  /** The call of `event` sent a request: counted, and every send after the first is a resend. */
  sent(event: CallInfo): void {
    const call = this.callOf(event);
    if (!call) return;
    call.sends += 1;
    if (call.sends > 1) call.span.setAttribute('http.request.resend_count', call.sends - 1);
  }

  /** The span of a call already open, if any (for events that never start one). */
  openSpan(requestId: string): Span | undefined {
    return this.open.get(requestId)?.span;
  }

  /**
   * Takes the call's span off the open set (or starts one back-dated to the call's start) and sets its
   * resend count and attempts, for the caller to set its outcome and end it.
   */
  finish(event: CallEnd): Span {
    let call = this.open.get(event.requestId);
    if (call) this.open.delete(event.requestId);
    else call = this.start(event, Date.now() - event.durationMs);
    const resends = call.sends > 0 ? call.sends - 1 : Math.max(0, event.attempts - 1);
    if (resends > 0) call.span.setAttribute('http.request.resend_count', resends);
    call.span.setAttribute('partner_center.attempts', event.attempts);
    return call.span;
  }

  /** Ends every open span as incomplete and forgets them. */
  clear(): void {
    for (const requestId of [...this.open.keys()]) this.abandon(requestId);
  }

  private abandon(requestId: string): void {
    const call = this.open.get(requestId);
    this.open.delete(requestId);
    if (!call) return;
    call.span.setAttribute('partner_center.span.incomplete', true);
    call.span.end();
  }

  private start(event: CallInfo, startTime?: number): OpenCall {
    const span = this.tracer.startSpan(spanNameOf(event.method), {
      kind: SpanKind.CLIENT,
      attributes: {
        ...methodAttributes(event.method),
        'url.full': event.url,
        ...serverAttributes(event.url),
        'partner_center.scope': this.scopeLabel(event.scope),
        'partner_center.request_id': event.requestId,
        'partner_center.correlation_id': event.correlationId,
      },
      ...(startTime === undefined ? {} : { startTime }),
    });
    return { span, sends: 0 };
  }
}
