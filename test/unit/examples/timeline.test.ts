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

  it('labels the injected faults in the margin, has axis titles, full scope labels, and scales to the window', () => {
    expect(html).toContain('tenant outage: A answers 503');
    expect(html).toContain('time since the run started (seconds)');
    expect(html).toContain('>tenant scope</text>');
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

/** The viewBox of a page's chart: [width, height]. */
function viewBox(page: string): [number, number] {
  const match = /viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/.exec(page);
  return [Number(match?.[1]), Number(match?.[2])];
}

describe('the demo timeline chart on a 1400x1000 screen', () => {
  // The demo's own shape: 40 tenants with events, a tenant outage (a window), a revoked token and two lost
  // orders (one mark each), and frequent faults (many marks each).
  const tenants = Array.from({ length: 40 }, (_, i) => `customer:${String(i).padStart(36, '0')}`);
  const busy: TimelineEvent[] = tenants.flatMap((scope, i) =>
    Array.from(
      { length: 30 },
      (_, k): TimelineEvent => ({ t: k * 1_000 + i, scope, type: k % 7 ? 'ok' : 'retry' }),
    ),
  );
  const faults = [
    {
      label: 'outage: customer:0000… answers 503',
      fromMs: 4_500,
      untilMs: 22_500,
      marks: [4_600, 9_000],
      scope: tenants[3] ?? '',
    },
    { label: 'revoked token: 401, then a new token', marks: [10_500] },
    { label: 'order processed, answer lost: 504', marks: [7_600] },
    { label: 'order processed, connection reset', marks: [16_500] },
    { label: '429 over a quota (Retry-After)', marks: [1_000, 2_000, 3_000, 4_000, 5_000, 6_000] },
    { label: '503 on every 9th GET', marks: Array.from({ length: 180 }, (_, k) => k * 160) },
    { label: 'HTML 502 page on every 23rd GET', marks: Array.from({ length: 60 }, (_, k) => k * 490) },
    { label: 'connection reset on 2% of GETs', marks: [100, 200] },
    { label: '120 ms slower on 10% of requests', marks: Array.from({ length: 140 }, (_, k) => k * 210) },
  ];
  const page = renderTimeline({ timeline: busy, faults, durationMs: 30_000, title: 't', maxRows: 14 });
  const rowLabels = [...page.matchAll(/monospace">([^<]+)(?:<title>[^<]*<\/title>)?<\/text>/g)].map(
    (m) => m[1],
  );

  it('fits without scrolling: one unit a pixel wide, at most about 880 units high', () => {
    const [width, height] = viewBox(page);
    expect(width).toBeLessThanOrEqual(1_360);
    // 1000 px less the title and two lines of text above the chart.
    expect(height).toBeLessThanOrEqual(880);
  });

  it('draws 14 tenant rows and merges the other tenants into one row, naming them in its tooltip', () => {
    expect(rowLabels).toHaveLength(15);
    expect(rowLabels[0]).toBe(tenants[3]); // the faulted tenant first (no partner row here)
    expect(rowLabels[14]).toBe('26 other tenants (merged)');
    expect(page).toMatch(/26 other tenants \(merged\)<title>customer:[0-9]+\n/);
  });

  it('labels every fault in the left margin, with how often it fired, never over the bars', () => {
    for (const fault of faults) {
      const label = fault.label.replace(/([()])/g, '\\$1');
      const match = new RegExp(
        `<text x="([\\d.]+)"[^>]*text-anchor="end"[^>]*>${label} \\(${fault.marks.length}\u00d7\\)</text>`,
      ).exec(page);
      expect(match, fault.label).not.toBeNull();
      expect(Number(match?.[1]), fault.label).toBeLessThan(320); // the plot starts at 320
    }
  });

  it('draws a rare fault as a mark with a head and its time, a frequent one as a mark each time it fired', () => {
    const black = MARKS['fault-hit']?.color;
    const heads = [...page.matchAll(new RegExp(`<path d="M[^"]* Z" stroke="${black}"`, 'g'))];
    // 2 outage hits + token + 2 orders + 2 resets, and the legend's.
    expect(heads).toHaveLength(8);
    for (const when of ['10.5 s', '7.6 s', '16.5 s']) expect(page).toContain(`>${when}</text>`);
    const stems = [...page.matchAll(new RegExp(`stroke="${black}" fill="${black}" stroke-width="1">`, 'g'))];
    expect(stems).toHaveLength(6 + 180 + 60 + 140);
    expect(page).toContain('<title>503 on every 9th GET at 0.2 s</title>');
  });
});
