// Renders the demo's timeline as one self-contained HTML page with an inline SVG that scales to the browser
// window and fits a 1400x1000 screen: one lane per injected fault (its label in the left margin, a band for
// a time window, a mark each time it fired), then a row per tenant scope worth a look (the partner, the
// faulted tenant, tenants with breaker, token or reconcile events) with its attempts, the library's decisions
// (retries, waits, breaker, tokens) and every call's outcome; the other tenants share one merged row. The
// legend draws each mark with the same function as the chart.

/** Every mark: its legend label, colour and shape. Colours are distinct per mark (at least 60 apart in RGB). */
export const MARKS = {
  attempt: { label: 'attempt sent', color: '#868e96', shape: 'tick' },
  retry: { label: 'retry scheduled', color: '#e8590c', shape: 'circle' },
  throttle: { label: 'Retry-After wait (429)', color: '#fcc419', shape: 'bar-top' },
  gate: { label: 'held at the throttle gate', color: '#74c0fc', shape: 'bar-bottom' },
  open: { label: 'breaker open', color: '#ff8787', shape: 'band' },
  break: { label: 'breaker opened', color: '#c92a2a', shape: 'triangle-down' },
  'half-open': { label: 'half-open (test call)', color: '#7048e8', shape: 'circle-ring' },
  reset: { label: 'breaker closed', color: '#2b8a3e', shape: 'triangle-up' },
  token: { label: 'token refresh', color: '#1864ab', shape: 'diamond' },
  ok: { label: 'call succeeded', color: '#69db7c', shape: 'dot' },
  'ok-reconciled': { label: 'order reconciled', color: '#0ca678', shape: 'star' },
  throttled: { label: 'call failed: throttled', color: '#995c00', shape: 'square' },
  'circuit-open': { label: 'call refused: circuit open', color: '#212529', shape: 'cross' },
  server: { label: 'call failed: server error', color: '#862e9c', shape: 'square' },
  network: { label: 'call failed: network', color: '#e599f7', shape: 'square' },
  timeout: { label: 'call failed: timeout', color: '#d6336c', shape: 'square' },
  other: { label: 'call failed: other kind', color: '#ced4da', shape: 'square' },
  fault: { label: 'fault window', color: '#495057', shape: 'hatch' },
  'fault-hit': { label: 'fault fired (one mark each)', color: '#000000', shape: 'pin' },
};

/** The outcome mark of a failed call's kind. */
export function failureMark(kind) {
  return kind in MARKS && kind !== 'ok' ? kind : 'other';
}

const escapeHtml = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

const title = (text) => (text ? `<title>${escapeHtml(text)}</title>` : '');
const r1 = (n) => Math.round(n * 10) / 10;

