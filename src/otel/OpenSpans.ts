import type { Span } from '@opentelemetry/api';

/** The span of a logical call still in flight, and how many requests it has sent. */
export interface OpenCall {
  readonly span: Span;
  sends: number;
}

/**
 * Open call spans by `MS-RequestId`, bounded: past `max`, the oldest is ended (marked
 * `partner_center.span.incomplete`) and forgotten, so a call that never ends cannot leak.
 */
export class OpenSpans {
  private readonly calls = new Map<string, OpenCall>();

  constructor(private readonly max: number) {}

  get size(): number {
    return this.calls.size;
  }

  get(requestId: string): OpenCall | undefined {
    return this.calls.get(requestId);
  }

  add(requestId: string, call: OpenCall): void {
    while (this.calls.size >= this.max) {
      const oldest = this.calls.keys().next();
      if (oldest.done) break;
      this.abandon(oldest.value);
    }
    this.calls.set(requestId, call);
  }

  /** Removes and returns the call, for the caller to end its span. */
  take(requestId: string): OpenCall | undefined {
    const call = this.calls.get(requestId);
    if (call) this.calls.delete(requestId);
    return call;
  }

  /** Ends every open span as incomplete and forgets them. */
  clear(): void {
    for (const requestId of [...this.calls.keys()]) this.abandon(requestId);
  }

  private abandon(requestId: string): void {
    const call = this.calls.get(requestId);
    this.calls.delete(requestId);
    if (!call) return;
    call.span.setAttribute('partner_center.span.incomplete', true);
    call.span.end();
  }
}
