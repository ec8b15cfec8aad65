import { describe, expect, it } from 'vitest';
import { failureMark, MARKS, renderTimeline, type TimelineEvent } from '../../../examples/timeline.mjs';

// The demo's chart (examples/timeline.mjs): what a new user looks at after `npm run demo`.

const A = 'customer:10000003-0000-4000-8000-000000000003';
const events: TimelineEvent[] = [
  { t: 100, scope: 'partner', type: 'attempt' },
  { t: 120, scope: 'partner', type: 'retry', detail: 'network', ms: 200 },
  { t: 130, scope: 'partner', type: 'throttle', ms: 1000 },
  { t: 140, scope: 'partner', type: 'gate', ms: 800 },
  { t: 150, scope: 'partner', type: 'ok', detail: 'call succeeded after 12 ms' },
  { t: 200, scope: 'partner', type: failureMark('throttled'), detail: 'call failed: throttled (429)' },
  { t: 300, scope: A, type: 'break', detail: 'server 503' },
  { t: 310, scope: A, type: failureMark('circuit-open'), detail: 'call failed: circuit-open' },
  { t: 320, scope: A, type: failureMark('server'), detail: 'call failed: server (503)' },
  { t: 330, scope: A, type: failureMark('network'), detail: 'call failed: network' },
  { t: 340, scope: A, type: failureMark('timeout'), detail: 'call failed: timeout' },
  { t: 350, scope: A, type: failureMark('cancelled'), detail: 'call failed: cancelled' },
  { t: 600, scope: A, type: 'half-open' },
  { t: 700, scope: A, type: 'reset' },
  { t: 800, scope: A, type: 'token', detail: 'forced, success' },
  { t: 900, scope: A, type: 'ok-reconciled', detail: 'order found by reconciling' },
];
const html = renderTimeline({
  timeline: events,
  faults: [{ label: 'tenant outage: A answers 503', fromMs: 250, untilMs: 650, scope: A }],
  durationMs: 1_000,
  title: 't',
});

describe('the demo timeline chart', () => {
  it('gives every mark its own colour, far enough apart to tell (retry and half-open were both orange)', () => {
    const rgb = (hex: string) => [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
    const marks = Object.entries(MARKS);
    for (const [i, [a, ma]] of marks.entries()) {
      for (const [b, mb] of marks.slice(i + 1)) {
        const [r1 = 0, g1 = 0, b1 = 0] = rgb(ma.color);
        const [r2 = 0, g2 = 0, b2 = 0] = rgb(mb.color);
        expect(Math.hypot(r1 - r2, g1 - g2, b1 - b2), `${a} vs ${b}`).toBeGreaterThanOrEqual(60);
      }
    }
  });

  it('draws every outcome kind, with its colour, and each failure kind apart', () => {
    for (const type of [
      'ok',
      'ok-reconciled',
      'throttled',
      'circuit-open',
      'server',
      'network',
      'timeout',
      'other',
    ]) {
      const color = MARKS[type]?.color ?? 'missing';
      // Once in the legend, once in the chart at least.
      expect(html.split(`"${color}"`).length - 1, type).toBeGreaterThanOrEqual(2);
    }
    expect(failureMark('cancelled')).toBe('other');
    expect(failureMark('throttled')).toBe('throttled');
  });

  it('draws the legend with the shapes of the marks (not squares for all)', () => {
    const legend = html.slice(html.indexOf('<g class="legend">'), html.lastIndexOf('</g>'));
    expect(legend).toContain('<line x1='); // attempt tick
    expect(legend).toContain('<circle'); // retry, half-open, ok
    expect(legend).not.toContain('<title>'); // legend marks have no tooltip of their own
    expect(legend).toMatch(new RegExp(`<path d="[^"]*" fill="${MARKS['token']?.color}"`)); // diamond
    expect(legend).toMatch(new RegExp(`<path d="[^"]*" stroke="${MARKS['circuit-open']?.color}"`)); // cross
  });

  it('labels the injected faults, has axis titles, full scope labels, and scales to the window', () => {
    expect(html).toContain('tenant outage: A answers 503');
    expect(html).toContain('time since the run started (seconds)');
    expect(html).toContain('tenant scope (one row each)');
    expect(html).toContain(`>${A}</text>`);
    expect(html).toMatch(/<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(html).toContain('width:100%');
  });

  it('draws the partner first, then the faulted scope, then scopes with token or breaker events', () => {
    const busy = (scope: string) =>
      Array.from({ length: 30 }, (_, i): TimelineEvent => ({ t: i, scope, type: failureMark('server') }));
    const page = renderTimeline({
      timeline: [
        ...busy('customer:busy'),
        { t: 5, scope: 'customer:token', type: 'token', detail: 'forced, success' },
        { t: 6, scope: 'customer:faulted', type: 'ok', detail: 'call succeeded' },
        { t: 7, scope: 'partner', type: 'ok', detail: 'call succeeded' },
      ],
      faults: [{ label: 'outage', fromMs: 0, untilMs: 10, scope: 'customer:faulted' }],
      durationMs: 40,
      title: 't',
    });
    const rows = [...page.matchAll(/monospace">([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(rows).toEqual(['partner', 'customer:faulted', 'customer:token', 'customer:busy']);
  });

  it('never shows an empty reason in a tooltip', () => {
    const titles = [...html.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1] ?? '');
    expect(titles.length).toBeGreaterThan(10);
    for (const text of titles) {
      expect(text).not.toMatch(/\s{2}|:\s*$|\(\s*\)|after\s*$/);
    }
    expect(html).toContain('retry in 200 ms after network');
  });
});