/** One mark of `type` at (x, y) (its centre), with a tooltip. Used by the chart and the legend. */
function mark(type, x, y, tip = '', width = 0, height = 12) {
  const { color, shape } = MARKS[type];
  const t = title(tip);
  switch (shape) {
    case 'tick':
      return `<line x1="${r1(x)}" x2="${r1(x)}" y1="${r1(y - 4)}" y2="${r1(y + 4)}" stroke="${color}" stroke-width="1">${t}</line>`;
    case 'circle':
      return `<circle cx="${r1(x)}" cy="${r1(y)}" r="3" fill="${color}">${t}</circle>`;
    case 'circle-ring':
      return `<circle cx="${r1(x)}" cy="${r1(y)}" r="4" fill="#fff" stroke="${color}" stroke-width="2">${t}</circle>`;
    case 'dot':
      return `<circle cx="${r1(x)}" cy="${r1(y)}" r="2" fill="${color}">${t}</circle>`;
    case 'square':
      return `<rect x="${r1(x - 3)}" y="${r1(y - 3)}" width="6" height="6" fill="${color}">${t}</rect>`;
    case 'cross':
      return `<path d="M${r1(x - 3)},${r1(y - 3)} L${r1(x + 3)},${r1(y + 3)} M${r1(x + 3)},${r1(y - 3)} L${r1(x - 3)},${r1(y + 3)}" stroke="${color}" stroke-width="2">${t}</path>`;
    case 'triangle-down':
      return `<path d="M${r1(x - 5)},${r1(y - 4)} L${r1(x + 5)},${r1(y - 4)} L${r1(x)},${r1(y + 4)} Z" fill="${color}">${t}</path>`;
    case 'triangle-up':
      return `<path d="M${r1(x - 5)},${r1(y + 4)} L${r1(x + 5)},${r1(y + 4)} L${r1(x)},${r1(y - 4)} Z" fill="${color}">${t}</path>`;
    case 'diamond':
      return `<path d="M${r1(x)},${r1(y - 5)} L${r1(x + 5)},${r1(y)} L${r1(x)},${r1(y + 5)} L${r1(x - 5)},${r1(y)} Z" fill="${color}">${t}</path>`;
    case 'star':
      return `<path d="M${r1(x)},${r1(y - 5)} L${r1(x + 1.5)},${r1(y - 1.5)} L${r1(x + 5)},${r1(y)} L${r1(x + 1.5)},${r1(y + 1.5)} L${r1(x)},${r1(y + 5)} L${r1(x - 1.5)},${r1(y + 1.5)} L${r1(x - 5)},${r1(y)} L${r1(x - 1.5)},${r1(y - 1.5)} Z" fill="${color}">${t}</path>`;
    case 'bar-top':
    case 'bar-bottom':
      return `<rect x="${r1(x)}" y="${r1(y - 2)}" width="${r1(Math.max(2, width || 14))}" height="4" fill="${color}">${t}</rect>`;
    case 'band':
      return `<rect x="${r1(x)}" y="${r1(y - height / 2)}" width="${r1(Math.max(2, width || 14))}" height="${height}" fill="${color}" opacity="0.22">${t}</rect>`;
    case 'pin': {
      // A stem the lane's height; with a head (a rare fault, and the legend) when `width` > 0.
      const top = y - height / 2;
      const stem = `M${r1(x)},${r1(top)} L${r1(x)},${r1(y + height / 2)}`;
      const head =
        width > 0 ? ` M${r1(x - 5)},${r1(top)} L${r1(x + 5)},${r1(top)} L${r1(x)},${r1(top + 6)} Z` : '';
      return `<path d="${stem}${head}" stroke="${color}" fill="${color}" stroke-width="${width > 0 ? 2 : 1}">${t}</path>`;
    }
    case 'hatch':
      return `<rect x="${r1(x)}" y="${r1(y - height / 2)}" width="${r1(Math.max(3, width || 14))}" height="${height}" fill="url(#hatch)" stroke="${color}" stroke-width="1" opacity="0.55">${t}</rect>`;
    default:
      throw new Error(`unknown shape ${shape}`);
  }
}

/** Marks a fault lane draws with a head and its time (a fault that fired at most this often). */
const RARE_FAULT_MARKS = 4;

/**
 * @param {{
 *   timeline: Array<{ t: number, scope: string, type: string, detail?: string, ms?: number }>,
 *   faults?: Array<{ label: string, fromMs?: number, untilMs?: number, marks?: number[], scope?: string }>,
 *   durationMs: number,
 *   title: string,
 *   subtitle?: string,
 *   maxRows?: number,
 * }} input
 * @returns {string} HTML
 */
export function renderTimeline({
  timeline,
  faults = [],
  durationMs,
  title: pageTitle,
  subtitle = '',
  maxRows = 10,
}) {
  const byScope = new Map();
  for (const e of timeline) {
    if (!byScope.has(e.scope)) byScope.set(e.scope, []);
    byScope.get(e.scope).push(e);
  }
  // Rows in order of interest: a scope with an injected fault, then breaker, token and reconcile events
  // (rare, and what a reader looks for), then the other non-success events.
  const RARE = new Set(['break', 'half-open', 'reset', 'token', 'ok-reconciled']);
  const notable = (scope) =>
    (byScope.get(scope) ?? []).reduce(
      (sum, e) =>
        sum + (RARE.has(e.type) ? 100 : ['attempt', 'ok', 'throttle', 'gate'].includes(e.type) ? 0 : 1),
      faults.some((f) => f.scope === scope) ? 100_000 : 0,
    );
  const all = [...byScope.keys()].sort((a, b) =>
    a === 'partner' ? -1 : b === 'partner' ? 1 : notable(b) - notable(a) || a.localeCompare(b),
  );
  // The quieter scopes share one merged row (a single one left over keeps its own).
  const shown = all.length <= maxRows + 1 ? all : all.slice(0, maxRows);
  const merged = all.slice(shown.length);
  const rows = shown.map((scope) => ({ label: scope, events: byScope.get(scope), scope }));
  if (merged.length > 0) {
    rows.push({
      label: `${merged.length} other tenants (merged)`,
      events: merged.flatMap((scope) => byScope.get(scope)).sort((a, b) => a.t - b.t),
      scope: undefined,
      tip: merged.join('\n'),
    });
  }

  const W = 1360; // viewBox units: about one unit a pixel on a 1400 px wide window
  const left = 320;
  const right = 20;
  const plotW = W - left - right;
  // Legend first (visible without scrolling): every mark drawn by the same function as in the chart.
  const legendTop = 16;
  let lx = 16;
  let ly = legendTop;
  const legend = [];
  for (const [type, { label, shape }] of Object.entries(MARKS)) {
    const w = 34 + label.length * 6.4;
    if (lx + w > W - right) {
      lx = 16;
      ly += 20;
    }
    const wide = ['band', 'hatch', 'bar-top', 'bar-bottom'].includes(shape);
    legend.push(mark(type, wide ? lx : lx + 7, ly, '', shape === 'pin' ? 1 : 14, shape === 'pin' ? 14 : 12));
    legend.push(`<text x="${lx + 18}" y="${ly + 4}" font-size="12">${escapeHtml(label)}</text>`);
    lx += w;
  }
  const top = ly + 40;
  const laneH = 18;
  const faultLaneH = laneH * Math.max(1, faults.length) + 8;
  const rowH = 26;
  const rowsTop = top + faultLaneH + 10;
  const rowsBottom = rowsTop + rows.length * rowH;
  const x = (t) => left + (Math.max(0, Math.min(t, durationMs)) / Math.max(durationMs, 1)) * plotW;
  const parts = [];

  // Time grid and axis (ticks on a 1/2/5/10 s step, about 15 of them).
  const seconds = durationMs / 1000;
  const step = [1, 2, 5, 10, 15, 30, 60].find((s) => seconds / s <= 16) ?? 60;
  for (let s = 0; s <= seconds + 1e-9; s += step) {
    const tx = x(s * 1000);
    parts.push(`<line x1="${r1(tx)}" x2="${r1(tx)}" y1="${top - 4}" y2="${rowsBottom}" stroke="#e9ecef"/>`);
    parts.push(`<text x="${r1(tx)}" y="${top - 8}" font-size="11" text-anchor="middle">${s} s</text>`);
    parts.push(
      `<text x="${r1(tx)}" y="${rowsBottom + 16}" font-size="11" text-anchor="middle">${s} s</text>`,
    );
  }
  parts.push(
    `<text x="${left + plotW / 2}" y="${rowsBottom + 34}" font-size="13" font-weight="600" text-anchor="middle">time since the run started (seconds)</text>`,
  );
  parts.push(
    `<text x="12" y="${(rowsTop + rowsBottom) / 2}" font-size="13" font-weight="600" text-anchor="middle" transform="rotate(-90 12 ${(rowsTop + rowsBottom) / 2})">tenant scope</text>`,
    `<text x="12" y="${top + faultLaneH / 2}" font-size="13" font-weight="600" text-anchor="middle" transform="rotate(-90 12 ${top + faultLaneH / 2})">faults</text>`,
  );

  // The injected faults: one lane each, its label (and how often it fired) in the left margin, a hatched
  // band for a time window, a mark each time it fired (with a head and its time when rare). A tenant's
  // fault window is also drawn on its row.
  parts.push(
    `<rect x="${left}" y="${top}" width="${plotW}" height="${faultLaneH}" fill="#f8f9fa" stroke="#ced4da"/>`,
  );
  faults.forEach((f, i) => {
    const fy = top + 4 + laneH * i + laneH / 2;
    const marks = f.marks ?? [];
    const count = marks.length > 0 ? ` (${marks.length}\u00d7)` : '';
    parts.push(
      `<text x="${left - 8}" y="${r1(fy + 4)}" text-anchor="end" font-size="12">${escapeHtml(f.label)}${count}</text>`,
    );
    if (f.fromMs !== undefined && f.untilMs !== undefined) {
      const fx = x(f.fromMs);
      const when = `${(f.fromMs / 1000).toFixed(1)}-${(f.untilMs / 1000).toFixed(1)} s`;
      parts.push(mark('fault', fx, fy, `${f.label} (${when})`, x(f.untilMs) - fx, laneH - 4));
    }
    const rare = marks.length <= RARE_FAULT_MARKS;
    for (const t of marks) {
      const when = `${(t / 1000).toFixed(1)} s`;
      parts.push(mark('fault-hit', x(t), fy + 1, `${f.label} at ${when}`, rare ? 1 : 0, laneH - 4));
      if (rare) {
        parts.push(
          `<text x="${r1(x(t) + 7)}" y="${r1(fy + 4)}" font-size="11" fill="#000">${escapeHtml(when)}</text>`,
        );
      }
    }
  });

  rows.forEach((row, index) => {
    const y = rowsTop + index * rowH;
    const mid = y + rowH / 2 - 1;
    const events = row.events;
    parts.push(
      `<rect x="${left}" y="${y}" width="${plotW}" height="${rowH}" fill="${index % 2 ? '#f8f9fa' : '#ffffff'}"/>`,
    );
    parts.push(
      `<text x="${left - 8}" y="${mid + 4}" text-anchor="end" font-size="11" font-family="ui-monospace,Menlo,Consolas,monospace">${escapeHtml(row.label)}${row.tip ? title(row.tip) : ''}</text>`,
    );
    for (const f of faults.filter((fault) => row.scope !== undefined && fault.scope === row.scope)) {
      if (f.fromMs === undefined || f.untilMs === undefined) continue;
      parts.push(mark('fault', x(f.fromMs), mid, f.label, x(f.untilMs) - x(f.fromMs), rowH));
    }
    // Breaker open periods (a scope's own row): from a break to the next half-open or close (or the end).
    let openedAt;
    const band = (from, to) =>
      parts.push(
        mark(
          'open',
          x(from),
          mid,
          `breaker open ${((to - from) / 1000).toFixed(1)} s`,
          x(to) - x(from),
          rowH,
        ),
      );
    if (row.scope !== undefined) {
      for (const e of events) {
        if (e.type === 'break' && openedAt === undefined) openedAt = e.t;
        if ((e.type === 'half-open' || e.type === 'reset') && openedAt !== undefined) {
          band(openedAt, e.t);
          openedAt = undefined;
        }
      }
      if (openedAt !== undefined) band(openedAt, durationMs);
    }

    const on = row.scope === undefined ? (e, text) => `${e.scope}: ${text}` : (_e, text) => text;
    for (const e of events) {
      const ex = x(e.t);
      switch (e.type) {
        case 'attempt':
          parts.push(mark('attempt', ex, y + 7));
          break;
        case 'throttle':
          parts.push(mark('throttle', ex, y + 2, on(e, `Retry-After ${e.ms} ms`), x(e.t + (e.ms ?? 0)) - ex));
          break;
        case 'gate':
          parts.push(
            mark(
              'gate',
              ex,
              y + rowH - 2,
              on(e, `held at the throttle gate ${e.ms} ms`),
              x(e.t + (e.ms ?? 0)) - ex,
            ),
          );
          break;
        case 'retry':
          parts.push(mark('retry', ex, mid, on(e, `retry in ${e.ms} ms after ${e.detail}`)));
          break;
        case 'break':
          parts.push(
            mark('break', ex, mid, on(e, e.detail ? `breaker opened: ${e.detail}` : 'breaker opened')),
          );
          break;
        case 'half-open':
          parts.push(mark('half-open', ex, mid, on(e, 'half-open: one test call')));
          break;
        case 'reset':
          parts.push(mark('reset', ex, mid, on(e, 'breaker closed')));
          break;
        case 'token':
          parts.push(mark('token', ex, mid, on(e, `token refresh: ${e.detail}`)));
          break;
        default:
          if (e.type in MARKS) {
            parts.push(mark(e.type, ex, y + rowH - 7, on(e, e.detail ?? MARKS[e.type].label)));
          }
      }
    }
  });
  parts.push(
    `<rect x="${left}" y="${rowsTop}" width="${plotW}" height="${rowsBottom - rowsTop}" fill="none" stroke="#ced4da"/>`,
  );

  const height = rowsBottom + 44;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(pageTitle)}</title>
<style>body{font-family:system-ui,sans-serif;margin:12px 20px;color:#212529}svg{display:block;width:100%;height:auto;max-width:${W}px;border:1px solid #dee2e6}p{font-size:13px;margin:2px 0 8px}</style></head>
<body><h1 style="font-size:18px;margin:0 0 2px">${escapeHtml(pageTitle)}</h1>
<p>${escapeHtml(subtitle)}</p>
<p>Top: the faults injected, one lane each (a mark each time one fired). Below: a row per tenant scope: grey ticks are attempts, the middle line the library's decisions, the bottom line how each call ended. Hover a mark for details.</p>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" preserveAspectRatio="xMinYMin meet" font-family="system-ui,sans-serif">
<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="${MARKS.fault.color}" stroke-width="2"/></pattern></defs>
${parts.join('\n')}
<g class="legend">
${legend.join('\n')}
</g>
</svg>
</body></html>
`;
}
